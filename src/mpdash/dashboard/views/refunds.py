"""Refunds: open refund requests of the channel; approve, or reject with a reason, an
explanation of at most 500 characters and images. The decision is recorded by
:func:`mpdash.orders.cancellations.decide_refund`; the refund flow sends it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from mpdash.orders.cancellations import decide_refund
from mpdash.orders.errors import OrderError
from mpdash.orders.models import DESCRIPTION_MAX, CancellationReason, CancellationRequest, CancellationType

from .. import refund_images
from ..pages import channel_for, render_channel
from ..roles import OPERATOR, VIEWER, role_required

RECENT_DECISIONS = 20


def _refunds(channel):
    return CancellationRequest.objects.filter(channel=channel, cancellation_type=CancellationType.REFUND)


def _page(request, channel, *, form_errors=None, page_error="", status=200):
    open_requests = (
        _refunds(channel).filter(status=CancellationRequest.Status.OPEN)
        .select_related("order", "reason").prefetch_related("items__order_item").order_by("created_at", "id")
    )
    decided = (
        _refunds(channel).exclude(status=CancellationRequest.Status.OPEN).filter(decided_at__isnull=False)
        .select_related("order", "decision_reason").order_by("-decided_at", "-id")[:RECENT_DECISIONS]
    )
    return render_channel(
        request, channel, "dashboard/refunds.html", "refunds",
        {
            "open_requests": open_requests,
            "decided": decided,
            "reasons": CancellationReason.objects.filter(cancellation_type=CancellationType.REFUND, is_active=True),
            "description_max": DESCRIPTION_MAX,
            "max_images": refund_images.MAX_IMAGES,
            "form_errors": form_errors or {},
            "page_error": page_error,
            "posted": request.POST if form_errors else {},
        },
        status=status,
    )


@role_required(VIEWER)
def refund_list(request, slug: str):
    return _page(request, channel_for(slug))


@require_POST
@role_required(OPERATOR)
def decide(request, slug: str, refund_id: int):
    channel = channel_for(slug)
    refund = get_object_or_404(_refunds(channel), pk=refund_id)
    decision = request.POST.get("decision", "")
    reason = None
    if request.POST.get("reason"):
        reason = CancellationReason.objects.filter(pk=request.POST["reason"]).first()
    description = request.POST.get("description", "").strip()
    stored: list[str] = []
    try:
        checked = refund_images.check(request.FILES.getlist("images")) if decision == "reject" else []
        stored = refund_images.store(refund.pk, checked)
        decide_refund(
            refund, decision, reason=reason, description=description,
            images=[refund_images.absolute_url(request, name) for name in stored],
            decided_by=request.user.get_username(),
        )
    except refund_images.ImageProblem as exc:
        return _page(request, channel, form_errors={"id": refund.pk, "images": str(exc)}, status=400)
    except OrderError as exc:
        refund_images.discard(stored)
        if not _refunds(channel).filter(pk=refund.pk, status=CancellationRequest.Status.OPEN).exists():
            # decided already (or meanwhile): its form is no longer on the page
            return _page(request, channel, page_error=f"Refund request {refund.pk}: {exc.message}", status=400)
        field = exc.field if exc.field in ("reason", "description", "images") else "form"
        return _page(request, channel, form_errors={"id": refund.pk, field: exc.message}, status=400)
    verb = "approved" if decision == "approve" else "rejected"
    messages.success(request, f"Refund request {refund.pk} of order {refund.order.number} {verb}; the refund flow sends it.")
    return redirect("dashboard:refunds", slug=slug)
