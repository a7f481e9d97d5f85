"""Property: whatever the products, a product request never exceeds the marketplace's
batch size or request size (the flow splits; the rest waits for the next request)."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mpdash.integration.product_flow import ENVELOPE_BYTES, fit_request
from mpdash.marketplaces.base import AttributeChoice, ProductRecord
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter
from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter

HB_CONFIG = {"listing_url": "http://127.0.0.1:9", "base_url": "http://127.0.0.1:9", "merchant_id": "m", "password": "p", "user_agent": "u"}
TY_CONFIG = {"base_url": "http://127.0.0.1:9/integration", "seller_id": "1", "api_key": "k", "api_secret": "s"}

text = st.text(alphabet="abcçdefgğhıijklmnoöprsştuüvyz ÇĞİÖŞÜ0123456789", max_size=200)


@st.composite
def records(draw, n_max=60):
    out = {}
    for i in range(draw(st.integers(1, n_max))):
        description = draw(text) * draw(st.sampled_from([1, 10, 500]))
        fields = {
            "merchantSku": f"S{i}", "stockCode": f"S{i}", "barcode": f"869{i:010d}", "Barcode": f"869{i:010d}",
            "title": draw(text) or "t", "UrunAdi": draw(text) or "t", "description": description, "UrunAciklamasi": description,
            "productMainId": "G", "VaryantGroupID": "G", "brandId": 100, "Marka": "M", "GarantiSuresi": 24, "kg": 1,
            "dimensionalWeight": 1, "images": [f"https://img.invalid/{i}/{k}.jpg" for k in range(draw(st.integers(1, 8)))],
            "price": Decimal("10"), "salePrice": Decimal("10"), "listPrice": Decimal("12"), "stock": 5, "quantity": 5,
            "tax_vat_rate": 20, "vatRate": 20,
        }
        attributes = [AttributeChoice(attribute_id=str(k), attribute_name=f"A{k}", custom_value=draw(text)) for k in range(draw(st.integers(0, 5)))]
        out[i] = ProductRecord(sku=f"S{i}", category_id="1003", fields=fields, attributes=attributes)
    return out


def check(adapter_class, config, batch, limit_bytes):
    class Small(adapter_class):  # a small limit makes splitting happen with small inputs
        max_request_bytes = limit_bytes

        @classmethod
        def batch_size(cls, kind):
            return 25

    adapter = Small(config, budget=None)
    kept = fit_request(adapter, batch)
    assert 1 <= len(kept) <= 25
    assert list(kept) == list(batch)[: len(kept)]  # a prefix: nothing skipped, order kept
    sizes = [len(json.dumps(adapter.build_product_payload(r), ensure_ascii=False, default=str).encode()) + 2 for r in kept.values()]
    if len(kept) > 1:
        assert sum(sizes) <= limit_bytes - ENVELOPE_BYTES


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=records(), limit=st.sampled_from([20_000, 60_000, 10 * 1024 * 1024]))
def test_hepsiburada_requests_fit(batch, limit):
    check(HepsiburadaAdapter, HB_CONFIG, batch, limit)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=records(), limit=st.sampled_from([20_000, 60_000, 10 * 1024 * 1024]))
def test_trendyol_requests_fit(batch, limit):
    check(TrendyolAdapter, TY_CONFIG, batch, limit)
