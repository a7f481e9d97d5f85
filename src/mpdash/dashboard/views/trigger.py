"""Trigger: run any runnable flow of the channel now and watch the run live; CSV uploads
that push products, lift penalties or bump product versions, with a result per row."""

from __future__ import annotations

import time

from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mpdash.integration.dispatch import FlowNotAvailable, check_runnable, request_flow
from mpdash.integration.flows import runnable
from mpdash.integration.models import CsvJob, FlowRun

from .. import csv_actions
from ..csv_download import csv_response
from ..pages import channel_for, is_htmx, render_channel
from ..roles import OPERATOR, VIEWER, role_required

NO_RUN_HINT_SECONDS = 20


def _flows(channel) -> tuple[list[dict], list]:
    """``(flows the engine runs, with why one cannot run now; flows not available yet)``."""
    last_ids = dict(
        FlowRun.objects.filter(channel=channel).values("flow").annotate(last=Max("id")).values_list("flow", "last")
    )
    last_runs = FlowRun.objects.in_bulk(list(last_ids.values()))
    rows, later = [], []
    for spec in channel.adapter_class.flows:
        if not runnable(spec.name):
            later.append(spec)
            continue
        try:
            check_runnable(channel, spec.name)
            reason = ""
        except FlowNotAvailable as exc:
            reason = str(exc)
        rows.append({"spec": spec, "reason": reason, "last_run": last_runs.get(last_ids.get(spec.name))})
    return rows, later


def _page(request, channel, **context):
    status = context.pop("status", 200)
    flows, later = _flows(channel)
    return render_channel(
        request, channel, "dashboard/trigger.html", "trigger",
        {"flows": flows, "later": later, "actions": csv_actions.ACTIONS, **context}, status=status,
    )


@role_required(VIEWER)
def trigger_page(request, slug: str):
    channel = channel_for(slug)
    watch = None
    if request.GET.get("watch"):
        watch = {"flow": request.GET["watch"], "after": request.GET.get("after", "0"), "since": request.GET.get("since", "")}
    job = None
    if (request.GET.get("job") or "").isdigit():
        job = CsvJob.objects.filter(channel=channel, pk=int(request.GET["job"])).first()
    return _page(request, channel, watch=watch, job=job)


@role_required(VIEWER)
def csv_job(request, slug: str, job_id: int):
    """A background CSV job's progress; the fragment polls itself until the job has ended."""
    channel = channel_for(slug)
    job = get_object_or_404(CsvJob, channel=channel, pk=job_id)
    return render(request, "dashboard/partials/csv_job.html", {"channel": channel, "job": job, "actions": csv_actions.ACTIONS})


@role_required(VIEWER)
def csv_job_results(request, slug: str, job_id: int):
    """Every row's result of a background CSV job, as CSV."""
    channel = channel_for(slug)
    job = get_object_or_404(CsvJob, channel=channel, pk=job_id)
    rows = ([line, sku, "ok" if ok else "error", message] for line, sku, ok, message in csv_actions.job_results(job))
    return csv_response(["line", "sku", "result", "message"], rows, f"{channel.slug}-csv-job-{job.pk}-results.csv")


@require_POST
@role_required(OPERATOR)
def run_now(request, slug: str, flow: str):
    channel = channel_for(slug)
    try:
        check_runnable(channel, flow)
    except FlowNotAvailable as exc:
        if is_htmx(request):
            return render(request, "dashboard/partials/flow_watch.html", {"channel": channel, "flow": flow, "error": str(exc)})
        return _page(request, channel, run_error={"flow": flow, "message": str(exc)}, status=409)
    after = FlowRun.objects.filter(channel=channel, flow=flow).aggregate(last=Max("id"))["last"] or 0
    queued = request_flow(channel.pk, flow, FlowRun.Trigger.MANUAL, countdown=0)
    since = int(time.time())
    if is_htmx(request):
        return _watch(request, channel, flow, after, since, queued=queued)
    return redirect(reverse("dashboard:trigger", kwargs={"slug": slug}) + f"?watch={flow}&after={after}&since={since}")


def _watch(request, channel, flow: str, after: int, since: int, *, queued: bool = True):
    run = FlowRun.objects.filter(channel=channel, flow=flow, id__gt=after).order_by("id").first()
    waited = max(0, int(time.time()) - since) if since else 0
    return render(
        request, "dashboard/partials/flow_watch.html",
        {
            "channel": channel, "flow": flow, "after": after, "since": since, "run": run, "queued": queued,
            "slow_start": run is None and waited >= NO_RUN_HINT_SECONDS,
        },
    )


@role_required(VIEWER)
def watch(request, slug: str, flow: str):
    """The first run of ``flow`` after ``after``; the fragment polls itself until it has finished."""
    channel = channel_for(slug)
    try:
        after, since = int(request.GET.get("after", 0)), int(request.GET.get("since", 0) or 0)
    except ValueError:
        after, since = 0, 0
    return _watch(request, channel, flow, after, since)


@require_POST
@role_required(OPERATOR)
def upload_csv(request, slug: str):
    channel = channel_for(slug)
    action = request.POST.get("action", "")
    try:
        results = csv_actions.run(channel, action, request.FILES.get("file"), user=request.user.get_username())
    except csv_actions.CsvProblem as exc:
        return _page(request, channel, csv_error=str(exc), csv_action=action, status=400)
    if isinstance(results, CsvJob):  # a large file: worked through in the background
        return redirect(reverse("dashboard:trigger", kwargs={"slug": slug}) + f"?job={results.pk}#csv")
    return _page(
        request, channel, csv_action=action, csv_results=results,
        csv_ok=sum(r.ok for r in results), csv_failed=sum(not r.ok for r in results),
    )
