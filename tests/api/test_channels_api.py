"""Channel endpoints: masked config, validation by key, flows, manual runs, penalties."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from mpdash.channels import secrets
from mpdash.channels.models import SalesChannel
from mpdash.integration.models import FailedIntegration, PendingChange

pytestmark = pytest.mark.django_db

PASSWORD = "demo-service-key"


def test_config_is_masked_and_the_secret_never_returned(api, hb_channel):
    channel = hb_channel()
    stored = SalesChannel.objects.get(pk=channel.pk).config["password"]
    assert secrets.is_encrypted(stored)
    for path in ("/api/v1/channels/", f"/api/v1/channels/{channel.pk}/"):
        r = api.get(path)
        assert r.status_code == 200
        text = r.content.decode()
        assert PASSWORD not in text and stored not in text
    assert api.get("/api/v1/channels/?marketplace=hepsiburada").data["count"] == 1
    assert api.get("/api/v1/channels/?slug=other").data["count"] == 0
    data = api.get(f"/api/v1/channels/{channel.pk}/").data
    assert data["config"]["password"] == secrets.mask("x")
    assert data["config"]["username"] == "demo-merchant"
    assert data["catalog"] == "c1" and data["price_list"] == "p1" and data["stock_list"] == "s1"


def test_patch_keeps_secret_sent_as_mask_and_validates_by_key(api, hb_channel):
    channel = hb_channel()
    r = api.patch(
        f"/api/v1/channels/{channel.pk}/",
        {"config": {"password": secrets.mask("x"), "buffer_stock": 3, "feature_flags": {"stock": False}}},
        format="json",
    )
    assert r.status_code == 200, r.data
    channel.refresh_from_db()
    assert channel.plain_config()["password"] == PASSWORD
    assert channel.config["buffer_stock"] == 3
    assert channel.flag_on("price") and not channel.flag_on("stock")  # partial flags merged
    assert PASSWORD not in r.content.decode()

    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"config": {"password": "new-secret-value"}}, format="json")
    assert r.status_code == 200 and "new-secret-value" not in r.content.decode()
    channel.refresh_from_db()
    assert channel.plain_config()["password"] == "new-secret-value"

    r = api.patch(
        f"/api/v1/channels/{channel.pk}/",
        {"config": {"buffer_stock": -2, "default_reason_id": "abc", "feature_flags": {"no_such_flag": True}}},
        format="json",
    )
    assert r.status_code == 400
    errors = r.data["config"]
    assert set(errors) == {"buffer_stock", "default_reason_id", "feature_flags"}
    assert "no_such_flag" in errors["feature_flags"]
    channel.refresh_from_db()
    assert channel.config["buffer_stock"] == 3  # nothing saved

    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"config": ["not", "an", "object"]}, format="json")
    assert r.status_code == 400 and "config" in r.data


def test_activation_requires_required_keys(api, lists, hb_channel, no_celery):
    hb_channel  # skip when Hepsiburada does not import
    r = api.post(
        "/api/v1/channels/",
        {"name": "HB two", "marketplace": "hepsiburada", "catalog": "c1", "price_list": "p1", "stock_list": "s1",
         "config": {"username": "m", "password": "s3cret-pass"}},
        format="json",
    )
    assert r.status_code == 201, r.data
    assert r.data["slug"] == "hb-two" and r.data["is_active"] is False
    assert r.data["config"]["password"] == secrets.mask("x") and "s3cret-pass" not in r.content.decode()
    assert "password" in r.data["schema"]
    r = api.patch(f"/api/v1/channels/{r.data['id']}/", {"is_active": True}, format="json")
    assert r.status_code == 400
    assert "merchant_id" in r.data["config"] and "required" in r.data["config"]["merchant_id"]
    r = api.post(
        "/api/v1/channels/",
        {"name": "X", "marketplace": "nowhere", "catalog": "c1", "price_list": "p1", "stock_list": "s1"},
        format="json",
    )
    assert r.status_code == 400 and "marketplace" in r.data
    assert api.put("/api/v1/channels/1/", {}, format="json").status_code == 405
    assert api.delete("/api/v1/channels/1/").status_code == 405


def test_schema_and_flows(api, hb_channel):
    channel = hb_channel(active=False)
    r = api.get(f"/api/v1/channels/{channel.pk}/schema/")
    assert r.status_code == 200 and r.data["password"]["secret"] is True
    r = api.get(f"/api/v1/channels/{channel.pk}/flows/")
    assert r.status_code == 200
    flows = {f["name"]: f for f in r.data}
    assert flows["stock"]["flag"] == "stock" and flows["stock"]["schedule"] == "every 1 min"
    assert flows["stock"]["enabled"] is False  # inactive channel
    assert flows["stock"]["runnable"] is True and flows["split_packages"]["runnable"] is True
    assert flows["schema_update"]["runnable"] is False  # a maintenance step, not a flow the engine runs


def test_run_flow(api, hb_channel, no_celery, django_capture_on_commit_callbacks):
    channel = hb_channel(active=False)
    r = api.post(f"/api/v1/channels/{channel.pk}/flows/stock/run/")
    assert r.status_code == 409 and "inactive" in r.data["detail"]
    r = api.post(f"/api/v1/channels/{channel.pk}/flows/nonsense/run/")
    assert r.status_code == 409 and "no flow" in r.data["detail"]

    SalesChannel.objects.filter(pk=channel.pk).update(is_active=True)
    r = api.post(f"/api/v1/channels/{channel.pk}/flows/split_packages/run/")
    assert r.status_code == 409 and "split_packages feature flag of channel" in r.data["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/api/v1/channels/{channel.pk}/flows/stock/run/")
    assert r.status_code == 202 and r.data == {"queued": True}
    assert [k for name, a, k in no_celery if name == "run_flow"] == [
        {"kwargs": {"channel_id": channel.pk, "flow": "stock", "trigger": "manual"}, "countdown": 0}
    ]
    assert api.post("/api/v1/channels/999999/flows/stock/run/").status_code == 404


def _penalty(channel, product_id, sku, kind="productstock"):
    now = timezone.now()
    PendingChange.objects.update_or_create(
        channel=channel, product_id=product_id, kind=kind, defaults={"changed_at": now, "available_at": None}
    )
    return FailedIntegration.objects.create(
        channel=channel, kind=kind, object_id=product_id, object_key=sku, settings={"MAX_RETRY_COUNT": 1},
        first_failed_at=now, last_failed_at=now, last_error="boom",
    )


def test_penalties_list_and_lift(api, lists, hb_channel):
    from tests.conftest import make_products

    products = make_products(lists, 3)
    channel = hb_channel()
    for p in products:
        _penalty(channel, p.pk, p.sku)
    _penalty(channel, products[0].pk, products[0].sku, kind="productprice")

    r = api.get(f"/api/v1/channels/{channel.pk}/penalties/")
    assert r.status_code == 200 and r.data["count"] == 4
    assert api.get(f"/api/v1/channels/{channel.pk}/penalties/?kind=productprice").data["count"] == 1
    r = api.get(f"/api/v1/channels/{channel.pk}/penalties/?sku={products[1].sku}")
    assert r.data["count"] == 1 and r.data["results"][0]["sku"] == products[1].sku

    assert api.post(f"/api/v1/channels/{channel.pk}/penalties/lift/", {}, format="json").status_code == 400
    r = api.post(f"/api/v1/channels/{channel.pk}/penalties/lift/", {"skus": [products[0].sku]}, format="json")
    assert r.status_code == 200 and r.data == {"lifted": 2}
    assert PendingChange.objects.filter(channel=channel, product=products[0], kind__in=["productstock", "productprice"], available_at__isnull=False).count() == 2
    assert PendingChange.objects.filter(channel=channel, product=products[1], available_at__isnull=True).count() == 1
    r = api.post(f"/api/v1/channels/{channel.pk}/penalties/lift/", {"all": True}, format="json")
    assert r.data == {"lifted": 2} and not FailedIntegration.objects.exists()
    assert json.loads(api.get(f"/api/v1/channels/{channel.pk}/penalties/").content)["count"] == 0
