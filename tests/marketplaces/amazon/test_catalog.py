"""Amazon's catalog against the simulator: product types as categories, their JSON Schema as the
Mapper's attributes, putListingsItem for products (issues name the attribute), the validation
preview, approval tracking by getListingsItem summaries."""

from __future__ import annotations

import time
from decimal import Decimal

import jsonschema

from mpdash.marketplaces.base import AttributeChoice, ProductRecord

from .conftest import spec


def shoe(sku: str, *, colour="Black", size="42", brand="Acme") -> ProductRecord:
    fields = {"item_name": f"Runner {sku}", "brand": brand, "product_description": "Light running shoe",
              "price": Decimal("59.90"), "stock": 4, "main_product_image_locator": ["https://img.example.com/1.jpg"]}
    return ProductRecord(sku, "SHOES", {k: v for k, v in fields.items() if v is not None}, [
        AttributeChoice("color", "Colour", value_ids=[colour]),
        AttributeChoice("footwear_size", "Footwear Size", value_ids=[size])])


def test_product_types_are_categories_and_their_schema_gives_the_attributes(sim, adapter_for):
    adapter = adapter_for(sim)
    categories = list(adapter.fetch_categories(["shoes"]))
    assert [(c.remote_id, c.name, c.is_leaf) for c in categories] == [("SHOES", "Shoes", True)]
    attributes = {a.remote_id: a for a in adapter.fetch_attributes("SHOES")}
    assert attributes["color"].required and attributes["color"].data_type == "enum"
    assert [v.remote_id for v in attributes["footwear_size"].values][:2] == ["38", "39"]
    assert not attributes["material"].required and attributes["material"].allow_custom
    assert "purchasable_offer" not in attributes and "item_name" not in attributes  # offer / default fields


def test_put_creates_then_approval_and_issues_name_the_attribute(sim, adapter_for):
    adapter = adapter_for(sim, buffer_stock=1)
    sim.configure(approval_delay=0.3)
    bad = shoe("SH-2", size="47")
    missing = ProductRecord("SH-3", "SHOES", {"item_name": "No brand"}, [])
    results = {r.sku: r for r in adapter.send_products([shoe("SH-1"), bad, missing]).results}
    assert results["SH-1"].ok and results["SH-1"].state == "pending_approval"
    assert not results["SH-2"].ok and "footwear_size" in results["SH-2"].message and results["SH-2"].state == "rejected"
    assert "'brand' is required" in results["SH-3"].message
    assert sim.listing("SH-1")["quantity"] == 3 and sim.listing("SH-1")["price"] == 59.9
    assert adapter.product_statuses(["SH-1"])["SH-1"].state == "pending_approval"
    time.sleep(0.4)
    statuses = adapter.product_statuses(["SH-1", "SH-9"])
    assert statuses["SH-1"].state == "on_sale" and statuses["SH-1"].remote_sku.startswith("B0")
    assert statuses["SH-9"].state == "not_found"


def test_validation_preview_shows_amazons_issues_and_saves_nothing(sim, adapter_for):
    adapter = adapter_for(sim)
    assert adapter.preview_problems(shoe("PV-1", colour="Purple")) == [
        "ERROR 99022: 'Purple' is not a valid value for 'color'"]
    assert adapter.preview_problems(shoe("PV-2")) == [] and sim.listing("PV-2") is None


def test_without_validation_preview_the_product_types_schema_is_checked_here(sim, adapter_for):
    adapter = adapter_for(sim, validation_preview=False)
    paths = []
    adapter.client._client.event_hooks["request"] = [lambda request: paths.append((request.method, request.url.path))]
    problems = adapter.preview_problems(shoe("PL-1", colour="Purple", brand=None))
    assert problems == ["'brand' is required by product type SHOES but not supplied",
                        "'Purple' is not a valid value for 'color' (allowed: Black, Blue, Red, White)"]
    assert adapter.preview_problems(shoe("PL-2")) == []
    assert not [p for p in paths if p[0] == "PUT"] and sim.listing("PL-1") is None  # Amazon was not asked


def test_put_bodies_match_the_listings_items_model(sim, adapter_for):
    adapter = adapter_for(sim)
    document = spec("listingsItems_2021-08-01.json")
    validator = jsonschema.Draft7Validator({"$ref": "#/definitions/ListingsItemPutRequest",
                                            "definitions": document["definitions"]})
    body = adapter.build_product_payload(shoe("SC-1"))
    assert not list(validator.iter_errors(body))
    assert body["attributes"]["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]
    assert list(validator.iter_errors({"productType": "SHOES"}))  # attributes missing: the check can fail
