"""Product change tracking: content edits raise the version and mark products pending;
deactivation and catalog removal mark a delete; stale saves never lower the version."""

from __future__ import annotations

import pytest

from mpdash.catalog.models import CatalogItem, Product
from mpdash.integration.models import PendingChange

from ..conftest import make_products


def pending(channel, kind="product"):
    return dict(PendingChange.objects.filter(channel=channel, kind=kind).values_list("product__sku", "version"))


@pytest.mark.django_db(transaction=True)
def test_content_edit_bumps_version_and_marks_pending(lists, channel_factory):
    make_products(lists, 3)
    channel = channel_factory()
    PendingChange.objects.filter(channel=channel, kind="product").delete()
    p = Product.objects.get(sku="SKU-000001")
    p.name = "Yeni ad"
    p.save()
    p.refresh_from_db()
    assert p.version == 2
    assert pending(channel) == {"SKU-000001": 1}
    Product.objects.filter(pk=p.pk).update(images=["https://img.invalid/2.jpg"])
    assert Product.objects.get(pk=p.pk).version == 3
    assert pending(channel) == {"SKU-000001": 2}


@pytest.mark.django_db(transaction=True)
def test_save_without_content_change_marks_nothing_and_keeps_version(lists, channel_factory):
    make_products(lists, 1)
    channel = channel_factory()
    PendingChange.objects.filter(channel=channel, kind="product").delete()
    stale = Product.objects.get(sku="SKU-000000")
    Product.objects.filter(pk=stale.pk).update(name="changed elsewhere")  # version 2 in the db
    stale.save(update_fields=["version", "is_active"])  # writes the stale version 1, same content
    assert Product.objects.get(pk=stale.pk).version == 2


@pytest.mark.django_db(transaction=True)
def test_deactivation_and_catalog_removal_mark_delete(lists, channel_factory):
    make_products(lists, 2)
    channel = channel_factory()
    Product.objects.filter(sku="SKU-000000").update(is_active=False)
    assert set(pending(channel, "product_delete")) == {"SKU-000000"}
    CatalogItem.objects.filter(product__sku="SKU-000001").delete()
    assert set(pending(channel, "product_delete")) == {"SKU-000000", "SKU-000001"}


@pytest.mark.django_db(transaction=True)
def test_new_channel_and_catalog_item_mark_products(lists, channel_factory):
    make_products(lists, 2)
    channel = channel_factory()
    assert set(pending(channel)) == {"SKU-000000", "SKU-000001"}
