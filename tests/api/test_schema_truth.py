"""The OpenAPI document states what validation requires (issue 16): a body built from each
stated variant is accepted, and what the document rules out is what validation refuses."""

from __future__ import annotations

import io

import pytest

from mpdash.marketplaces import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api):
    r = api.get("/api/schema/", {"format": "json"})
    assert r.status_code == 200
    return r.json()


def _component(document, ref: str) -> dict:
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _sample(schema: dict):
    """The plainest value a schema allows."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "string":
        return "x"
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        return [_sample(schema.get("items") or {"type": "string"})] if schema.get("minItems") else []
    if kind == "object":
        return {"k": "v"} if schema.get("minProperties") else {}
    raise AssertionError(f"no sample for {schema}")


def _variants(document) -> dict[tuple[str, bool], dict]:
    out = {}
    for ref in _component(document, "SalesChannelRequest")["oneOf"]:
        variant = _component(document, ref["$ref"])
        out[(variant["properties"]["marketplace"]["enum"][0], variant["properties"]["is_active"]["enum"][0])] = variant
    return out


def test_a_new_channel_has_one_variant_per_registered_marketplace_inactive_and_active(document):
    assert set(_variants(document)) == {(m, active) for m in registry.MARKETPLACES for active in (False, True)}


@pytest.mark.parametrize("marketplace", sorted(registry.MARKETPLACES))
def test_a_channel_built_from_its_active_variant_is_created_active(api, lists, document, marketplace):
    variant = _variants(document)[(marketplace, True)]
    config_schema = variant["properties"]["config"]
    config = {key: _sample(config_schema["properties"][key]) for key in config_schema.get("required", [])}
    body = {"name": f"{marketplace} shop", "marketplace": marketplace, "catalog": "c1", "price_list": "p1",
            "stock_list": "s1", "is_active": True, "config": config}
    r = api.post("/api/v1/channels/", body, format="json")
    assert r.status_code == 201, r.data
    assert r.data["is_active"] is True
    # a required key left out of an active channel is what validation refuses, by name
    if config:
        missing = sorted(config)[0]
        body = {**body, "name": f"{marketplace} two", "config": {k: v for k, v in config.items() if k != missing}}
        r = api.post("/api/v1/channels/", body, format="json")
        assert r.status_code == 400 and missing in r.data["config"], r.data


def test_the_stated_config_types_are_the_checked_ones(api, lists, document):
    variant = _variants(document)[("hepsiburada", False)]
    props = variant["properties"]["config"]["properties"]
    assert props["buffer_stock"] == {**props["buffer_stock"], "type": "integer", "minimum": 0}
    assert props["order_start_date"]["format"] == "date"
    assert props["feature_flags"]["additionalProperties"] is False
    assert props["failed_integration"]["required"] == ["DEFAULT"]
    base = {"name": "HB", "marketplace": "hepsiburada", "catalog": "c1", "price_list": "p1", "stock_list": "s1"}
    for key, bad in (("buffer_stock", -1), ("use_neighborhood", "maybe"), ("order_start_date", "soon"),
                     ("feature_flags", {"no_such_flow": True}), ("failed_integration", {"order": {}})):
        r = api.post("/api/v1/channels/", {**base, "config": {key: bad}}, format="json")
        assert r.status_code == 400 and key in r.data["config"], (key, r.data)


def test_two_channels_of_one_name_get_slugs_of_their_own(api, lists):
    body = {"name": "Moda Mağaza", "marketplace": "hepsiburada", "catalog": "c1", "price_list": "p1", "stock_list": "s1"}
    slugs = [api.post("/api/v1/channels/", body, format="json").data["slug"] for _ in range(3)]
    assert slugs == ["moda-magaza", "moda-magaza-2", "moda-magaza-3"]
    r = api.post("/api/v1/channels/", {**body, "slug": "moda-magaza"}, format="json")
    assert r.status_code == 400 and "slug" in r.data  # a slug given that another channel has is refused


def test_mapping_import_takes_a_json_list_or_a_csv_file_and_says_so(api, document, hb_channel):
    for kind in ("category-mappings", "attribute-mappings"):
        body = document["paths"][f"/api/v1/{kind}/import/"]["post"]["requestBody"]["content"]
        assert set(body) == {"application/json", "multipart/form-data"}
        assert body["application/json"]["schema"]["type"] == "array"
        upload = _component(document, body["multipart/form-data"]["schema"]["$ref"])
        assert upload["properties"]["file"]["format"] == "binary" and upload["required"] == ["file"]
        # a file that is not UTF-8 text is a 400 naming the field, not a server error
        r = api.post(f"/api/v1/{kind}/import/", {"file": io.BytesIO(b"\xff\xfe\x00bad")}, format="multipart")
        assert r.status_code == 400 and "UTF-8" in str(r.data["file"])
        r = api.post(f"/api/v1/{kind}/import/", {"rows": []}, format="json")
        assert r.status_code == 400


def test_bodies_that_are_one_thing_or_another_say_so(document):
    schemas = document["components"]["schemas"]
    decision = schemas["RefundDecisionRequest"]["oneOf"]
    assert {"required": ["reason"], "properties": {"decision": {"type": "string", "enum": ["reject"]},
                                                   "reason": {"type": "integer"}}} in decision
    assert schemas["CancelItemsRequest"]["properties"]["items"]["minItems"] == 1
    assert len(schemas["CategoryMappingRequest"]["anyOf"]) == 2
    sources = {v["properties"]["source_type"]["enum"][0]: v["properties"]["source"]
               for v in schemas["AttributeMappingRequest"]["oneOf"]}
    assert "name" in sources["field"]["enum"] and "{" in sources["template"]["pattern"]
    assert "{tracking_number}" in schemas["ShippingCompanyRequest"]["properties"]["tracking_url_template"]["pattern"].replace("\\", "")


def test_a_tax_rate_above_100_is_refused_by_the_single_price_endpoint_too(api, lists, document):
    from ..conftest import make_products

    product = make_products(lists, 1, with_price=False)[0]
    assert "100" in document["components"]["schemas"]["ProductPriceRequest"]["properties"]["tax_rate"]["pattern"]
    body = {"product": product.sku, "price_list": "p1", "price": "10.00", "tax_rate": "150"}
    r = api.post("/api/v1/product_prices/", body, format="json")
    assert r.status_code == 400 and "tax_rate" in r.data
    assert api.post("/api/v1/product_prices/", {**body, "tax_rate": "100"}, format="json").status_code == 201


def test_patch_schema_adds_keys_and_null_removes_one_you_added(api, hb_channel):
    channel = hb_channel()
    entry = {"key": "warehouse_note", "label": "Warehouse note", "required": False, "data_type": "text"}
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"schema": {"warehouse_note": entry}, "config": {"warehouse_note": "B2"}},
                  format="json")
    assert r.status_code == 200, r.data
    assert r.data["schema"]["warehouse_note"] == entry and "password" in r.data["schema"]  # the shipped keys stay
    assert r.data["config"]["warehouse_note"] == "B2"
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"schema": {"warehouse_note": None}}, format="json")
    assert r.status_code == 200 and "warehouse_note" not in r.data["schema"]
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"schema": {"password": None}}, format="json")
    assert r.status_code == 400 and "password" in r.data["schema"]  # a shipped key cannot be removed
    r = api.patch(f"/api/v1/channels/{channel.pk}/", {"schema": ["not", "an", "object"]}, format="json")
    assert r.status_code == 400 and "schema" in r.data
