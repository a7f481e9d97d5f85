"""The N11 client against the simulator over real HTTP: headers, paths, error mapping."""

from __future__ import annotations

import pytest

from mpdash.marketplaces.errors import MalformedResponse, RateLimited, RequestRejected
from mpdash.marketplaces.n11.client import N11Client


def test_headers_are_sent_and_secrets_never_shown(client, sim):
    assert "appkey" not in client._client.headers  # sent by the credentials provider on each request
    assert "demo-app-secret" not in repr(client)
    tree = client.get_categories()
    assert [c.id for c in tree] == [1000001, 1000002, 1000003] and tree[0].sub_categories[0].sub_categories
    assert "demo-app-secret" not in str(client.last_exchange())


def test_task_round_trip(client, sim):
    sim.add_products([{"stockCode": "A", "salePrice": 10, "quantity": 1}])
    task_id = client.update_price_stock([{"stockCode": "A", "quantity": 5, "currencyType": "TL"}])
    assert client.get_task(task_id).status == "IN_QUEUE"
    assert sim.wait_until_processed(2)
    details = client.get_task(task_id)
    assert details.status == "PROCESSED" and details.skus.content[0].item_code == "A"
    body = sim.task(task_id)["skus"]
    assert body == [{"stockCode": "A", "quantity": 5, "currencyType": "TL"}]


def test_client_side_rules(client, sim):
    with pytest.raises(ValueError, match="at most 1000"):
        client.update_price_stock([{"stockCode": str(i), "quantity": 1} for i in range(1001)])
    with pytest.raises(ValueError, match="only together"):
        client.update_price_stock([{"stockCode": "A", "salePrice": 5}])
    with pytest.raises(ValueError, match="status"):
        client.get_packages("New", 0, 1)
    assert sim.requests_total == 0


def test_error_mapping(client, sim):
    with pytest.raises(RequestRejected, match="not a leaf"):
        client.get_category_attributes(1000001)
    sim.configure(fault={"mode": "429", "count": 1})
    with pytest.raises(RateLimited) as limited:
        client.get_categories()
    assert limited.value.retry_after == 1
    sim.configure(fault={"mode": "malformed", "count": 1})
    with pytest.raises(MalformedResponse):
        client.get_categories()


def test_soap_base_url_reaches_the_rest_paths(sim):
    with N11Client(f"{sim.url}/ws/", app_key="demo-app-key", app_secret="demo-app-secret") as client:
        assert client.base_url == sim.url
        assert client.get_products().content == []
