"""The Mapper: category resolution, attribute sources, value mapping and the seed's errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpdash.catalog.models import CatalogItem, Category, Product, ProductPrice, ProductStock
from mpdash.channels.mapper import Mapper, check_template, map_products, normalise
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteAttribute, RemoteAttributeValue, RemoteCategory


@pytest.fixture
def tree(channel_factory):
    channel = channel_factory()
    root = RemoteCategory.objects.create(channel=channel, remote_id="1", name="Giyim", path="Giyim")
    fetched = timezone.now()
    dress = RemoteCategory.objects.create(
        channel=channel, remote_id="10", name="Elbise", path="Giyim > Elbise", parent=root, is_leaf=True, attributes_fetched_at=fetched
    )
    tee = RemoteCategory.objects.create(
        channel=channel, remote_id="11", name="Tişört", path="Giyim > Tişört", parent=root, is_leaf=True, attributes_fetched_at=fetched
    )
    colour = RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="renk", name="Renk", required=True)
    for rid, name in (("101", "Kırmızı"), ("102", "Mavi"), ("103", "İndigo")):
        RemoteAttributeValue.objects.create(attribute=colour, remote_id=rid, name=name)
    size = RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="beden", name="Beden", required=True, variant=True)
    for rid, name in (("201", "S"), ("202", "M"), ("203", "L")):
        RemoteAttributeValue.objects.create(attribute=size, remote_id=rid, name=name)
    RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="materyal", name="Materyal", allow_custom=True, data_type="text")
    for key, label, source, required in (
        ("UrunAdi", "Ürün Adı", "name", True),
        ("Barcode", "Barkod", "attributes.barcode", True),
        ("Marka", "Marka", "", True),
        ("Images", "Görseller", "images", True),
    ):
        RemoteAttribute.objects.create(
            channel=channel, category=None, remote_id=key, name=label, source=source, required=required, is_default=True,
            data_type="list" if key == "Images" else "text",
        )
    AttributeMapping.objects.create(channel=channel, attribute="Marka", source_type="constant", source="Mpdash Moda")
    local_root = Category.objects.create(code="giyim", name="Giyim")
    local_dress = Category.objects.create(code="elbise", name="Elbise", parent=local_root)
    CategoryMapping.objects.create(channel=channel, local_category=local_dress, remote_category=dress)
    return {"channel": channel, "dress": dress, "tee": tee, "local_root": local_root, "local_dress": local_dress}


def product(tree, lists, sku="D-1", *, attributes=None, images=1, price="199.90", stock=5, category=None):
    p = Product.objects.create(
        sku=sku, name="Yazlık elbise", category=category or tree["local_dress"],
        attributes={"barcode": "8690000000001", "renk": "kırmızı", "Beden": "M"} if attributes is None else attributes,
        images=[f"https://img.invalid/{i}.jpg" for i in range(images)],
    )
    CatalogItem.objects.create(catalog=lists["catalog"], product=p)
    if price is not None:
        ProductPrice.objects.create(price_list=lists["price_list"], product=p, price=Decimal(price))
    if stock is not None:
        ProductStock.objects.create(stock_list=lists["stock_list"], product=p, quantity=stock)
    return p


def mapped(tree, p, **kw):
    return map_products(tree["channel"], [p], **kw)[0]


def test_complete_product_maps_to_a_record(tree, lists):
    m = mapped(tree, product(tree, lists))
    assert m.errors == []
    assert m.record.category_id == "10" and m.category_path == "Giyim > Elbise"
    assert m.record.fields["UrunAdi"] == "Yazlık elbise"
    assert m.record.fields["Marka"] == "Mpdash Moda"
    assert m.record.fields["Barcode"] == "8690000000001"
    assert m.record.fields["Images"] == ["https://img.invalid/0.jpg"]
    by_name = {c.attribute_name: c for c in m.record.attributes}
    assert by_name["Renk"].value_ids == ["101"]  # matched by name, case-insensitively with Turkish rules
    assert by_name["Beden"].value_ids == ["202"]
    assert "Materyal" not in by_name  # optional and empty: left out


def test_missing_required_attribute_uses_the_seed_wording(tree, lists):
    m = mapped(tree, product(tree, lists, attributes={"barcode": "1", "Beden": "M"}))
    assert "`Renk` attribute is required" in m.errors


def test_undefined_value_uses_the_seed_wording(tree, lists):
    m = mapped(tree, product(tree, lists, attributes={"barcode": "1", "renk": "Mor", "Beden": "M"}))
    assert "`Renk`: `Mor` was not defined for `Elbise`" in m.errors


def test_value_map_and_custom_values(tree, lists):
    AttributeMapping.objects.create(
        channel=tree["channel"], attribute="Renk", source_type="attribute", source="color", value_map={"Bordo": "101"}
    )
    m = mapped(tree, product(tree, lists, attributes={"barcode": "1", "color": "bordo", "Beden": "M", "Materyal": "Keten"}))
    assert m.errors == []
    by_name = {c.attribute_name: c for c in m.record.attributes}
    assert by_name["Renk"].value_ids == ["101"]
    assert by_name["Materyal"].custom_value == "Keten"


def test_category_mapping_overrides_the_global_one(tree, lists):
    AttributeMapping.objects.create(channel=tree["channel"], attribute="renk", source_type="attribute", source="color")
    AttributeMapping.objects.create(
        channel=tree["channel"], remote_category=tree["dress"], attribute="Renk", source_type="constant", source="Mavi"
    )
    m = mapped(tree, product(tree, lists, attributes={"barcode": "1", "color": "Kırmızı", "Beden": "S"}))
    assert {c.attribute_name: c.value_ids for c in m.record.attributes}["Renk"] == ["102"]


def test_template_source(tree, lists):
    AttributeMapping.objects.create(
        channel=tree["channel"], attribute="UrunAdi", source_type="template", source="{name} - {attributes.renk} {attributes.Beden}"
    )
    m = mapped(tree, product(tree, lists))
    assert m.record.fields["UrunAdi"] == "Yazlık elbise - kırmızı M"
    assert check_template("{name} {attributes.x}") == ""
    assert "unknown placeholder" in check_template("{nope}")


def test_no_category_mapping_names_the_product(tree, lists):
    other = Category.objects.create(code="ayakkabi", name="Ayakkabı")
    m = mapped(tree, product(tree, lists, category=other))
    assert m.record is None
    assert any("D-1" in e and "Ayakkabı" in e and "category mapping" in e for e in m.errors)


def test_two_equally_specific_mappings_are_an_error_naming_both(tree, lists):
    CategoryMapping.objects.create(channel=tree["channel"], local_category=tree["local_dress"], remote_category=tree["tee"])
    m = mapped(tree, product(tree, lists))
    assert any("several marketplace categories" in e and "Giyim > Elbise" in e and "Giyim > Tişört" in e for e in m.errors)


def test_most_specific_mapping_wins(tree, lists):
    # A rule on the parent applies to sub-categories, but the deeper rule wins...
    CategoryMapping.objects.create(channel=tree["channel"], local_category=tree["local_root"], remote_category=tree["tee"])
    assert mapped(tree, product(tree, lists)).record.category_id == "10"
    # ...and with the same category, a rule with conditions beats one without.
    CategoryMapping.objects.create(
        channel=tree["channel"], local_category=tree["local_dress"], conditions={"tip": "tişört"}, remote_category=tree["tee"]
    )
    p2 = product(tree, lists, sku="D-2", attributes={"barcode": "2", "tip": "Tişört", "renk": "Mavi", "Beden": "S"})
    assert mapped(tree, p2).record.category_id == "11"


def test_sellable_rules(tree, lists):
    m = mapped(tree, product(tree, lists, price=None, stock=None, images=0))
    assert {"Price data not found", "Stock data not found", "the product has no image"} <= set(m.errors)
    zero = product(tree, lists, sku="D-0", stock=0)
    assert "no stock: a product is sent with a stock above 0" in mapped(tree, zero).errors
    assert mapped(tree, zero, require_stock=False).errors == []  # updates go out whatever the stock


def test_image_limit_of_the_marketplace(tree, lists):
    class FewImages(tree["channel"].adapter_class):
        max_images = 2

    m = map_products(tree["channel"], [product(tree, lists, images=3)], adapter_class=FewImages)[0]
    assert any("3 images" in e and "at most 2" in e for e in m.errors)


def test_mapping_many_products_costs_a_fixed_number_of_queries(tree, lists, django_assert_max_num_queries):
    products = [product(tree, lists, sku=f"D-{i}") for i in range(60)]
    fresh = list(Product.objects.filter(pk__in=[p.pk for p in products]).select_related("category"))
    with django_assert_max_num_queries(20):
        results = map_products(tree["channel"], fresh)
    assert all(r.ok for r in results)


def test_normalise_turkish():
    assert normalise("İNDİGO") == normalise("indigo") == normalise("Indıgo ")
    assert normalise("Kırmızı") == normalise("KIRMIZI")


# --- property: a complete mapping is never rejected for a missing attribute ----------------
names = st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyz", min_size=3, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    attributes=st.lists(
        st.tuples(names, st.booleans(), st.lists(names, min_size=1, max_size=6, unique_by=normalise)),
        min_size=1, max_size=6, unique_by=lambda t: normalise(t[0]),
    ),
    data=st.data(),
)
def test_complete_products_never_miss_an_attribute(tree, lists, attributes, data):
    with transaction.atomic():
        category = RemoteCategory.objects.create(
            channel=tree["channel"], remote_id="p", name="Prop", path="Prop", is_leaf=True, attributes_fetched_at=timezone.now()
        )
        local = Category.objects.create(code="prop", name="Prop")
        CategoryMapping.objects.create(channel=tree["channel"], local_category=local, remote_category=category)
        product_attrs = {"barcode": "1"}
        for i, (name, required, values) in enumerate(attributes):
            attr = RemoteAttribute.objects.create(channel=tree["channel"], category=category, remote_id=f"a{i}", name=name, required=required)
            for j, value in enumerate(values):
                RemoteAttributeValue.objects.create(attribute=attr, remote_id=f"a{i}v{j}", name=value)
            if required or data.draw(st.booleans()):
                product_attrs[name.upper() if data.draw(st.booleans()) else name] = data.draw(st.sampled_from(values))
        p = product(tree, lists, sku="PROP-1", attributes=product_attrs, category=local)
        result = Mapper(tree["channel"]).map(
            p, price=ProductPrice.objects.get(product=p), stock=ProductStock.objects.get(product=p)
        )
        assert not [e for e in result.errors if "is required" in e or "was not defined" in e], result.errors
        allowed = {f"a{i}v{j}" for i, (_, _, vs) in enumerate(attributes) for j in range(len(vs))}
        for choice in result.record.attributes:
            assert set(choice.value_ids) <= allowed
        transaction.set_rollback(True)


def test_preview_command_prints_the_payload_and_fails_on_errors(tree, lists):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    # The marketplace's own default attributes (the fixture's are made up for the unit tests).
    RemoteAttribute.objects.filter(channel=tree["channel"], category__isnull=True).delete()
    good = product(tree, lists, sku="D-OK", attributes={"barcode": "8690000000001", "brand": "Mpdash", "renk": "Mavi", "Beden": "S"})
    Product.objects.filter(pk=good.pk).update(description="Yazlık elbise")
    AttributeMapping.objects.create(channel=tree["channel"], attribute="GarantiSuresi", source_type="constant", source="24")
    AttributeMapping.objects.create(channel=tree["channel"], attribute="kg", source_type="constant", source="1")
    out = StringIO()
    try:
        call_command("preview_product", "--channel", tree["channel"].slug, "--sku", good.sku, stdout=out)
    except CommandError:
        raise AssertionError(out.getvalue()) from None
    shown = json.loads(out.getvalue())
    assert shown["valid"] and shown["payload"] and shown["category"] == "Giyim > Elbise"
    bad = product(tree, lists, sku="D-BAD", attributes={"barcode": "1", "Beden": "M"})
    out = StringIO()
    with pytest.raises(CommandError, match="would not be sent"):
        call_command("preview_product", "--channel", tree["channel"].slug, "--sku", bad.sku, stdout=out)
    assert "`Renk` attribute is required" in out.getvalue()


def test_products_wait_until_the_category_attributes_are_fetched(tree, lists):
    RemoteCategory.objects.filter(pk=tree["dress"].pk).update(attributes_fetched_at=None)
    m = mapped(tree, product(tree, lists))
    assert any("have not been fetched yet; run Category Attributes" in e for e in m.errors)
