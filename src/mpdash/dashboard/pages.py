"""What every channel page shares: finding the channel and rendering inside its frame."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render

from mpdash.channels.models import SalesChannel

# The channel navigation: (section, label, url name).
NAV = (
    ("dashboard", "Dashboard", "dashboard:channel"),
    ("logs", "Logs", "dashboard:logs"),
    ("reports", "Reports", "dashboard:reports"),
    ("alarms", "Alarms", "dashboard:alarms"),
    ("trigger", "Trigger", "dashboard:trigger"),
    ("refunds", "Refunds", "dashboard:refunds"),
    ("mapping", "Categories & Mapping", "dashboard:mapping"),
    ("settings", "Settings", "dashboard:settings"),
)


def channel_for(slug: str) -> SalesChannel:
    return get_object_or_404(SalesChannel.objects.select_related("catalog", "price_list", "stock_list"), slug=slug)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_channel(request, channel: SalesChannel, template: str, section: str, context: dict | None = None, **kwargs):
    ctx = {"channel": channel, "section": section, "nav": NAV}
    ctx.update(context or {})
    return render(request, template, ctx, **kwargs)
