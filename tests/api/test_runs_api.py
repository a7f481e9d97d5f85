"""Flow runs, log lines, batch requests, and the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mpdash.integration.models import BatchRequest, FlowLogLine, FlowRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(hb_channel):
    channel = hb_channel()
    FlowRun.objects.all().delete()  # the schema_update run recorded when the channel was created
    now = timezone.now()
    made = {}
    for name, flow, status, trigger, age in (
        ("old_stock", "stock", "success", "schedule", 3),
        ("price", "price", "partial", "event", 2),
        ("new_stock", "stock", "fail", "manual", 1),
    ):
        made[name] = FlowRun.objects.create(
            channel=channel, flow=flow, status=status, trigger=trigger, started_at=now - timedelta(hours=age)
        )
    FlowLogLine.objects.bulk_create(
        [
            FlowLogLine(run=made["old_stock"], object_key="SKU-1", outcome="success"),
            FlowLogLine(run=made["old_stock"], object_key="SKU-1", outcome="info"),
            FlowLogLine(run=made["price"], object_key="SKU-2", outcome="fail", message="bad price"),
            FlowLogLine(run=made["new_stock"], object_key="SKU-1", outcome="fail"),
            FlowLogLine(run=made["new_stock"], object_key="SKU-3", outcome="success"),
        ]
    )
    BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock", run=made["old_stock"], status="done")
    BatchRequest.objects.create(channel=channel, flow="price", kind="productprice", run=made["price"], status="ongoing")
    return channel, made, now


def _ids(api, query):
    r = api.get(f"/api/v1/flow-runs/?{query}")
    assert r.status_code == 200, r.data
    return [run["id"] for run in r.data["results"]]


def test_flow_run_filters(api, runs):
    channel, made, now = runs
    old, price, new = made["old_stock"].pk, made["price"].pk, made["new_stock"].pk
    assert _ids(api, "") == [new, price, old]  # newest first
    assert _ids(api, f"channel={channel.pk}") == [new, price, old]
    assert _ids(api, "channel__slug=hb") == [new, price, old]
    assert _ids(api, "channel__slug=other") == []
    assert _ids(api, "flow=stock") == [new, old]
    assert _ids(api, "status=partial") == [price]
    assert _ids(api, "trigger=manual") == [new]
    assert _ids(api, "sku=SKU-1") == [new, old]  # one row per run, however many lines
    assert _ids(api, "sku=SKU-2&flow=price") == [price]
    assert _ids(api, "sku=NONE") == []
    since = (now - timedelta(hours=2, minutes=30)).isoformat().replace("+00:00", "Z")
    until = (now - timedelta(hours=1, minutes=30)).isoformat().replace("+00:00", "Z")
    assert _ids(api, f"started_at__gte={since}") == [new, price]
    assert _ids(api, f"started_at__gte={since}&started_at__lte={until}") == [price]
    r = api.get(f"/api/v1/flow-runs/{price}/")
    assert r.data["channel_slug"] == "hb" and r.data["flow"] == "price"
    assert api.post("/api/v1/flow-runs/", {}, format="json").status_code == 405


def test_flow_run_lines(api, runs):
    _, made, _ = runs
    run = made["old_stock"].pk
    r = api.get(f"/api/v1/flow-runs/{run}/lines/")
    assert r.status_code == 200 and r.data["count"] == 2
    assert [line["outcome"] for line in r.data["results"]] == ["success", "info"]
    assert api.get(f"/api/v1/flow-runs/{run}/lines/?outcome=info").data["count"] == 1
    r = api.get(f"/api/v1/flow-runs/{made['new_stock'].pk}/lines/?object_key=SKU-3")
    assert r.data["count"] == 1 and r.data["results"][0]["object_key"] == "SKU-3"
    assert api.get("/api/v1/flow-runs/999999/lines/").status_code == 404


def test_batch_requests(api, runs):
    channel, _, _ = runs
    assert api.get("/api/v1/batch-requests/").data["count"] == 2
    assert api.get("/api/v1/batch-requests/?status=ongoing").data["results"][0]["flow"] == "price"
    assert api.get(f"/api/v1/batch-requests/?channel={channel.pk}&flow=stock").data["count"] == 1


def test_openapi_schema(api, anon):
    r = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    import json

    paths = json.loads(r.content)["paths"]
    for path in (
        "/api/v1/products/bulk/",
        "/api/v1/product_prices/bulk/",
        "/api/v1/channels/{id}/flows/{flow}/run/",
        "/api/v1/channels/{id}/penalties/lift/",
        "/api/v1/flow-runs/{id}/lines/",
    ):
        assert path in paths


def test_schema_generates_without_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular warning or error into a failure.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "operationId" in (tmp_path / "schema.yml").read_text()
