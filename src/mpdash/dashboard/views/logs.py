"""Monitoring / Logs: flow runs newest first with filters, and one run with its counts,
batch requests and per-record lines (the marketplace's answers pretty-printed)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mpdash.api.views import FlowRunFilter
from mpdash.integration.models import FlowLogLine, FlowRun

from ..pages import channel_for, render_channel
from ..paging import newest_first, oldest_first
from ..roles import VIEWER, role_required

RUNS_PER_PAGE = 50
LINES_PER_PAGE = 100


class RunFilterForm(forms.Form):
    flow = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "any status"), *FlowRun.Status.choices])
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    key = forms.CharField(required=False, max_length=128, label="SKU / order number", strip=True)

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].choices = [("", "any flow")] + [(f.name, f.label) for f in channel.adapter_class.flows]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("the From date is after the To date")
        return data

    def filter_data(self) -> dict[str, str]:
        """The same filters the REST API's flow-runs endpoint takes."""
        data = self.cleaned_data
        out = {"flow": data.get("flow") or "", "status": data.get("status") or "", "sku": data.get("key") or ""}
        if data.get("date_from"):
            out["started_at__gte"] = _day_start(data["date_from"]).isoformat()
        if data.get("date_to"):
            out["started_at__lte"] = (_day_start(data["date_to"] + timedelta(days=1)) - timedelta(microseconds=1)).isoformat()
        return {k: v for k, v in out.items() if v}


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@role_required(VIEWER)
def run_list(request, slug: str):
    channel = channel_for(slug)
    form = RunFilterForm(request.GET or None, channel=channel)
    runs = FlowRun.objects.filter(channel=channel)
    if form.is_bound and form.is_valid():
        runs = FlowRunFilter(form.filter_data(), queryset=runs).qs
    elif form.is_bound:
        runs = runs.none()
    page = newest_first(runs, before=request.GET.get("before"), after=request.GET.get("after"), size=RUNS_PER_PAGE)
    labels = {f.name: f.label for f in channel.adapter_class.flows}
    return render_channel(
        request, channel, "dashboard/logs.html", "logs", {"form": form, "page": page, "labels": labels}
    )


def _run_or_404(channel, run_id: int) -> FlowRun:
    return get_object_or_404(FlowRun, pk=run_id, channel=channel)


def _summary_context(channel, run: FlowRun) -> dict:
    outcomes = dict(FlowLogLine.objects.filter(run=run).values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    spec = channel.adapter_class.flow(run.flow)
    return {"channel": channel, "run": run, "outcomes": outcomes, "flow_label": spec.label if spec else run.flow}


@role_required(VIEWER)
def run_detail(request, slug: str, run_id: int):
    channel = channel_for(slug)
    run = _run_or_404(channel, run_id)
    outcome = request.GET.get("outcome", "")
    key = request.GET.get("key", "").strip()
    lines = FlowLogLine.objects.filter(run=run)
    if outcome in FlowLogLine.Outcome.values:
        lines = lines.filter(outcome=outcome)
    if key:
        lines = lines.filter(object_key=key)
    rows, next_after = oldest_first(lines, after=request.GET.get("after"), size=LINES_PER_PAGE)
    context = {
        **_summary_context(channel, run),
        "batches": list(run.batches.order_by("id")),
        "lines": rows,
        "next_after": next_after,
        "outcome": outcome,
        "key": key,
        "outcome_choices": FlowLogLine.Outcome.values,
    }
    return render_channel(request, channel, "dashboard/run_detail.html", "logs", context)


@role_required(VIEWER)
def run_summary(request, slug: str, run_id: int):
    """The run's status and counts; polls itself (htmx) until the run has finished."""
    channel = channel_for(slug)
    return render(request, "dashboard/partials/run_summary.html", _summary_context(channel, _run_or_404(channel, run_id)))
