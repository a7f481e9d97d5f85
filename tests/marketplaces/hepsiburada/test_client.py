"""The listing client against the simulator: every failure maps to the right error."""

from __future__ import annotations

import httpx
import pytest

from mpdash.marketplaces.errors import (
    Action,
    AuthError,
    ConfigError,
    MalformedResponse,
    RateLimited,
    RequestRejected,
    TransientError,
)
from mpdash.marketplaces.hepsiburada.client import HepsiburadaListingClient, listing_budget


def test_upload_and_status_round_trip(sim, client):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1}])
    upload_id = client.upload_stock([{"merchantSku": "A", "availableStock": 3}])
    status = client.get_upload_status("stock", upload_id)
    assert status.id == upload_id and not status.is_finished
    sim.wait_until_applied(2)
    assert client.get_upload_status("stock", upload_id).is_finished
    assert client.last_exchange()["status_code"] == 200


def test_requests_carry_basic_auth_and_user_agent(sim):
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        return httpx.Response(200, json={"id": "u-1"})

    client = HepsiburadaListingClient("https://listing.invalid", merchant_id="m 1", username="m 1", password="key123",
                                      user_agent="integrator_x", transport=httpx.MockTransport(handler))
    assert client.upload_price([{"merchantSku": "A", "price": 1.5}]) == "u-1"
    assert seen["user-agent"] == "integrator_x"
    assert seen["authorization"].startswith("Basic ")
    assert "key123" not in repr(client)
    assert "key123" not in str(client.last_exchange())


def test_wrong_credentials_raise_auth_error(make_client):
    with pytest.raises(AuthError) as caught:
        make_client(password="wrong").list_listings(0, 10)
    assert caught.value.status_code == 401 and caught.value.action is Action.FAIL_RUN


def test_wrong_user_agent_raises_auth_error(make_client):
    with pytest.raises(AuthError) as caught:
        make_client(user_agent="somebody-else").list_listings(0, 10)
    assert caught.value.status_code == 403


def test_missing_settings_raise_config_error():
    with pytest.raises(ConfigError, match="user_agent"):
        HepsiburadaListingClient("https://x.invalid", merchant_id="m", username="m", password="p", user_agent=" ")


def test_429_raises_rate_limited_with_retry_after_from_headers(sim, client):
    sim.configure(fault={"mode": "429", "count": 1, "path": None})
    with pytest.raises(RateLimited) as caught:
        client.list_listings(0, 10)
    assert caught.value.retry_after == 2.0 and caught.value.action is Action.RETRY_LATER
    assert client.list_listings(0, 10).total_count == 0  # the fault cleared itself


def test_real_rate_limit_window(sim, client):
    sim.configure(rate_limit=2)
    with pytest.raises(RateLimited) as caught:
        for _ in range(4):
            client.list_listings(0, 1)
    assert 0 < caught.value.retry_after <= 1.0


def test_5xx_raises_transient_error(sim, client):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "stock-uploads", "status": 503})
    with pytest.raises(TransientError) as caught:
        client.upload_stock([{"merchantSku": "A", "availableStock": 1}])
    assert caught.value.status_code == 503
    assert sim.uploads_total == 0


def test_timeout_raises_transient_error(sim, make_client):
    sim.configure(fault={"mode": "timeout", "count": 1, "path": None}, timeout_sleep=3)
    client = make_client(timeout=httpx.Timeout(0.5))
    with pytest.raises(TransientError, match="did not answer in time"):
        client.list_listings(0, 10)
    assert client.last_exchange()["error"].startswith("timeout")


def test_malformed_answer_raises_malformed_response(sim, client):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    with pytest.raises(MalformedResponse, match="not JSON"):
        client.get_upload_status("price", "does-not-matter")


def test_unexpected_json_raises_malformed_response():
    answers = iter([httpx.Response(200, json={"trackingId": "x"}), httpx.Response(200, json={"listings": []})])
    client = HepsiburadaListingClient("https://x.invalid", merchant_id="m", username="m", password="p",
                                      user_agent="ua", transport=httpx.MockTransport(lambda request: next(answers)))
    with pytest.raises(MalformedResponse, match=r"POST /listings/merchantid/m/stock-uploads: .*id"):
        client.upload_stock([{"merchantSku": "A", "availableStock": 1}])
    with pytest.raises(MalformedResponse, match="totalCount"):
        client.list_listings(0, 10)


def test_oversize_upload_is_rejected(sim, client):
    sim.configure(max_items_per_upload=2)
    with pytest.raises(RequestRejected, match="at most 2"):
        client.upload_stock([{"merchantSku": f"S{i}", "availableStock": 1} for i in range(3)])


def test_too_many_pending_uploads_means_retry_later(sim, client):
    sim.configure(max_pending_uploads=1, processing_delay=5)
    client.upload_stock([{"merchantSku": "A", "availableStock": 1}])
    with pytest.raises(RateLimited, match="too many") as caught:
        client.upload_stock([{"merchantSku": "A", "availableStock": 2}])
    assert caught.value.retry_after == 30.0


def test_unknown_upload_id_is_rejected(client):
    with pytest.raises(RequestRejected) as caught:
        client.get_upload_status("stock", "no-such-upload")
    assert caught.value.status_code == 404


def test_listing_filter_limits(client):
    with pytest.raises(ValueError, match="at most 50"):
        client.list_listings(0, 10, merchant_skus=[f"S{i}" for i in range(51)])
    with pytest.raises(ValueError, match="upload kind"):
        client.get_upload_status("shipping", "x")


def test_listing_budget_key_and_rates():
    budget = listing_budget("m-1")
    assert budget.key == "hepsiburada:listing:m-1"
    assert [(spec.calls, spec.per_seconds) for spec in budget.specs] == [(20, 1), (240, 60)]
