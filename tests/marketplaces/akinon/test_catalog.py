"""The catalog: uuid category tree with nested children, attributes, pre-offers reviewed by the owner."""

import pytest

from mpdash.marketplaces.akinon.adapter import MonoAdapter
from mpdash.marketplaces.akinon.simulator.state import TREE, uid
from mpdash.marketplaces.base import ON_SALE, PENDING_APPROVAL, REJECTED, AttributeChoice, ProductRecord
from mpdash.marketplaces.errors import ConfigError

GIYIM = TREE[0][0]
ELBISE = uid(uid(GIYIM, "Kadın"), "Elbise")


def record(sku, **fields):
    base = {"name": f"Elbise {sku}", "base_code": "ELB-1", "images": ["https://img.example.com/1.jpg"],
            "price": "499.90", "retail_price": "599.90", "stock": 7}
    attributes = [AttributeChoice("COLOR", "Renk", ["Kırmızı"], ["Kırmızı"]), AttributeChoice("SIZE", "Beden", ["M"], ["M"]),
                  AttributeChoice("BRAND", "Marka", custom_value="Mpdash")]
    return ProductRecord(sku, ELBISE, {**base, **fields}, attributes)


def test_tree_under_a_root_parents_first_and_a_wrong_root_named(sim):
    adapter = MonoAdapter(sim.adapter_config())
    nodes = list(adapter.fetch_categories([GIYIM]))
    assert nodes[0].remote_id == GIYIM and nodes[0].parent_id is None and not nodes[0].is_leaf
    seen = set()
    for node in nodes:
        assert node.parent_id is None or node.parent_id in seen
        seen.add(node.remote_id)
    assert any(n.remote_id == ELBISE and n.is_leaf and n.name == "Elbise" for n in nodes)
    assert not any(n.name == "Ayakkabı" for n in nodes)
    with pytest.raises(ConfigError, match="category_ids holds 'nope'.*f8aeb10e"):
        list(adapter.fetch_categories(["nope"]))


def test_attributes_with_values(sim):
    attributes = {a.remote_id: a for a in MonoAdapter(sim.adapter_config()).fetch_attributes(ELBISE)}
    assert attributes["COLOR"].required and attributes["SIZE"].variant and attributes["BRAND"].allow_custom
    assert "Kırmızı" in [v.name for v in attributes["COLOR"].values] and attributes["BRAND"].data_type == "text"


def test_pre_offers_approved_after_review_or_rejected_with_reasons(sim):
    adapter = MonoAdapter(sim.adapter_config())
    sim.reject("P3", "Görseller marka kurallarına uymuyor")
    sub = adapter.send_products([record("P1"), record("P2", images=["http://plain.example.com/1.jpg"]), record("P3"),
                                 record("P4", price="0")])
    results = {r.sku: r for r in sub.results}
    assert results["P1"].state == PENDING_APPROVAL and results["P1"].ok
    assert results["P4"].state == REJECTED and "greater than 0" in results["P4"].message
    assert adapter.product_statuses(["P1"])["P1"].state == PENDING_APPROVAL
    assert sim.wait_until_reviewed(5.0)
    statuses = adapter.product_statuses(["P1", "P2", "P3", "P9"])
    assert statuses["P1"].state == ON_SALE and sim.offer("P1")["stock"] == 7 and sim.offer("P1")["price"] == "499.90"
    assert statuses["P2"].state == REJECTED and "https URL" in statuses["P2"].reasons[0]
    assert statuses["P3"].reasons == ["Görseller marka kurallarına uymuyor"] and sim.offer("P3") is None
    assert statuses["P9"].state == "not_found"


def test_a_value_not_allowed_is_rejected_by_the_review(sim):
    adapter = MonoAdapter(sim.adapter_config())
    bad = record("P5")
    bad.attributes[1] = AttributeChoice("SIZE", "Beden", ["XXXL"], ["XXXL"])
    adapter.send_products([bad])
    assert sim.wait_until_reviewed(5.0)
    assert adapter.product_statuses(["P5"])["P5"].reasons == ['SIZE: "XXXL" is not an allowed value.']
