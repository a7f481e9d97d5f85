"""What went out for each item of a batch is kept on the item, whatever its JSON shape."""

from __future__ import annotations

import pytest

from mpdash.integration.models import BatchItem, BatchRequest
from mpdash.integration.sync_flow import _record_sent

from ..conftest import make_products

pytestmark = pytest.mark.django_db


def test_each_item_keeps_what_was_sent_for_its_sku(lists, channel_factory):
    channel = channel_factory()
    products = make_products(lists, 7)
    skus = ['A"quoted', "plain", "text", "number", "yes", "no", "nothing"]
    batch = BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock")
    other = BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock")
    for product, sku in zip(products, skus):
        BatchItem.objects.create(batch=batch, product=product, sku=sku, pending_version=1)
    BatchItem.objects.create(batch=other, product=products[1], sku="plain", pending_version=1)
    sent = {'A"quoted': {"merchantSku": 'A"quoted', "availableStock": 3, "list": [1, None]}, "plain": [1, "x"],
            "text": "a 'text' \"value\"", "number": 2.5, "yes": True, "no": False, "nothing": None}
    _record_sent(batch, sent)
    stored = dict(BatchItem.objects.filter(batch=batch).values_list("sku", "sent"))
    assert stored == sent
    assert BatchItem.objects.get(batch=other).sent is None  # another batch's item with the same SKU is left alone
