"""The channel list, and the placeholders of the screens still to come."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from mpdash.channels.models import SalesChannel
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowRun, PendingChange

from ..pages import COMING_SOON, channel_for, render_channel
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


@role_required(VIEWER)
def coming_soon(request, slug: str, section: str = "dashboard"):
    if section not in COMING_SOON:
        raise Http404(section)
    channel = channel_for(slug)
    figures = {name: counts.get(channel.pk, 0) for name, counts in queue_figures([channel.pk]).items()}
    return render_channel(
        request, channel, "dashboard/coming_soon.html", section, {"what": COMING_SOON[section], "figures": figures}
    )
