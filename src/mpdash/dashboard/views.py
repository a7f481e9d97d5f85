"""A first screen: channels at a glance and the latest flow runs (operator screens grow here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from mpdash.channels.models import SalesChannel
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowRun, PendingChange


@login_required
def home(request):
    channels = list(SalesChannel.objects.all())
    rows = []
    for ch in channels:
        rows.append(
            {
                "channel": ch,
                "pending": PendingChange.objects.filter(channel=ch).count(),
                "penalised": FailedIntegration.objects.filter(channel=ch).count(),
                "open_batches": BatchRequest.objects.filter(channel=ch, status__in=BatchRequest.OPEN_STATUSES).count(),
            }
        )
    runs = FlowRun.objects.select_related("channel")[:30]
    return render(request, "dashboard/home.html", {"rows": rows, "runs": runs})


def health(request):
    """Liveness and database reachability, for load balancers and the demo supervisor."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        db = "ok"
    except Exception as exc:  # pragma: no cover - reported, not raised
        db = f"error: {exc.__class__.__name__}"
    status = 200 if db == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded", "database": db}, status=status)
