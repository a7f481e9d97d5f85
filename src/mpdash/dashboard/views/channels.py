"""The channel list, with each channel's queues and last run."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render

from mpdash.channels.models import SalesChannel
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowRun, PendingChange

from ..roles import VIEWER, role_required


def _count_by_channel(queryset) -> dict[int, int]:
    return dict(queryset.values("channel_id").annotate(n=Count("id")).values_list("channel_id", "n"))


def queue_figures(channel_ids) -> dict[str, dict[int, int]]:
    """Records waiting, penalised, and requests awaiting the marketplace, per channel."""
    return {
        "pending": _count_by_channel(PendingChange.objects.filter(channel_id__in=channel_ids)),
        "penalised": _count_by_channel(FailedIntegration.objects.filter(channel_id__in=channel_ids)),
        "open_batches": _count_by_channel(
            BatchRequest.objects.filter(channel_id__in=channel_ids, status__in=BatchRequest.OPEN_STATUSES)
        ),
    }


@role_required(VIEWER)
def channel_list(request):
    channels = list(SalesChannel.objects.order_by("name", "id"))
    figures = queue_figures([c.pk for c in channels])
    rows = [
        {
            "channel": c,
            **{name: counts.get(c.pk, 0) for name, counts in figures.items()},
            "last_run": FlowRun.objects.filter(channel=c).order_by("-id").first(),
        }
        for c in channels
    ]
    return render(request, "dashboard/channel_list.html", {"rows": rows})
