"""Refunds: open requests of the channel, approve, or reject with a reason, an
explanation (≤ 500 characters) and images kept under MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mpdash.orders.models import CancellationRequest

from .conftest import PNG_1PX, make_refund, refund_reason

pytestmark = pytest.mark.django_db


def decide_url(channel, refund):
    return reverse("dashboard:refund-decide", kwargs={"slug": channel.slug, "refund_id": refund.pk})


def test_open_requests_are_listed_with_their_items(channel, client_as):
    refund = make_refund(channel, number="ORD-5", sku="DRESS-1")
    page = client_as("viewer").get(reverse("dashboard:refunds", kwargs={"slug": channel.slug})).content.decode()
    assert "Order ORD-5" in page and "DRESS-1" in page and "CLAIM-ORD-5" in page and f"refund-{refund.pk}" in page


def test_approve(channel, client_as):
    refund = make_refund(channel)
    response = client_as("operator").post(decide_url(channel, refund), {"decision": "approve"})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decision, refund.decided_by) == ("waiting_approval", "approve", "oscar")
    page = client_as("viewer").get(reverse("dashboard:refunds", kwargs={"slug": channel.slug})).content.decode()
    assert "No open refund requests" in page and "approve" in page


def test_reject_with_reason_text_and_images(channel, client_as):
    refund = make_refund(channel)
    reason = refund_reason()
    images = [SimpleUploadedFile("a.png", PNG_1PX, "image/png"), SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0rest", "image/jpeg")]
    response = client_as("operator").post(
        decide_url(channel, refund), {"decision": "reject", "reason": reason.pk, "description": "Seal broken", "images": images}
    )
    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.decision, refund.decision_reason, refund.decision_description) == (
        "waiting_approval", "reject", reason, "Seal broken")
    assert len(refund.decision_images) == 2
    for image_url in refund.decision_images:
        assert image_url.startswith(f"http://localhost/media/refunds/{refund.pk}/")
        assert (Path(settings.MEDIA_ROOT) / image_url.split("/media/", 1)[1]).exists()
    served = client_as("viewer").get(refund.decision_images[0].replace("http://localhost", ""))
    assert b"".join(served.streaming_content) == PNG_1PX


def test_uploads_are_kept_in_the_data_directory():
    from mpdash import settings as project

    assert Path(project.MEDIA_ROOT) == Path(project.DATA_DIR) / "media"


@pytest.mark.parametrize("body, message", [
    ({"decision": "reject"}, "a rejection needs a reason"),
    ({"decision": "reject", "description": "x" * 501, "reason": "REASON"}, "at most 500 characters"),
    ({"decision": "maybe"}, "decision must be one of"),
])
def test_bad_decisions_are_refused_and_change_nothing(channel, client_as, body, message):
    refund = make_refund(channel)
    if body.get("reason") == "REASON":
        body = {**body, "reason": refund_reason().pk}
    response = client_as("operator").post(decide_url(channel, refund), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert CancellationRequest.objects.get(pk=refund.pk).status == "open"


def test_only_images_are_accepted(channel, client_as, tmp_path):
    refund = make_refund(channel)
    fake = SimpleUploadedFile("invoice.png", b"%PDF-1.7 not an image", "image/png")
    response = client_as("operator").post(
        decide_url(channel, refund), {"decision": "reject", "reason": refund_reason().pk, "images": [fake]}
    )
    assert response.status_code == 400 and "invoice.png is not a JPEG, PNG, GIF or WebP image" in response.content.decode()
    assert CancellationRequest.objects.get(pk=refund.pk).status == "open"
    assert not (Path(settings.MEDIA_ROOT) / "refunds" / str(refund.pk)).exists()


def test_a_decided_request_cannot_be_decided_again(channel, client_as):
    refund = make_refund(channel)
    client = client_as("operator")
    client.post(decide_url(channel, refund), {"decision": "approve"})
    response = client.post(decide_url(channel, refund), {"decision": "approve"})
    assert response.status_code == 400 and "only open requests can be approved or rejected" in response.content.decode()


def test_refunds_of_another_channel_are_not_reachable(channel, channel_factory, client_as, lists):
    from mpdash.channels.models import SalesChannel

    other = SalesChannel(name="Other", slug="other", marketplace="hepsiburada", **lists)
    other.save()
    refund = make_refund(other, number="ORD-9")
    response = client_as("operator").post(decide_url(channel, refund), {"decision": "approve"})
    assert response.status_code == 404
