"""Mapping API: CRUD with validation, CSV/JSON import and export, re-send in bulk."""

from __future__ import annotations

import io

import pytest

from mpdash.catalog.models import Category
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteCategory
from mpdash.integration.models import FailedIntegration, PendingChange

from ..conftest import make_products


@pytest.fixture
def channel(hb_channel):
    return hb_channel()


@pytest.fixture
def remote(channel):
    root = RemoteCategory.objects.create(channel=channel, remote_id="1", name="Giyim", path="Giyim")
    leaf = RemoteCategory.objects.create(channel=channel, remote_id="10", name="Elbise", path="Giyim > Elbise", parent=root, is_leaf=True)
    Category.objects.create(code="elbise", name="Elbise")
    return {"root": root, "leaf": leaf}


def test_category_mapping_refuses_a_non_leaf(api, channel, remote):
    local = Category.objects.get(code="elbise")
    r = api.post("/api/v1/category-mappings/", {"channel": channel.pk, "local_category": local.pk, "remote_category": remote["root"].pk}, format="json")
    assert r.status_code == 400
    assert "remote_category" in r.data and "not a leaf" in str(r.data["remote_category"])
    r = api.post("/api/v1/category-mappings/", {"channel": channel.pk, "local_category": local.pk, "remote_category": remote["leaf"].pk}, format="json")
    assert r.status_code == 201, r.data
    assert r.data["remote_category_path"] == "Giyim > Elbise"


def test_attribute_mapping_template_is_checked(api, channel, remote):
    r = api.post("/api/v1/attribute-mappings/", {"channel": channel.pk, "attribute": "UrunAdi", "source_type": "template", "source": "{nme}"}, format="json")
    assert r.status_code == 400 and "unknown placeholder" in str(r.data["source"])


def test_csv_import_is_all_or_nothing_and_export_round_trips(api, channel, remote):
    good = f"{channel.pk},,Renk,attribute,color,\"{{\"\"Bordo\"\": \"\"101\"\"}}\"\n"
    bad = f"{channel.pk},999,Beden,attribute,size,\n"
    header = "channel,remote_category,attribute,source_type,source,value_map\n"
    r = api.post("/api/v1/attribute-mappings/import/", {"file": io.BytesIO((header + good + bad).encode())}, format="multipart")
    assert r.status_code == 400
    assert r.data["rows"][0]["row"] == 2 and "remote_category" in r.data["rows"][0]["errors"]
    assert AttributeMapping.objects.count() == 0
    r = api.post("/api/v1/attribute-mappings/import/", {"file": io.BytesIO((header + good).encode())}, format="multipart")
    assert r.status_code == 200 and r.data == {"created": 1, "updated": 0}
    assert AttributeMapping.objects.get().value_map == {"Bordo": "101"}
    exported = api.get(f"/api/v1/attribute-mappings/export/?channel={channel.pk}").content.decode()
    assert exported.splitlines()[0] == header.strip()
    r = api.post("/api/v1/attribute-mappings/import/", {"file": io.BytesIO(exported.encode())}, format="multipart")
    assert r.data == {"created": 0, "updated": 1}


def test_json_import_of_category_mappings(api, channel, remote):
    rows = [{"channel": channel.pk, "local_category": "elbise", "remote_category": "10"}]
    assert api.post("/api/v1/category-mappings/import/", rows, format="json").data == {"created": 1, "updated": 0}
    rows = [{"channel": channel.pk, "local_category": "nope", "remote_category": "10"}]
    r = api.post("/api/v1/category-mappings/import/", rows, format="json")
    assert r.status_code == 400 and "no local category" in str(r.data["rows"][0]["errors"])
    assert api.get(f"/api/v1/category-mappings/export/?channel={channel.pk}&format=json").data == [
        {"channel": channel.pk, "local_category": "elbise", "conditions": {}, "remote_category": "10"}
    ]


def test_resend_marks_products_lifts_penalties_and_reports_unknowns(api, channel, lists):
    products = make_products(lists, 3)
    PendingChange.objects.filter(channel=channel, kind="product").delete()
    FailedIntegration.objects.create(
        channel=channel, kind="product", object_id=products[0].pk, object_key=products[0].sku, settings={},
        first_failed_at="2026-01-01T00:00:00Z", last_failed_at="2026-01-01T00:00:00Z",
    )
    csv_body = f"sku\n{products[0].sku}\n{products[1].sku}\nNOPE\n"
    r = api.post(f"/api/v1/channels/{channel.pk}/products/resend/", {"file": io.BytesIO(csv_body.encode())}, format="multipart")
    assert r.status_code == 202, r.data
    assert r.data["marked"] == 2 and r.data["unknown"] == ["NOPE"]
    assert not FailedIntegration.objects.filter(kind="product").exists()
    assert set(PendingChange.objects.filter(channel=channel, kind="product").values_list("product_id", flat=True)) == {
        products[0].pk, products[1].pk
    }
    r = api.post(f"/api/v1/channels/{channel.pk}/products/resend/", {"file": io.BytesIO(b"code\nX\n")}, format="multipart")
    assert r.status_code == 400 and "sku" in str(r.data)


def test_mapping_change_marks_affected_products(api, channel, lists, remote):
    products = make_products(lists, 2)
    local = Category.objects.get(code="elbise")
    products[0].category = local
    products[0].save()
    PendingChange.objects.filter(channel=channel, kind="product").delete()
    CategoryMapping.objects.create(channel=channel, local_category=local, remote_category=remote["leaf"])
    assert list(PendingChange.objects.filter(channel=channel, kind="product").values_list("product_id", flat=True)) == [products[0].pk]


def test_preview_of_unknown_sku_is_404(api, channel):
    assert api.get(f"/api/v1/channels/{channel.pk}/products/NOPE/preview/").status_code == 404


def test_export_as_csv_is_also_reached_with_format_csv(api, channel, remote):
    r = api.get(f"/api/v1/attribute-mappings/export/?channel={channel.pk}&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.decode().splitlines()[0] == "channel,remote_category,attribute,source_type,source,value_map"


def test_a_mapping_changed_in_place_is_not_its_own_duplicate(api, channel, remote):
    first = AttributeMapping.objects.create(channel=channel, remote_category=remote["leaf"], attribute="Renk",
                                            source_type="attribute", source="color")
    AttributeMapping.objects.create(channel=channel, remote_category=remote["leaf"], attribute="Beden",
                                    source_type="attribute", source="size")
    r = api.patch(f"/api/v1/attribute-mappings/{first.pk}/", {"source": "colour"}, format="json")
    assert r.status_code == 200, r.data
    r = api.patch(f"/api/v1/attribute-mappings/{first.pk}/", {"attribute": "Renk", "remote_category": remote["leaf"].pk}, format="json")
    assert r.status_code == 200, r.data
    # moving it onto the other one's category and attribute is still a duplicate
    r = api.patch(f"/api/v1/attribute-mappings/{first.pk}/", {"attribute": "Beden"}, format="json")
    assert r.status_code == 400 and "already exists" in str(r.data)
    assert AttributeMapping.objects.get(pk=first.pk).source == "colour"
