"""Auth (API key, i1 token obtain), error bodies and pagination against the simulator over HTTP."""

import httpx
import pytest

from mpdash.marketplaces.akinon.adapter import FashfedAdapter, MonoAdapter, PassoAdapter
from mpdash.marketplaces.auth import MemoryTokenStore
from mpdash.marketplaces.errors import AuthError, ConfigError, RequestRejected


def test_api_key_header_and_wrong_key(sim):
    adapter = MonoAdapter(sim.adapter_config())
    assert [c.name for c in adapter.fetch_categories([])][:2] == ["Giyim", "Kadın"]
    bad = MonoAdapter({**sim.adapter_config(), "access_token": "wrong"})
    with pytest.raises(AuthError) as info:
        list(bad.fetch_categories([]))
    assert "Invalid token. (authentication_failed)" in str(info.value)
    assert "access_token" in str(info.value) and "wrong" not in str(info.value)


def test_raw_error_body_is_detail_and_code(sim):
    answer = httpx.get(f"{sim.url}/api/i2/packages/")
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


def test_i1_token_obtain_then_bearer(sim):
    store = MemoryTokenStore()
    adapter = PassoAdapter(sim.adapter_config("i1"), token_store=store)
    assert any(c.name == "Ayakkabı" for c in adapter.fetch_categories([]))
    list(adapter.fetch_categories([]))
    assert adapter.client.credentials.provider.fetches == 1  # the token is obtained once and reused
    sim.state.tokens.clear()  # the marketplace forgets it: a 401, one new token, the request again
    assert any(c.name == "Giyim" for c in adapter.fetch_categories([]))
    assert adapter.client.credentials.provider.fetches == 2
    wrong = PassoAdapter({**sim.adapter_config("i1"), "password": "nope"}, token_store=MemoryTokenStore())
    with pytest.raises(AuthError) as info:
        list(wrong.fetch_categories([]))
    assert "nope" not in str(info.value)


def test_config_errors_name_the_key(sim):
    with pytest.raises(ConfigError, match="access_token is empty"):
        FashfedAdapter({**sim.adapter_config(), "access_token": ""})
    with pytest.raises(ConfigError, match="i1 needs email and password"):
        FashfedAdapter({"base_url": sim.url, "api_version": "i1"})
    with pytest.raises(ConfigError, match="api_version must be i2"):
        FashfedAdapter({**sim.adapter_config(), "api_version": "v3"})
    with pytest.raises(ConfigError, match="base_url"):
        FashfedAdapter({**sim.adapter_config(), "base_url": "seller-center"})


def test_pagination_follows_next_and_refuses_past_the_end(sim):
    for n in range(25):
        sim.add_offer(f"SKU-{n:02d}", stock=n)
    adapter = MonoAdapter(sim.adapter_config())
    first = adapter.client.page("offers/", 1, 10)
    assert first.count == 25 and first.previous is None and "page=2" in first.next
    last = adapter.client.page("offers/", 3, 10)
    assert len(last.results) == 5 and last.next is None
    assert sorted(o.sku for o in adapter.list_listings()) == [f"SKU-{n:02d}" for n in range(25)]
    with pytest.raises(RequestRejected, match="Invalid page"):
        adapter.client.page("offers/", 4, 10)


def test_three_registrations_differ_only_in_defaults():
    labels = {cls.name: cls.label for cls in (MonoAdapter, FashfedAdapter, PassoAdapter)}
    assert labels == {"mono": "Mono", "fashfed": "Fashfed", "passo": "Passo"}
    assert MonoAdapter.flows is PassoAdapter.flows
    assert {f.key for f in MonoAdapter.schema} == {f.key for f in FashfedAdapter.schema}
    assert "Passo" in next(f.help for f in PassoAdapter.schema if f.key == "access_token")
