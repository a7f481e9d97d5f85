"""Categories & Mapping: the tree (lazy children, search), attributes and values,
category and attribute mappings through the models' validation, and the preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping

from .conftest import dress_product

pytestmark = pytest.mark.django_db


def url(name, channel, **kw):
    return reverse(f"dashboard:{name}", kwargs={"slug": channel.slug, **kw})


def test_the_tree_loads_children_lazily_and_searches_paths(tree, client_as):
    channel, client = tree["channel"], client_as("viewer")
    page = client.get(url("mapping", channel)).content.decode()
    assert "Giyim" in page and "Tişört" not in page.split('data-testid="tree"', 1)[1]  # children not loaded yet
    children = client.get(url("tree-children", channel, category_id=tree["root"].pk)).content.decode()
    assert "Elbise" in children and "Tişört" in children
    found = client.get(url("tree-search", channel) + "?q=ti%C5%9F").content.decode()
    assert "Giyim &gt; Tişört" in found and "Elbise" not in found
    assert "No category matches" in client.get(url("tree-search", channel) + "?q=zzz").content.decode()


def test_a_category_page_opens_the_tree_down_to_it_and_lists_attributes(tree, client_as):
    channel = tree["channel"]
    page = client_as("viewer").get(url("mapping-category", channel, category_id=tree["dress"].pk)).content.decode()
    assert '<details open>' in page and 'class="current">Elbise' in page
    for name in ("Renk", "Beden", "Materyal"):
        assert f'data-testid="attr-{name}"' in page
    assert "3 allowed values" in page
    values = client_as("viewer").get(url("attribute-values", channel, attribute_id=tree["colour"].pk) + "?q=mav").content.decode()
    assert "Mavi" in values and "Kırmızı" not in values


def test_attribute_mapping_for_a_category_and_its_validation(tree, client_as):
    channel, client = tree["channel"], client_as("operator")
    body = {"remote_attribute": tree["colour"].pk, "scope": tree["dress"].pk, "page_category": tree["dress"].pk, "row": "c-renk"}
    response = client.post(url("attribute-mapping-save", channel), {**body, "source_type": "field", "source": "colour"})
    assert response.status_code == 400
    assert "source: unknown product field &#x27;colour&#x27;" in response.content.decode()
    response = client.post(url("attribute-mapping-save", channel), {**body, "source_type": "attribute", "source": "color",
                                                                    "value_map": "{bad"})
    assert response.status_code == 400 and "value_map: not valid JSON" in response.content.decode()
    assert not AttributeMapping.objects.filter(attribute="renk").exists()
    response = client.post(url("attribute-mapping-save", channel), {**body, "source_type": "attribute", "source": "color",
                                                                    "value_map": '{"Bordo": "101"}'})
    assert response.status_code == 302
    mapping = AttributeMapping.objects.get(channel=channel, remote_category=tree["dress"], attribute="renk")
    assert (mapping.source_type, mapping.source, mapping.value_map) == ("attribute", "color", {"Bordo": "101"})
    # Saving again edits the same rule.
    client.post(url("attribute-mapping-save", channel), {**body, "source_type": "constant", "source": "Mavi"})
    assert AttributeMapping.objects.filter(channel=channel, attribute="renk").count() == 1
    assert AttributeMapping.objects.get(channel=channel, attribute="renk").source == "Mavi"
    client.post(url("attribute-mapping-delete", channel, mapping_id=mapping.pk), {"page_category": tree["dress"].pk})
    assert not AttributeMapping.objects.filter(channel=channel, attribute="renk").exists()


def test_a_global_mapping_is_keyed_by_name_and_shown_as_inherited(tree, client_as):
    channel, client = tree["channel"], client_as("operator")
    client.post(url("attribute-mapping-save", channel), {
        "remote_attribute": tree["colour"].pk, "scope": "global", "page_category": tree["dress"].pk,
        "source_type": "attribute", "source": "color",
    })
    assert AttributeMapping.objects.get(channel=channel, remote_category=None, attribute="Renk").source == "color"
    page = client.get(url("mapping-category", channel, category_id=tree["dress"].pk)).content.decode()
    assert "from the mapping for all categories" in page


def test_category_mapping_create_with_validation(tree, client_as):
    channel, client = tree["channel"], client_as("operator")
    response = client.post(url("category-mapping-save", channel), {"remote_category": tree["root"].pk, "local_category": "giyim"})
    assert response.status_code == 400 and "is not a leaf" in response.content.decode()
    response = client.post(url("category-mapping-save", channel), {"remote_category": tree["tee"].pk, "local_category": "nope"})
    assert response.status_code == 400 and "no local category with code &#x27;nope&#x27;" in response.content.decode()
    response = client.post(url("category-mapping-save", channel), {"remote_category": tree["tee"].pk})
    assert response.status_code == 400 and "give a local category, conditions on product attributes, or both" in response.content.decode()
    response = client.post(url("category-mapping-save", channel), {"remote_category": tree["tee"].pk, "conditions": '["x"]'})
    assert response.status_code == 400 and "must be a JSON object" in response.content.decode()
    response = client.post(url("category-mapping-save", channel),
                           {"remote_category": tree["tee"].pk, "local_category": "elbise", "conditions": '{"tip": "tişört"}'})
    assert response.status_code == 302
    mapping = CategoryMapping.objects.get(channel=channel, remote_category=tree["tee"])
    assert mapping.local_category == tree["local_dress"] and mapping.conditions == {"tip": "tişört"}
    client.post(url("category-mapping-delete", channel, mapping_id=mapping.pk))
    assert not CategoryMapping.objects.filter(pk=mapping.pk).exists()


def test_preview_shows_errors_then_the_payload(tree, lists, client_as):
    channel, client = tree["channel"], client_as("viewer")
    dress_product(tree, lists)
    invalid = client.get(url("preview", channel) + "?sku=D-1").content.decode()
    assert "`Renk` attribute is required" in invalid and 'data-testid="preview-invalid"' in invalid
    AttributeMapping.objects.create(channel=channel, remote_category=tree["dress"], attribute="renk", source_type="attribute", source="color")
    valid = client.get(url("preview", channel) + "?sku=D-1").content.decode()
    assert 'data-testid="preview-valid"' in valid and "&quot;renk&quot;: &quot;Kırmızı&quot;" in valid
    assert "The relevant SKU not exists in the catalog" in client.get(url("preview", channel) + "?sku=NOPE").content.decode()


def test_mappings_of_another_channel_cannot_be_touched(tree, client_as, lists):
    from mpdash.channels.models import SalesChannel

    other = SalesChannel(name="Other", slug="other", marketplace="hepsiburada", **lists)
    other.save()
    mapping = CategoryMapping.objects.get(channel=tree["channel"])
    response = client_as("operator").post(url("category-mapping-delete", other, mapping_id=mapping.pk))
    assert response.status_code == 404 and CategoryMapping.objects.filter(pk=mapping.pk).exists()


def test_the_rule_shown_is_edited_in_place_and_a_category_can_override_it(tree, client_as):
    channel, client = tree["channel"], client_as("operator")
    by_name = AttributeMapping.objects.create(channel=channel, remote_category=tree["dress"], attribute="Renk",
                                              source_type="attribute", source="colour")
    body = {"remote_attribute": tree["colour"].pk, "page_category": tree["dress"].pk, "source_type": "attribute", "source": "color"}
    client.post(url("attribute-mapping-save", channel), {**body, "scope": tree["dress"].pk, "mapping_id": by_name.pk})
    assert list(AttributeMapping.objects.filter(channel=channel, remote_category=tree["dress"]).values_list("attribute", "source")) == [
        ("Renk", "color")]
    marka = AttributeMapping.objects.get(channel=channel, remote_category=None, attribute="Marka")
    client.post(url("attribute-mapping-save", channel), {
        "attribute": "Marka", "scope": tree["dress"].pk, "mapping_id": marka.pk, "page_category": tree["dress"].pk,
        "source_type": "constant", "source": "Elbise Markası",
    })
    marka.refresh_from_db()
    assert marka.source == "Mpdash Moda"  # the mapping for all categories stays
    assert AttributeMapping.objects.get(channel=channel, remote_category=tree["dress"], attribute="Marka").source == "Elbise Markası"


def test_mapping_control_lists_products_with_incomplete_mappings_page_by_page(tree, lists, client_as, monkeypatch):
    from mpdash.dashboard.views import mapping as mapping_views

    monkeypatch.setattr(mapping_views, "CONTROL_PAGE", 2)
    channel, client = tree["channel"], client_as("viewer")
    for i in range(3):
        dress_product(tree, lists, sku=f"D-{i}")
    page = client.get(url("mapping-control", channel)).content.decode()
    assert "D-0" in page and "D-1" in page and "D-2" not in page  # the first page of two
    assert "`Renk` attribute is required" in page and 'data-testid="control-next"' in page
    second = client.get(url("mapping-control", channel) + "?after=" + page.split("?after=")[1].split('"')[0]).content.decode()
    assert "D-2" in second and "D-0" not in second
    AttributeMapping.objects.create(channel=channel, remote_category=tree["dress"], attribute="renk", source_type="attribute",
                                    source="color")
    assert "Every product of this page maps completely" in client.get(url("mapping-control", channel)).content.decode()
