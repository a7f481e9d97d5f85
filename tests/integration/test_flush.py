"""``manage flush`` works on SQLite with the change-tracking triggers in place."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from mpdash.catalog.models import CatalogItem, Product
from mpdash.integration.models import PendingChange, ProductIntegration

from ..conftest import make_products

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_with_products_on_a_channel(lists, channel_factory):
    products = make_products(lists, 5)
    channel = channel_factory()
    for p in products:
        ProductIntegration.objects.create(channel=channel, product=p, created_remotely=True)
    assert CatalogItem.objects.exists() and PendingChange.objects.exists()
    if connection.vendor == "sqlite":
        # The statement order that broke: pending rows first, catalog items (whose
        # delete trigger writes pending rows) after, products last.
        sql = connection.ops.sql_flush(
            no_style(), ["integration_pendingchange", "catalog_catalogitem", "catalog_product"], allow_cascade=True
        )
        assert sql[-1].startswith("DELETE") and "integration_pendingchange" in sql[-1]
    call_command("flush", "--no-input", verbosity=0)
    assert not Product.objects.exists() and not PendingChange.objects.exists()
