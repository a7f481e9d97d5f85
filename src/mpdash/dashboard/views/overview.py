"""The channel Dashboard (the reconciliation's figures) and Reports (the SKUs behind them)."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from mpdash.integration.models import FlowRun, Reconciliation, ReconciliationLine
from mpdash.orders.models import Order

from ..csv_download import csv_response
from ..pages import channel_for, render_channel
from ..roles import VIEWER, role_required
from .channels import queue_figures

# (figure, label, definition, report kind the figure links to)
FIGURES = (
    ("total_skus", "SKUs in the catalog", "Active simple products in this channel's catalog.", None),
    ("on_sale", "SKUs on sale", "Of those, how many the marketplace lists as on sale.", None),
    ("sku_difference", "SKU difference", "Sellable here (price and stock) but not on sale there; see the reasons.",
     "not_on_sale"),
    ("price_difference", "Price differences", "On the marketplace at another price than the price list's.", "price"),
    ("price_corrected", "Prices corrected", "Price differences queued to be sent again.", "price"),
    ("total_stock", "Stock in the catalog", "Units in the stock list for the catalog's products.", None),
    ("total_stock_on_sale", "Stock on sale", "Units the marketplace shows for them.", None),
    ("stock_difference", "Stock difference", "Stock in the catalog minus stock on sale.", "stock"),
    ("stock_difference_skus", "SKUs with a stock difference",
     "SKUs the marketplace shows with another stock than we send (after the buffer stock).", "stock"),
    ("stock_corrected", "Stock corrected", "Stock differences queued to be sent again.", "stock"),
)


def _per_day(queryset, field: str, days: int = 7) -> list[dict]:
    """Counts per day over the last ``days`` days."""
    since = timezone.now() - timedelta(days=days - 1)
    since = since.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = dict(queryset.filter(**{f"{field}__gte": since}).annotate(day=TruncDate(field)).values("day")
                  .annotate(n=Count("id")).values_list("day", "n"))
    rows = []
    for i in range(days):
        day = (since + timedelta(days=i)).date()
        rows.append({"day": day, "n": counts.get(day, 0)})
    return rows


@role_required(VIEWER)
def dashboard(request, slug: str):
    channel = channel_for(slug)
    latest = Reconciliation.objects.filter(channel=channel).select_related("run").first()
    figures = [
        {"key": key, "label": label, "help": help_text, "kind": kind,
         "value": (latest.figures.get(key) if latest else None)}
        for key, label, help_text, kind in FIGURES
    ]
    queues = {name: counts.get(channel.pk, 0) for name, counts in queue_figures([channel.pk]).items()}
    runs = FlowRun.objects.filter(channel=channel)
    trends = []
    for i, (title, rows) in enumerate((
        ("Flow runs per day", _per_day(runs, "created_at")),
        ("Failed runs per day", _per_day(runs.filter(status=FlowRun.Status.FAIL), "created_at")),
        ("Orders per day", _per_day(Order.objects.filter(channel=channel), "created_at")),
    ), start=1):
        series = [[r["day"].strftime("%a %d %b"), r["n"]] for r in rows]
        trends.append({"title": title, "rows": rows, "series": series, "script_id": f"trend-data-{i}"})
    return render_channel(request, channel, "dashboard/overview.html", "dashboard",
                          {"latest": latest, "figures": figures, "queues": queues, "trends": trends})


REPORT_KINDS = (
    ("not_on_sale", "Not on sale", "Products in the catalog the marketplace does not sell, with the reason."),
    ("price", "Price differences", "Marketplace price against the price list; queued to be sent again."),
    ("stock", "Stock differences", "Marketplace stock against what we send; queued to be sent again."),
)


def _lines(latest, kind: str, sku: str):
    if latest is None:
        return ReconciliationLine.objects.none()
    lines = latest.lines.filter(kind=kind)
    if sku:
        lines = lines.filter(sku__icontains=sku)
    return lines.order_by("sku", "id")


@role_required(VIEWER)
def reports(request, slug: str):
    channel = channel_for(slug)
    kind = request.GET.get("kind") or "not_on_sale"
    if kind not in {k for k, _, _ in REPORT_KINDS}:
        kind = "not_on_sale"
    sku = (request.GET.get("sku") or "").strip()
    latest = Reconciliation.objects.filter(channel=channel).first()
    lines = _lines(latest, kind, sku)
    if request.GET.get("format") == "csv":
        rows = ([l.sku, l.kind, l.local_value, l.remote_value, l.reason, "yes" if l.corrected else "no"]
                for l in lines.iterator(chunk_size=2000))
        return csv_response(["sku", "kind", "ours", "marketplace", "reason", "queued_again"], rows,
                            f"{channel.slug}-{kind}.csv")
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    counts = dict(latest.lines.values("kind").annotate(n=Count("id")).values_list("kind", "n")) if latest else {}
    tabs = [{"kind": k, "label": label, "help": help_text, "n": counts.get(k, 0)} for k, label, help_text in REPORT_KINDS]
    return render_channel(request, channel, "dashboard/reports.html", "reports",
                          {"latest": latest, "kind": kind, "sku": sku, "page": page, "tabs": tabs})
