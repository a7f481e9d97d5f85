"""Maintenance flows that read the marketplace's catalog: Category Node, Category
Attributes, Default Attributes, Compare Attributes and Brands.

Saving a channel whose ``category_ids`` changed queues Category Node, which queues
Category Attributes when it succeeds, which queues Default Attributes: the chain runs in
that order, each step a flow run with its own log, and requests arriving while a step
runs coalesce into it (the flow lease), so the chain never runs twice in parallel.
Re-fetches update rows in place; what the marketplace no longer lists is marked
inactive, never deleted, so mappings pointing at it show up as incomplete.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import (
    AttributeChange,
    RemoteAttribute,
    RemoteAttributeValue,
    RemoteBrand,
    RemoteCategory,
)
from mpdash.marketplaces.errors import Action, MarketplaceError

from . import runs
from .dispatch import request_flow
from .models import FlowLogLine, FlowRun
from .sync_flow import StopRun

CHAIN = {"category_node": "category_attributes", "category_attributes": "default_attributes"}


def _marketplace_call(call, what: str):
    try:
        return call()
    except MarketplaceError as exc:
        retry = getattr(exc, "retry_after", None) if exc.action is Action.RETRY_LATER else None
        raise StopRun(f"{what}: {exc}", failed=retry is None, retry_after=retry) from exc


def _queue_next(ctx) -> None:
    following = CHAIN.get(ctx.spec.name)
    if following and ctx.channel.adapter_class.flow(following):
        transaction.on_commit(lambda: request_flow(ctx.channel.pk, following, FlowRun.Trigger.SYSTEM, countdown=0))


def root_ids(channel) -> list[str]:
    raw = channel.plain_config().get("category_ids") or []
    if isinstance(raw, str):
        raw = [p for p in raw.replace(";", ",").split(",")]
    return [str(r).strip() for r in raw if str(r).strip()]


# --- Category Node ---------------------------------------------------------------------
def run_category_node(ctx) -> str:
    channel = ctx.channel
    roots = root_ids(channel)
    nodes = _marketplace_call(lambda: list(ctx.adapter.fetch_categories(roots)), "fetching the category tree failed")
    ctx.lease.renew()
    existing = {c.remote_id: c for c in RemoteCategory.objects.filter(channel=channel)}
    by_id = {n.remote_id: n for n in nodes}

    def path_of(node) -> str:
        names, seen, current = [], set(), node
        while current is not None and current.remote_id not in seen:
            seen.add(current.remote_id)
            names.append(current.name)
            current = by_id.get(current.parent_id) if current.parent_id else None
        return " > ".join(reversed(names))

    created, updated = [], []
    for node in nodes:
        values = {
            "name": node.name, "parent_remote_id": node.parent_id or "", "path": path_of(node),
            "is_leaf": node.is_leaf, "available": node.available, "is_active": True,
        }
        row = existing.get(node.remote_id)
        if row is None:
            created.append(RemoteCategory(channel=channel, remote_id=node.remote_id, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            updated.append(row)
    with transaction.atomic():
        RemoteCategory.objects.bulk_create(created, batch_size=1000)
        RemoteCategory.objects.bulk_update(
            updated, ["name", "parent_remote_id", "path", "is_leaf", "available", "is_active"], batch_size=1000
        )
        gone = RemoteCategory.objects.filter(channel=channel, is_active=True).exclude(remote_id__in=list(by_id))
        # Only nodes under the configured roots are fetched: nodes of roots dropped from
        # the config are gone from this channel's view too.
        vanished = list(gone.values_list("remote_id", "path"))
        gone.update(is_active=False)
        # Parent links by remote id, in one pass.
        ids = dict(RemoteCategory.objects.filter(channel=channel).values_list("remote_id", "pk"))
        relink = []
        for row in RemoteCategory.objects.filter(channel=channel, is_active=True).only("pk", "parent_id", "parent_remote_id"):
            parent = ids.get(row.parent_remote_id)
            if row.parent_id != parent:
                row.parent_id = parent
                relink.append(row)
        RemoteCategory.objects.bulk_update(relink, ["parent"], batch_size=1000)
    lines = [(rid, FlowLogLine.Outcome.INFO, f"no longer listed by the marketplace: {path}", None) for rid, path in vanished]
    affected = CategoryMapping.objects.filter(channel=channel, remote_category__is_active=False).count()
    if affected:
        lines.append(("", FlowLogLine.Outcome.FAIL, f"{affected} category mapping(s) point at categories no longer listed", None))
    runs.add_lines(ctx.run, lines)
    leaves = sum(1 for n in nodes if n.is_leaf)
    runs.bump(ctx.run.pk, selected=len(nodes), succeeded=len(created) + len(updated))
    _queue_next(ctx)
    return (
        f"{len(nodes)} categories under {', '.join(roots) or 'all roots'} ({leaves} leaves): "
        f"{len(created)} new, {len(updated)} changed, {len(vanished)} gone"
    )


# --- Category Attributes / Compare Attributes -------------------------------------------
def _leaves_in_use(channel, mapped_only: bool):
    mapped = set(CategoryMapping.objects.filter(channel=channel).values_list("remote_category_id", flat=True))
    leaves = RemoteCategory.objects.filter(channel=channel, is_leaf=True, is_active=True)
    if mapped_only:
        leaves = leaves.filter(pk__in=mapped)
    # Mapped leaves first: they are what products wait for.
    return sorted(leaves, key=lambda c: (c.pk not in mapped, c.path))


def store_attributes(channel, category: RemoteCategory, fetched, run=None) -> list[AttributeChange]:
    """Upsert one category's attributes and values; return what changed since last time."""
    first_fetch = category.attributes_fetched_at is None
    current = {a.remote_id: a for a in RemoteAttribute.objects.filter(channel=channel, category=category)}
    changes: list[AttributeChange] = []

    def change(attr_name: str, kind: str, detail: str):
        changes.append(AttributeChange(channel=channel, run=run, category=category, attribute_name=attr_name, change=kind, detail=detail))

    seen = set()
    for attr in fetched:
        seen.add(attr.remote_id)
        values = {
            "name": attr.name, "required": attr.required, "variant": attr.variant, "slicer": attr.slicer,
            "allow_custom": attr.allow_custom, "multi_value": attr.multi_value, "data_type": attr.data_type, "is_active": True,
        }
        row = current.get(attr.remote_id)
        if row is None:
            row = RemoteAttribute.objects.create(channel=channel, category=category, remote_id=attr.remote_id, **values)
            if not first_fetch:
                change(attr.name, AttributeChange.Change.ADDED, "required" if attr.required else "optional")
        else:
            if attr.required and not row.required and not first_fetch:
                change(attr.name, AttributeChange.Change.NEWLY_REQUIRED, "")
            if any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
        old_values = dict(RemoteAttributeValue.objects.filter(attribute=row).values_list("remote_id", "is_active"))
        new_ids = {v.remote_id for v in attr.values}
        fresh = [RemoteAttributeValue(attribute=row, remote_id=v.remote_id, name=v.name) for v in attr.values if v.remote_id not in old_values]
        RemoteAttributeValue.objects.bulk_create(fresh, batch_size=1000)
        for v in attr.values:  # names may change; reactivate values that came back
            if v.remote_id in old_values:
                RemoteAttributeValue.objects.filter(attribute=row, remote_id=v.remote_id).exclude(name=v.name, is_active=True).update(
                    name=v.name, is_active=True
                )
        removed = [rid for rid, active in old_values.items() if active and rid not in new_ids]
        if removed:
            RemoteAttributeValue.objects.filter(attribute=row, remote_id__in=removed).update(is_active=False)
            change(attr.name, AttributeChange.Change.VALUE_REMOVED, f"{len(removed)} value(s) gone: {', '.join(removed[:20])}")
    for rid, row in current.items():
        if rid not in seen and row.is_active:
            row.is_active = False
            row.save(update_fields=["is_active", "updated_at"])
            change(row.name, AttributeChange.Change.REMOVED, "")
    for c in changes:
        c.affected_mappings = _affected_mappings(channel, category, c)
    AttributeChange.objects.bulk_create(changes)
    RemoteCategory.objects.filter(pk=category.pk).update(attributes_fetched_at=timezone.now())
    return changes


def _affected_mappings(channel, category, change: AttributeChange) -> int:
    mapped_here = CategoryMapping.objects.filter(channel=channel, remote_category=category).count()
    if change.change in (AttributeChange.Change.NEWLY_REQUIRED, AttributeChange.Change.ADDED):
        has_source = AttributeMapping.objects.filter(channel=channel, attribute__iexact=change.attribute_name).exists()
        return 0 if has_source else mapped_here
    return AttributeMapping.objects.filter(channel=channel, attribute__iexact=change.attribute_name).count() or (
        mapped_here if change.change == AttributeChange.Change.REMOVED else 0
    )


def _run_attributes(ctx, *, mapped_only: bool) -> str:
    channel = ctx.channel
    leaves = _leaves_in_use(channel, mapped_only)
    if ctx.run.trigger == FlowRun.Trigger.SYSTEM:
        # A run re-queued after the marketplace's rate limit (or chained from Category
        # Node) goes on where the last one stopped: leaves fetched in the last hour stay.
        fresh_since = timezone.now() - timezone.timedelta(hours=1)
        leaves = [c for c in leaves if not (c.attributes_fetched_at and c.attributes_fetched_at > fresh_since)]
    # A leaf the marketplace keeps closed to new products has no attributes to read there
    # (a marketplace may answer 400 for one): it is left out, not counted as a failure.
    closed = [c for c in leaves if not c.available]
    leaves = [c for c in leaves if c.available]
    runs.bump(ctx.run.pk, selected=len(leaves))
    if closed:
        runs.add_lines(ctx.run, [(c.remote_id, FlowLogLine.Outcome.INFO,
                                  f"{c}: closed to new products on the marketplace; its attributes are not read", None)
                                 for c in closed])
    total_changes, failed = 0, 0
    for category in leaves:
        ctx.lease.renew()
        try:
            fetched = ctx.adapter.fetch_attributes(category.remote_id)
        except MarketplaceError as exc:
            if exc.action is Action.RETRY_LATER:  # a wait (the marketplace's rate limit), not a failure
                raise StopRun(f"paused before the attributes of {category}, to go on when the marketplace allows: {exc}",
                              failed=False, retry_after=getattr(exc, "retry_after", None)) from exc
            if exc.action is not Action.PENALISE:
                raise StopRun(f"fetching attributes of {category} failed: {exc}", failed=exc.action is Action.FAIL_RUN) from exc
            failed += 1
            runs.add_lines(ctx.run, [(category.remote_id, FlowLogLine.Outcome.FAIL, f"{category}: {exc}", None)])
            runs.bump(ctx.run.pk, failed=1)
            continue
        with transaction.atomic():
            changes = store_attributes(channel, category, fetched, ctx.run)
        total_changes += len(changes)
        required = sum(1 for a in fetched if a.required)
        lines = [(category.remote_id, FlowLogLine.Outcome.SUCCESS, f"{category}: {len(fetched)} attributes, {required} required", None)]
        lines += [
            (category.remote_id, FlowLogLine.Outcome.INFO,
             f"{category}: `{c.attribute_name}` {c.get_change_display()}" + (f" ({c.detail})" if c.detail else "")
             + (f"; {c.affected_mappings} mapping(s) now incomplete" if c.affected_mappings else ""), None)
            for c in changes
        ]
        runs.add_lines(ctx.run, lines)
        runs.bump(ctx.run.pk, succeeded=1)
    if not failed:
        _queue_next(ctx)
    skipped = f"; {len(closed)} closed to new products left out" if closed else ""
    return f"{len(leaves) - failed} of {len(leaves)} categories fetched; {total_changes} change(s) since the last fetch{skipped}"


def run_category_attributes(ctx) -> str:
    return _run_attributes(ctx, mapped_only=False)


def run_compare_attributes(ctx) -> str:
    return _run_attributes(ctx, mapped_only=True)


# --- Default Attributes -----------------------------------------------------------------
def run_default_attributes(ctx) -> str:
    channel = ctx.channel
    declared = ctx.adapter.default_attributes()
    keys = []
    with transaction.atomic():
        for d in declared:
            keys.append(d.key)
            RemoteAttribute.objects.update_or_create(
                channel=channel, category=None, remote_id=d.key,
                defaults={"name": d.label, "required": d.required, "data_type": d.data_type, "source": d.source,
                          "is_default": True, "is_active": True, "allow_custom": True},
            )
        RemoteAttribute.objects.filter(channel=channel, category__isnull=True).exclude(remote_id__in=keys).update(is_active=False)
    runs.add_lines(ctx.run, [(d.key, FlowLogLine.Outcome.SUCCESS, f"{d.label}" + (f" ← {d.source}" if d.source else " (map it)"), None) for d in declared])
    runs.bump(ctx.run.pk, selected=len(declared), succeeded=len(declared))
    return f"{len(declared)} default attributes ready for mapping"


# --- Brands ------------------------------------------------------------------------------
def run_brands(ctx) -> str:
    channel = ctx.channel
    brands = _marketplace_call(lambda: ctx.adapter.fetch_brands(None), "fetching brands failed")
    existing = dict(RemoteBrand.objects.filter(channel=channel).values_list("remote_id", "name"))
    fresh = [RemoteBrand(channel=channel, remote_id=b.remote_id, name=b.name) for b in brands if b.remote_id not in existing]
    renamed = [b for b in brands if b.remote_id in existing and existing[b.remote_id] != b.name]
    with transaction.atomic():
        RemoteBrand.objects.bulk_create(fresh, batch_size=1000)
        for b in renamed:
            RemoteBrand.objects.filter(channel=channel, remote_id=b.remote_id).update(name=b.name)
    runs.bump(ctx.run.pk, selected=len(brands), succeeded=len(fresh) + len(renamed))
    return f"{len(brands)} brands: {len(fresh)} new, {len(renamed)} renamed"
