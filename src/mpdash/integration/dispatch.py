"""Starting flows: debounced requests, the run loop under a lease, coalescing."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import runs
from .flows import RUNNERS, RunContext, StopRun, supported
from .leases import Lease, LeaseLost, flow_state
from .models import BatchRequest, FlowRun, FlowState, PendingChange

logger = logging.getLogger("mpdash.integration.dispatch")

LOST_DISPATCH_SECONDS = 60


class FlowNotAvailable(Exception):
    """The flow cannot run on this channel (unknown, not built yet, flag off, channel inactive)."""


def check_runnable(channel, flow: str) -> None:
    spec = channel.adapter_class.flow(flow)
    if spec is None:
        known = ", ".join(f.name for f in channel.adapter_class.flows)
        raise FlowNotAvailable(f"{channel.adapter_class.label} has no flow {flow!r}; its flows are: {known}")
    if flow not in RUNNERS or not supported(channel.adapter_class, flow):
        raise FlowNotAvailable(f"the {flow} flow is not available for {channel.adapter_class.label} in this version of mpdash yet")
    # Reading the marketplace's catalog (categories, attributes) is how a channel is set
    # up, so those flows run before it is activated; everything else needs it active.
    if not channel.is_active and spec.direction != "maintenance":
        raise FlowNotAvailable(f"channel {channel.slug} is inactive; activate it first")
    if spec.flag and not channel.flag_on(spec.flag):
        raise FlowNotAvailable(f"the {spec.flag} feature flag of channel {channel.slug} is off")


def request_flow(channel_id: int, flow: str, trigger: str = FlowRun.Trigger.EVENT, countdown: float | None = None) -> bool:
    """Queue a run unless one is already queued; returns True when a task was queued.

    Many changes in a short time queue one run, which starts after the debounce delay
    and carries all of them.
    """
    state = flow_state(channel_id, flow)
    now = timezone.now()
    queued = FlowState.objects.filter(pk=state.pk).filter(
        Q(dispatch_requested_at__isnull=True) | Q(dispatch_requested_at__lt=now - timedelta(seconds=LOST_DISPATCH_SECONDS))
    ).update(dispatch_requested_at=now)
    if not queued:
        return False
    delay = settings.MPDASH_CHANGE_DEBOUNCE_SECONDS if countdown is None else countdown
    kwargs = {"channel_id": channel_id, "flow": flow, "trigger": trigger}
    transaction.on_commit(lambda: run_flow.apply_async(kwargs=kwargs, countdown=delay))
    return True


@shared_task(name="mpdash.run_flow", ignore_result=True)
def run_flow(channel_id: int, flow: str, trigger: str = "schedule") -> list[int]:
    # Clear the dispatch marker first: a change arriving from now on queues a new run.
    FlowState.objects.filter(channel_id=channel_id, flow=flow).update(dispatch_requested_at=None)
    # Runs queued by changes (event) or by the engine itself (system) gather batches that are
    # not full; manual and scheduled runs send what is ready at once.
    return execute(channel_id, flow, trigger, gather=trigger in ("event", "system"))


def execute(channel_id: int, flow: str, trigger: str = FlowRun.Trigger.SCHEDULE, *, gather: bool = False) -> list[int]:
    """Run a flow under its lease, as many times as requests arrived meanwhile.

    ``gather``: the run was queued by a change or by the engine (the run_flow task with an
    event or system trigger); a batch that is not full waits until its changes are due
    instead of going at once (see sync_flow).

    Returns the ids of the runs made (empty when the flow was skipped or coalesced into
    a run already going on elsewhere).
    """
    from mpdash.channels.models import SalesChannel

    channel = SalesChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        return []
    try:
        check_runnable(channel, flow)
    except FlowNotAvailable as exc:
        logger.info("skipping %s on channel %s: %s", flow, channel_id, exc)
        return []
    lease = Lease(channel_id, flow)
    if not lease.acquire_or_request_rerun():
        return []  # coalesced into the run that holds the lease
    made: list[int] = []
    try:
        while True:
            channel.refresh_from_db()
            made.append(_run_once(channel, flow, trigger, lease, gather))
            if lease.release():
                break
            trigger = FlowRun.Trigger.EVENT
    except LeaseLost:
        logger.warning("lost the lease on %s of channel %s; the other worker carries on", flow, channel_id)
    except BaseException:
        lease.force_release()
        raise
    return made


def _run_once(channel, flow: str, trigger: str, lease: Lease, gather: bool = False) -> int:
    spec = channel.adapter_class.flow(flow)
    run = runs.start_run(channel, flow, trigger, worker=lease.token)
    adapter = None
    message, failed, retry_after = "", False, None
    try:
        adapter = channel.adapter()
        message = RUNNERS[flow](RunContext(channel, adapter, spec, run, lease, gather=gather)) or ""
    except StopRun as stop:
        message, failed, retry_after = stop.message, stop.failed, stop.retry_after
    except LeaseLost:
        message, failed = "stopped: another worker took over this flow", True
        raise
    except Exception as exc:  # a bug or an unexpected state: the run fails, the records stay pending
        logger.exception("flow %s of channel %s failed", flow, channel.pk)
        message, failed = f"{exc.__class__.__name__}: {exc}", True
    finally:
        if adapter is not None:
            adapter.close()
        _release_unsent(run)
        FlowRun.objects.filter(pk=run.pk, phase="sending").update(phase="awaiting", message=message[:4000])
        runs.finish_if_complete(run.pk, message=message, failed=failed, cut_short=retry_after is not None)
    if retry_after is None:
        _forget_if_empty(run.pk, trigger, failed)
    if retry_after is not None:
        # Rate limited: come back when the budget allows; nothing was penalised. Queued past
        # the dispatch marker, so a batch finishing sooner still queues a run at once.
        kwargs = {"channel_id": channel.pk, "flow": flow, "trigger": FlowRun.Trigger.SYSTEM}
        transaction.on_commit(lambda: run_flow.apply_async(kwargs=kwargs, countdown=max(retry_after, 0.2)))
    return run.pk


def _forget_if_empty(run_id: int, trigger: str, failed: bool) -> None:
    """A run started by a change that found nothing to do (another run already carried
    the change) is not worth a row in the log; scheduled and manual runs always are."""
    if failed or trigger not in (FlowRun.Trigger.EVENT, FlowRun.Trigger.SYSTEM):
        return
    FlowRun.objects.filter(
        pk=run_id, selected=0, sent=0, failed=0, skipped=0, status=FlowRun.Status.SUCCESS, lines__isnull=True, batches__isnull=True
    ).delete()


def _release_unsent(run: FlowRun) -> None:
    """A batch still 'initialized' when its run ends was never sent: free its records."""
    for batch in BatchRequest.objects.filter(run=run, status=BatchRequest.Status.INITIALIZED):
        with transaction.atomic():
            BatchRequest.objects.filter(pk=batch.pk).update(status=BatchRequest.Status.FAIL, error="not sent: the run stopped first")
            PendingChange.objects.filter(batch=batch).update(batch=None)


def notify_list_changed(kind: str, list_id: int, changed: int | None = None) -> None:
    """Queue the flows of every active channel fed by a changed price or stock list.

    ``changed``: how many rows the writer changed, when it knows. A full batch's worth goes
    out at once; fewer wait for the debounce, in case more follow."""
    from mpdash.channels.models import SalesChannel

    column = {"productstock": "stock_list_id", "productprice": "price_list_id"}[kind]
    for channel in SalesChannel.objects.filter(is_active=True, **{column: list_id}):
        for spec in channel.adapter_class.flows:
            if spec.kind == kind and channel.flow_enabled(spec.name) and spec.name in RUNNERS:
                full = changed is not None and changed >= channel.adapter_class.batch_size(kind)
                request_flow(channel.pk, spec.name, FlowRun.Trigger.EVENT, countdown=0 if full else None)
