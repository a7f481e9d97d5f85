"""Reading records from a marketplace without losing or duplicating any.

An inbound flow reads windows of time from its durable cursor, page by page:

* The window starts at the cursor minus a small overlap. Once an hour (and on the first
  run) it reaches back over the seed's window (12 h for orders, 24 h for refunds...) to
  pick up records the marketplace published late: the seed's window is a floor, re-read
  hourly rather than on every run, which at thousands of orders a day would page through
  half a day of packages every few minutes. After downtime the flow catches up from the
  cursor, in windows no longer than the marketplace allows.
* The cursor moves only after every page of a window is stored. Storing is idempotent
  (one local order per marketplace package, enforced by the database), so a crash
  between storing and moving the cursor just re-reads the window.
* A record that cannot be stored (an unmapped township, say) is kept as an
  :class:`InboundItem` with the marketplace's data and retried under its penalty, so
  the cursor moving on never loses it.
* Once a day a reconciliation sweep re-reads the last N days (channel config
  ``reconciliation_days``, default 3) and stores anything missed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mpdash.marketplaces.errors import Action, MarketplaceError

from . import penalties, runs
from .models import FailedIntegration, FlowLogLine, InboundCursor, InboundItem
from .sync_flow import StopRun

logger = logging.getLogger("mpdash.integration.inbound")

OVERLAP = timedelta(minutes=10)
FLOOR_EVERY = timedelta(hours=1)
SWEEP_EVERY = timedelta(hours=24)
PREPARE_CHUNK = 200  # records prepared (e.g. packaged) at a time, the next while the last is stored
DEFAULT_SWEEP_DAYS = 3


class Skip(Exception):
    """The record needs nothing now (e.g. awaiting payment verification); not an error."""


# --- payloads kept for retries ----------------------------------------------------------
def to_payload(record) -> dict[str, Any]:
    def convert(value):
        if isinstance(value, Decimal):
            return {"__decimal__": str(value)}
        if isinstance(value, datetime):
            return {"__datetime__": value.isoformat()}
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return value

    return convert(dataclasses.asdict(record))


def from_payload(cls, data: dict[str, Any]):
    def convert(value):
        if isinstance(value, dict):
            if "__decimal__" in value:
                return Decimal(value["__decimal__"])
            if "__datetime__" in value:
                return parse_datetime(value["__datetime__"])
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    values = convert(data)
    hints = {f.name: f for f in dataclasses.fields(cls)}
    out = {}
    for name, value in values.items():
        if name not in hints:
            continue
        nested = _nested_type(cls, name)
        if nested and isinstance(value, dict):
            value = from_payload(nested, value)
        elif nested and isinstance(value, list):
            value = [from_payload(nested, v) if isinstance(v, dict) else v for v in value]
        out[name] = value
    return cls(**out)


def _nested_type(cls, name: str):
    from mpdash.marketplaces import base

    return {
        ("RemoteOrder", "lines"): base.RemoteOrderLine,
        ("RemoteOrder", "shipping_address"): base.RemoteAddress,
        ("RemoteOrder", "billing_address"): base.RemoteAddress,
        ("RemoteClaim", "lines"): base.RemoteClaimLine,
    }.get((cls.__name__, name))


# --- windows ----------------------------------------------------------------------------
def windows(high_water: datetime | None, now: datetime, *, floor_hours: float, max_hours: float,
            not_before: datetime | None = None, sweep_days: float | None = None) -> list[tuple[datetime, datetime]]:
    """The windows to read, oldest first."""
    start = now - timedelta(hours=floor_hours)
    if high_water is not None:
        start = min(start, high_water - OVERLAP)
    if sweep_days:
        start = min(start, now - timedelta(days=sweep_days))
    if not_before is not None:
        start = max(start, not_before)
    step = timedelta(hours=max_hours)
    out = []
    while start < now:
        end = min(start + step, now)
        out.append((start, end))
        start = end
    return out


def _config_datetime(channel, key: str) -> datetime | None:
    raw = (channel.plain_config() or {}).get(key)
    if not raw:
        return None
    value = parse_datetime(str(raw))
    if value is None:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
            try:
                value = datetime.strptime(str(raw), fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise StopRun(f"channel config {key}: {raw!r} is not a date; use e.g. 2026-01-31 or 2026-01-31T00:00:00+03:00", failed=True)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# --- the reading loop ---------------------------------------------------------------------
def _call(call, what: str):
    try:
        return call()
    except MarketplaceError as exc:
        retry = getattr(exc, "retry_after", 1.0) if exc.action is Action.RETRY_LATER else None
        raise StopRun(f"{what}: {exc}", failed=retry is None, retry_after=retry) from exc


def read(ctx, *, lister: Callable, store: Callable, key_of: Callable, floor_hours: float,
         start_key: str | None = None, prepare: Callable | None = None, store_many: Callable | None = None) -> str:
    """Read every window of ``lister`` from the cursor and ``store`` each record.

    ``store(record)`` returns True when it created something, False when the record was
    already there; it raises :class:`Skip` for records needing nothing and any other
    exception for records that must be retried later. ``store_many(records)``, when given,
    settles a page at once in one transaction and returns ``{index: created}`` for the
    records it settled; ``store`` settles the others one by one.
    """
    from mpdash.orders.addresses import lookups_cached

    channel, adapter, flow = ctx.channel, ctx.adapter, ctx.spec.name
    floor_hours = getattr(adapter, "inbound_floor_hours", {}).get(flow, floor_hours)
    cursor, _ = InboundCursor.objects.get_or_create(channel=channel, flow=flow)
    now = timezone.now()
    sweep_due = cursor.last_sweep_at is None or cursor.last_sweep_at < now - SWEEP_EVERY
    floor_due = cursor.high_water is None or cursor.last_floor_at is None or cursor.last_floor_at < now - FLOOR_EVERY
    config = channel.plain_config()
    sweep_days = float(config.get("reconciliation_days") or DEFAULT_SWEEP_DAYS) if sweep_due and cursor.high_water else None
    spans = windows(
        cursor.high_water, now, floor_hours=floor_hours if floor_due else 0, max_hours=adapter.max_order_window_hours,
        not_before=_config_datetime(channel, start_key) if start_key else None, sweep_days=sweep_days,
    )
    counts = {"created": 0, "known": 0, "skipped": 0, "failed": 0, "retried": 0}
    with lookups_cached():  # place names and carriers: looked up once per run, not once per order
        for start, end in spans:
            token = None
            while True:
                ctx.lease.renew()
                page = _call(lambda: lister(start, end, token), f"listing {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} failed")
                for items in _prepared(list(page.items), prepare):
                    ctx.lease.renew()
                    _store_page(ctx, items, store, key_of, counts, store_many)
                if page.next_token is None:
                    break
                token = page.next_token
            # Every page of the window is stored: the cursor may move past it.
            InboundCursor.objects.filter(pk=cursor.pk).update(high_water=end)
        marks = {"last_sweep_at": now} if sweep_due else {}
        if floor_due:
            marks["last_floor_at"] = now
        if marks:
            InboundCursor.objects.filter(pk=cursor.pk).update(**marks)
        counts["retried"] = retry_held(ctx, store, key_of, counts)
    return (
        f"{counts['created']} new, {counts['known']} already stored, {counts['skipped']} skipped, "
        f"{counts['failed']} failed" + (f", {counts['retried']} stored on retry" if counts["retried"] else "")
        + (f"; read {len(spans)} window(s) from {spans[0][0]:%Y-%m-%d %H:%M}" if spans else "")
    )


def _prepared(items: list, prepare: Callable | None) -> Iterator[list]:
    """The page's records, ``prepare``-d (packages created...) :data:`PREPARE_CHUNK` at a time,
    the next chunk in a background thread while the caller stores the one before.

    ``prepare`` must not touch the database: it runs outside the caller's thread. When it
    fails, the chunks prepared before are stored already; the run stops (StopRun) there."""
    if prepare is None or not items:
        yield items
        return
    chunks = [items[i:i + PREPARE_CHUNK] for i in range(0, len(items), PREPARE_CHUNK)]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbound-prepare") as ahead:
        future = ahead.submit(prepare, chunks[0])
        for index in range(len(chunks)):
            ready = _call(future.result, "preparing packages failed")
            if index + 1 < len(chunks):
                future = ahead.submit(prepare, chunks[index + 1])
            yield ready


class _Tally:
    """A page's run counters and log lines, written once per page instead of once per record."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.bumps = {"selected": 0, "succeeded": 0, "failed": 0, "skipped": 0}
        self.lines: list = []

    def flush(self) -> None:
        runs.bump(self.ctx.run.pk, **self.bumps)
        if self.lines:
            runs.add_lines(self.ctx.run, self.lines)
        self.bumps = dict.fromkeys(self.bumps, 0)
        self.lines = []


def _store_page(ctx, items, store, key_of, counts, store_many: Callable | None = None) -> None:
    if not items:
        return
    keys = [str(key_of(record)) for record in items]
    held = set(InboundItem.objects.filter(channel=ctx.channel, flow=ctx.spec.name, key__in=keys).values_list("key", flat=True))
    settled: dict[int, bool] = {}
    if store_many is not None:
        try:
            settled = store_many(items)
        except Exception:  # noqa: BLE001 - the records are settled one by one below, with their own errors
            logger.exception("storing a page of %d records at once failed; storing them one by one", len(items))
            settled = {}
    tally = _Tally(ctx)
    try:
        for index, (record, key) in enumerate(zip(items, keys)):
            if index in settled:
                tally.bumps["selected"] += 1
                _settled(ctx, key, counts, tally, created=settled[index], was_held=key in held)
            else:
                _store_one(ctx, record, store, key, counts, tally, was_held=key in held)
    finally:
        tally.flush()


def _settled(ctx, key, counts, tally, *, created: bool, was_held: bool) -> None:
    """Count a record stored (or found stored) and release it if it was held."""
    if was_held:
        release(ctx.channel, ctx.spec.name, key)
    counts["created" if created else "known"] += 1
    tally.bumps["succeeded"] += 1
    if created:
        tally.lines.append((key, FlowLogLine.Outcome.SUCCESS, "stored", None))


def _store_one(ctx, record, store, key, counts, tally, *, was_held: bool = False) -> bool:
    tally.bumps["selected"] += 1
    try:
        with transaction.atomic():
            created = store(record)
    except Skip as why:
        counts["skipped"] += 1
        tally.bumps["skipped"] += 1
        tally.lines.append((key, FlowLogLine.Outcome.SKIPPED, str(why), None))
        return False
    except Exception as exc:  # noqa: BLE001 - any failure holds the record for a retry
        message = str(exc) if not isinstance(exc, (KeyError, AttributeError, TypeError)) else f"{exc.__class__.__name__}: {exc}"
        hold(ctx.channel, ctx.spec.name, key, record, message)
        counts["failed"] += 1
        tally.bumps["failed"] += 1
        tally.lines.append((key, FlowLogLine.Outcome.FAIL, message, None))
        return False
    _settled(ctx, key, counts, tally, created=created, was_held=was_held)
    return True


def penalty_kind(flow: str) -> str:
    return {"get_refund_orders": "refund"}.get(flow, "order")


def hold(channel, flow: str, key: str, record, message: str) -> None:
    """Keep a record that failed, under its penalty."""
    item, _ = InboundItem.objects.update_or_create(
        channel=channel, flow=flow, key=key,
        defaults={"payload": {"type": type(record).__name__, "data": to_payload(record)}, "error": message[:4000]},
    )
    kind = penalty_kind(flow)
    penalties.penalise(channel, kind, [(item.pk, key, message)])
    penalty = FailedIntegration.objects.get(channel=channel, kind=kind, object_id=item.pk)
    allowed = penalties.retry_allowed(
        penalty.retry_count, int(penalty.settings.get("MAX_RETRY_COUNT", 0)), penalty.expiration_date, timezone.now()
    )
    InboundItem.objects.filter(pk=item.pk).update(available_at=penalty.next_retry_at if allowed else None)


def release(channel, flow: str, key: str) -> None:
    for item in InboundItem.objects.filter(channel=channel, flow=flow, key=key):
        penalties.clear(channel, penalty_kind(flow), [item.pk])
        item.delete()


def retry_held(ctx, store, key_of, counts) -> int:
    from mpdash.marketplaces import base

    due = InboundItem.objects.filter(channel=ctx.channel, flow=ctx.spec.name, available_at__lte=timezone.now()).order_by("available_at")[:500]
    stored = 0
    for item in due:
        ctx.lease.renew()
        cls = getattr(base, item.payload.get("type", ""), None)
        if cls is None:
            continue
        record = from_payload(cls, item.payload["data"])
        before = counts["failed"]
        tally = _Tally(ctx)
        try:
            if _store_one(ctx, record, store, str(key_of(record)), counts, tally, was_held=True) and counts["failed"] == before:
                stored += 1
        finally:
            tally.flush()
    return stored
