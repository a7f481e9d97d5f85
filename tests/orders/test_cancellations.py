"""Cancellation reasons, requests, the six-plan limit and refund decisions."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from mpdash.orders import cancellations
from mpdash.orders.cancellations import Line, cancel_items, decide_refund, request_cancellation
from mpdash.orders.errors import CancellationError, CancellationPlanLimit, RefundDecisionError
from mpdash.orders.models import (
    CancellationPlan,
    CancellationReason,
    CancellationRequest,
    CancellationRequestItem,
    OrderStatus,
)

pytestmark = pytest.mark.django_db
Status = CancellationRequest.Status


def reason(kind="cancel", code="other"):
    return CancellationReason.objects.get(cancellation_type=kind, code=code)


def test_default_reasons_are_seeded():
    assert CancellationReason.objects.filter(cancellation_type="cancel", is_active=True).count() >= 5
    assert CancellationReason.objects.filter(cancellation_type="refund", is_active=True).count() >= 5


def test_an_order_not_yet_in_the_erp_cannot_be_cancelled(make_order):
    order = make_order()
    with pytest.raises(CancellationError) as exc:
        cancel_items(order, [Line(order.items.first(), 1)])
    assert str(exc.value) == "Unreported order of ERP can not be canceled"
    assert not CancellationRequest.objects.exists()


def test_partial_then_full_cancellation(make_order):
    order = make_order(sent_to_erp=True)
    two, one = order.items.order_by("sku")  # SKU-1 x2, SKU-2 x1
    first = cancel_items(order, [Line(two, 1)], reason=reason(code="out_of_stock"))
    assert first.status == Status.APPROVED and first.plans.get().sequence == 1
    two.refresh_from_db()
    assert two.status == OrderStatus.APPROVED  # one unit is left
    assert cancellations.cancellable_quantity(two) == 1
    cancel_items(order, [Line(two, 1), Line(one, 1)])
    two.refresh_from_db(), one.refresh_from_db(), order.refresh_from_db()
    assert two.status == one.status == order.status == OrderStatus.CANCELLED
    assert list(CancellationPlan.objects.filter(order=order).values_list("sequence", flat=True)) == [1, 2]


def test_quantities_are_validated(make_order):
    order = make_order(sent_to_erp=True)
    two = order.items.get(sku="SKU-1")
    with pytest.raises(CancellationError, match=r"quantity 3 of item .* exceeds the 2 unit\(s\)"):
        cancel_items(order, [Line(two, 3)])
    with pytest.raises(CancellationError, match="is not an item of order"):
        cancel_items(order, [Line(999999, 1)])
    with pytest.raises(CancellationError, match="at least one item"):
        cancel_items(order, [])
    assert not CancellationRequest.objects.exists()


def test_description_is_at_most_500_characters(make_order):
    order = make_order(sent_to_erp=True)
    with pytest.raises(CancellationError, match="at most 500 characters") as exc:
        cancel_items(order, [Line(order.items.first(), 1)], description="x" * 501)
    assert exc.value.field == "description"
    cancel_items(order, [Line(order.items.first(), 1)], description="x" * 500)


def test_a_refund_reason_is_not_a_cancel_reason(make_order):
    order = make_order(sent_to_erp=True)
    with pytest.raises(CancellationError, match="is a refund reason, not a cancel reason"):
        cancel_items(order, [Line(order.items.first(), 1)], reason=reason("refund", "damaged_product"))


def test_at_most_six_cancellation_plans_per_order(make_order):
    order = make_order(sent_to_erp=True)
    for _ in range(6):
        cancellations.add_plan(order, plan_type="cancel")
    with pytest.raises(CancellationPlanLimit) as exc:
        cancellations.add_plan(order, plan_type="cancel")
    assert str(exc.value) == (
        f"at most 6 cancellation plans can be created for an order; order {order.number} has 6"
    )
    # A request that would need a seventh plan is refused whole.
    with pytest.raises(CancellationPlanLimit):
        cancel_items(order, [Line(order.items.first(), 1)])
    assert not CancellationRequest.objects.exists()


def test_the_database_enforces_the_plan_limit_too(make_order):
    order = make_order()
    with pytest.raises(IntegrityError), transaction.atomic():
        CancellationPlan.objects.create(order=order, plan_type="cancel", sequence=7)
    CancellationPlan.objects.create(order=order, plan_type="cancel", sequence=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CancellationPlan.objects.create(order=order, plan_type="refund", sequence=1)


def test_a_claim_line_seen_twice_is_stored_once(make_order):
    order = make_order(sent_to_erp=True)
    item = order.items.get(sku="SKU-2")
    args = dict(cancellation_type="refund", reason=reason("refund", "marketplace_refund"), claim_id="CLAIM-1")
    first, created = request_cancellation(order, [Line(item, 1, claim_line_id="CL-1")], **args)
    again, created_again = request_cancellation(order, [Line(item, 1, claim_line_id="CL-1")], **args)
    assert created and not created_again and again.pk == first.pk
    assert CancellationRequestItem.objects.count() == 1 and CancellationPlan.objects.count() == 1
    assert first.status == Status.OPEN and first.marketplace_claim_id == "CLAIM-1"


def test_the_database_keeps_claim_lines_unique_per_channel(make_order):
    order = make_order(sent_to_erp=True)
    item = order.items.first()
    request = CancellationRequest.objects.create(channel=order.channel, order=order, cancellation_type="refund")
    CancellationRequestItem.objects.create(request=request, order_item=item, channel=order.channel, marketplace_claim_line_id="X")
    other = CancellationRequest.objects.create(channel=order.channel, order=order, cancellation_type="refund")
    with pytest.raises(IntegrityError), transaction.atomic():
        CancellationRequestItem.objects.create(request=other, order_item=item, channel=order.channel, marketplace_claim_line_id="X")


def _refund(make_order):
    order = make_order(sent_to_erp=True)
    request, _ = request_cancellation(order, [Line(order.items.first(), 1, claim_line_id="L1")], cancellation_type="refund")
    return request


def test_reject_a_refund_with_reason_text_and_images(make_order):
    request = _refund(make_order)
    decided = decide_refund(
        request, "reject", reason=reason("refund", "not_as_described"), description="Seal broken by the customer",
        images=["https://img.example/1.jpg"], decided_by="operator",
    )
    assert decided.status == Status.WAITING_APPROVAL and decided.decision == "reject"
    assert decided.decision_images == ["https://img.example/1.jpg"] and decided.decided_at is not None
    with pytest.raises(RefundDecisionError, match="only open requests"):
        decide_refund(decided, "approve")


def test_refund_decision_rules(make_order):
    request = _refund(make_order)
    with pytest.raises(RefundDecisionError, match="needs a reason") as exc:
        decide_refund(request, "reject")
    assert exc.value.field == "reason"
    with pytest.raises(CancellationError, match="at most 500"):
        decide_refund(request, "approve", description="y" * 501)
    with pytest.raises(CancellationError, match="is not an http"):
        decide_refund(request, "approve", images=["file:///etc/passwd"])
    assert decide_refund(request, "approve").status == Status.WAITING_APPROVAL
