"""The penalty queue ("failed integrations").

A record that fails is held back until its penalty allows another try:
``retry_count < MAX_RETRY_COUNT and (expiration_date is None or now < expiration_date)``,
and not before ``RETRY_INTERVAL`` seconds after the last failure. Penalties hold records
back by moving their pending row's ``available_at``; the selection of records to send
only looks at rows that are available now, so a queue full of failing records never
delays a healthy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from django.db import transaction
from django.utils import timezone

from mpdash import sql_keys

from .models import FailedIntegration, PendingChange


def retry_allowed(retry_count: int, max_retry_count: int, expiration_date: datetime | None, now: datetime) -> bool:
    return retry_count < max_retry_count and (expiration_date is None or now < expiration_date)


@dataclass(frozen=True)
class PenaltyState:
    retry_count: int
    settings: dict[str, Any]
    first_failed_at: datetime
    next_retry_at: datetime | None
    expiration_date: datetime | None

    @property
    def available_at(self) -> datetime | None:
        """When the record may be sent again; None when it is held until lifted."""
        if self.next_retry_at is None:
            return None
        max_retry = int(self.settings.get("MAX_RETRY_COUNT", 0))
        if not retry_allowed(self.retry_count, max_retry, self.expiration_date, self.next_retry_at):
            return None
        return self.next_retry_at


def after_failure(settings: dict[str, Any], now: datetime, previous: PenaltyState | None = None) -> PenaltyState:
    """The penalty after one more failure. A new penalty snapshots ``settings``; an
    existing one keeps the settings it was created with."""
    if previous is None:
        snap = {k: settings.get(k) for k in ("RETRY_INTERVAL", "EXPIRATION_DATE", "MAX_RETRY_COUNT")}
        exp = snap.get("EXPIRATION_DATE")
        expiration = now + timedelta(seconds=int(exp)) if exp is not None else None
        return PenaltyState(1, snap, now, now + timedelta(seconds=int(snap.get("RETRY_INTERVAL") or 0)), expiration)
    snap = previous.settings
    return PenaltyState(
        previous.retry_count + 1,
        snap,
        previous.first_failed_at,
        now + timedelta(seconds=int(snap.get("RETRY_INTERVAL") or 0)),
        previous.expiration_date,
    )


def penalise(channel, kind: str, failures: Iterable[tuple[int, str, str]], now: datetime | None = None) -> int:
    """Record failures of ``(object_id, object_key, message)`` and hold their pending rows.

    Returns the number of records penalised.
    """
    now = now or timezone.now()
    failures = list(failures)
    if not failures:
        return 0
    settings = channel.penalty_settings(kind)
    ids = [f[0] for f in failures]
    with transaction.atomic():
        existing = {
            p.object_id: p for p in FailedIntegration.objects.filter(channel=channel, kind=kind, object_id__in=ids)
        }
        to_create, to_update, availability = [], [], {}
        for object_id, object_key, message in failures:
            row = existing.get(object_id)
            previous = (
                PenaltyState(row.retry_count, row.settings, row.first_failed_at, row.next_retry_at, row.expiration_date)
                if row
                else None
            )
            state = after_failure(settings, now, previous)
            availability[object_id] = state.available_at
            if row is None:
                to_create.append(
                    FailedIntegration(
                        channel=channel,
                        kind=kind,
                        object_id=object_id,
                        object_key=object_key,
                        retry_count=state.retry_count,
                        settings=state.settings,
                        first_failed_at=now,
                        last_failed_at=now,
                        next_retry_at=state.next_retry_at,
                        expiration_date=state.expiration_date,
                        last_error=message[:2000],
                    )
                )
            else:
                row.retry_count = state.retry_count
                row.last_failed_at = now
                row.next_retry_at = state.next_retry_at
                row.last_error = message[:2000]
                to_update.append(row)
        FailedIntegration.objects.bulk_create(to_create, batch_size=500)
        FailedIntegration.objects.bulk_update(to_update, ["retry_count", "last_failed_at", "next_retry_at", "last_error"], batch_size=500)
        # Group the pending rows by their new availability: one UPDATE per distinct time.
        by_time: dict[datetime | None, list[int]] = {}
        for object_id, when in availability.items():
            by_time.setdefault(when, []).append(object_id)
        for when, object_ids in by_time.items():
            for chunk in chunks(object_ids, 500):
                PendingChange.objects.filter(channel=channel, kind=kind, product_id__in=chunk).update(
                    available_at=when, batch=None
                )
    return len(failures)


def clear(channel, kind: str, object_ids: Iterable[int]) -> None:
    """Forget the penalties of records that went through."""
    for chunk in sql_keys.chunks(object_ids):  # the keys as one parameter (a batch is thousands)
        sql_keys.among(FailedIntegration.objects.filter(channel=channel, kind=kind), "object_id", chunk).delete()


def lift(channel, skus: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> int:
    """Lift penalties (all, or those of ``skus``) and make their records available now."""
    qs = FailedIntegration.objects.filter(channel=channel)
    if skus is not None:
        qs = qs.filter(object_key__in=list(skus))
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    now = timezone.now()
    with transaction.atomic():
        rows = list(qs.values_list("kind", "object_id"))
        by_kind: dict[str, list[int]] = {}
        for kind, object_id in rows:
            by_kind.setdefault(kind, []).append(object_id)
        for kind, ids in by_kind.items():
            for chunk in chunks(ids, 500):
                if kind in INBOUND_KINDS:
                    from .models import InboundItem

                    InboundItem.objects.filter(channel=channel, pk__in=chunk).update(available_at=now)
                    continue
                PendingChange.objects.filter(channel=channel, kind=kind, product_id__in=chunk, batch__isnull=True).update(
                    available_at=now
                )
        qs.delete()
    return len(rows)


# Penalty kinds of records read from marketplaces: their object id is an InboundItem's.
INBOUND_KINDS = ("order", "refund")


def chunks(items: list, size: int):
    """Split ``items`` into lists of at most ``size`` (keeps IN (...) clauses bounded)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
