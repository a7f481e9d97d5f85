"""The simulator over plain HTTP: gatekeeping, uploads, paging, control endpoints, load."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from mpdash.marketplaces.hepsiburada.simulator import main, serve

MID = "demo-merchant"
GOOD = {"auth": ("demo-merchant", "demo-service-key"), "headers": {"User-Agent": "mpdash"}}


def api(sim, method, path, **kw):
    kw = {**GOOD, **kw}
    return httpx.request(method, sim.url + path, timeout=5, **kw)


def test_wrong_password_is_refused_with_401(sim):
    answer = api(sim, "GET", f"/listings/merchantid/{MID}?offset=0&limit=1", auth=("demo-merchant", "nope"))
    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == 401 and body["error"] == "Unauthorized" and body["path"].startswith("/listings")


def test_missing_or_wrong_user_agent_is_refused_with_403(sim):
    wrong = api(sim, "GET", f"/listings/merchantid/{MID}?offset=0&limit=1", headers={"User-Agent": "curl"})
    assert wrong.status_code == 403 and "User-Agent" in wrong.json()["message"]


def test_other_merchant_is_forbidden(sim):
    assert api(sim, "GET", "/listings/merchantid/someone-else?offset=0&limit=1").status_code == 403


def test_listings_need_limit_and_offset(sim):
    answer = api(sim, "GET", f"/listings/merchantid/{MID}")
    assert answer.status_code == 400 and "limit and offset" in answer.json()["message"]


def test_listings_paging_and_sku_filter(sim):
    sim.add_listings([{"merchantSku": f"P-{i}", "price": 10 + i, "availableStock": i} for i in range(5)])
    page = api(sim, "GET", f"/listings/merchantid/{MID}", params={"offset": 3, "limit": 2}).json()
    assert [item["merchantSku"] for item in page["listings"]] == ["P-3", "P-4"]
    assert (page["totalCount"], page["limit"], page["offset"]) == (5, 2, 3)
    assert page["listings"][0]["hepsiburadaSku"].startswith("HBV")
    assert page["listings"][0]["isSalable"] is True
    filtered = api(sim, "GET", f"/listings/merchantid/{MID}",
                   params={"offset": 0, "limit": 10, "merchantSkuList": "P-0,P-2,NOPE"}).json()
    assert [item["merchantSku"] for item in filtered["listings"]] == ["P-0", "P-2"]
    assert filtered["listings"][0]["isSalable"] is False  # no stock
    too_many = ",".join(f"S{i}" for i in range(51))
    assert api(sim, "GET", f"/listings/merchantid/{MID}",
               params={"offset": 0, "limit": 10, "merchantSkuList": too_many}).status_code == 400


def test_upload_is_pending_then_done(sim):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1}])
    accepted = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=[{"merchantSku": "A", "availableStock": 9}])
    upload_id = accepted.json()["id"]
    status = api(sim, "GET", f"/listings/merchantid/{MID}/stock-uploads/id/{upload_id}").json()
    assert status["status"] == "Pending" and status["total"] == 1
    assert sim.wait_until_applied(2)
    status = api(sim, "GET", f"/listings/merchantid/{MID}/stock-uploads/id/{upload_id}").json()
    assert status["status"] == "Done" and status["errors"] is None
    assert sim.listing("A")["availableStock"] == 9
    # the id belongs to a stock upload, not a price upload
    assert api(sim, "GET", f"/listings/merchantid/{MID}/price-uploads/id/{upload_id}").status_code == 404


def test_item_errors(sim):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1, "hepsiburadaSku": "HBV00000000AA"}])
    items = [
        {"merchantSku": "A", "price": 0},
        {"merchantSku": "NOPE", "price": 3},
        {"merchantSku": "A", "hepsiburadaSku": "HBV0000000XYZ", "price": 4},
        {"hepsiburadaSku": "HBV00000000AA", "price": "1,5"},
    ]
    upload_id = api(sim, "POST", f"/listings/merchantid/{MID}/price-uploads", json=items).json()["id"]
    sim.wait_until_applied(2)
    status = api(sim, "GET", f"/listings/merchantid/{MID}/price-uploads/id/{upload_id}").json()
    codes = {e["elementNo"]: e["errors"] for e in status["errors"]}
    assert codes[1] == ["DuplicateMerchantSkuSpecified", "InvalidPrice"]
    assert codes[2] == ["ProductNotFound"]
    assert "MismatchingSkusSpecified" in codes[3]
    assert codes[4] == ["InvalidPrice"]
    assert sim.listing("A")["price"] == 5.0


def test_negative_stock_is_refused_per_item(sim):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1}, {"merchantSku": "B", "price": 5}])
    items = [{"merchantSku": "A", "availableStock": -1}, {"merchantSku": "B", "availableStock": 4}]
    upload_id = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=items).json()["id"]
    sim.wait_until_applied(2)
    status = sim.upload(upload_id)
    assert status["status"] == "Done"
    assert status["errors"] == [{"elementNo": 1, "hepsiburadaSku": sim.listing("A")["hepsiburadaSku"],
                                 "merchantSku": "A", "errors": ["InvalidAvailableStock"]}]
    assert sim.listing("A")["availableStock"] == 1 and sim.listing("B")["availableStock"] == 4


def test_oversize_and_empty_uploads_are_rejected(sim):
    sim.configure(max_items_per_upload=3)
    items = [{"merchantSku": f"S{i}", "availableStock": 1} for i in range(4)]
    answer = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=items)
    assert answer.status_code == 400 and "at most 3" in answer.json()["message"]
    assert api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=[]).status_code == 400
    assert api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", content=b"{nope").status_code == 400
    assert sim.uploads_total == 0


def test_inventory_upload_sets_price_and_stock(sim):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1}])
    items = [{"merchantSku": "A", "price": 7.5, "availableStock": 3, "dispatchTime": 2, "cargoCompany1": "MNG Kargo"}]
    upload_id = api(sim, "POST", f"/listings/merchantid/{MID}/inventory-uploads", json=items).json()["id"]
    sim.wait_until_applied(2)
    assert api(sim, "GET", f"/listings/merchantid/{MID}/inventory-uploads/id/{upload_id}").json()["status"] == "Done"
    listing = sim.listing("A")
    assert (listing["price"], listing["availableStock"], listing["dispatchTime"], listing["cargoCompany1"]) == (
        7.5, 3, 2, "MNG Kargo")


def test_uploads_apply_in_acceptance_order_even_when_a_later_one_is_due_first(sim):
    sim.add_listings([{"merchantSku": "A", "price": 5, "availableStock": 1}])
    sim.configure(processing_delay=0.4)
    first = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=[{"merchantSku": "A", "availableStock": 10}])
    sim.configure(processing_delay=0)
    second = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=[{"merchantSku": "A", "availableStock": 20}])
    assert sim.wait_until_applied(3)
    history = sim.history("A")
    assert [(h["upload_id"], h["value"]) for h in history] == [(first.json()["id"], 10), (second.json()["id"], 20)]
    assert history[0]["applied_at"] <= history[1]["applied_at"]
    assert sim.listing("A")["availableStock"] == 20


def test_rate_limit_answers_429_with_headers(sim):
    sim.configure(rate_limit=3)
    with httpx.Client(base_url=sim.url, timeout=5, **GOOD) as http:
        answers = [http.get(f"/listings/merchantid/{MID}", params={"offset": 0, "limit": 1}) for _ in range(10)]
    codes = [a.status_code for a in answers]
    assert codes.count(429) >= 1 and codes[0] == 200
    limited = next(a for a in answers if a.status_code == 429)
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["X-RateLimit-Reset"]) >= 1
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"


def test_fault_count_clears_itself_and_path_filters(sim):
    sim.configure(fault={"mode": "5xx", "count": 2, "path": "stock-uploads"})
    listings = f"/listings/merchantid/{MID}?offset=0&limit=1"
    assert api(sim, "GET", listings).status_code == 200  # path does not match
    upload = f"/listings/merchantid/{MID}/stock-uploads"
    assert [api(sim, "POST", upload, json=[{"merchantSku": "X", "availableStock": 1}]).status_code
            for _ in range(3)] == [500, 500, 200]
    assert sim.options["fault"] is None


def test_malformed_fault_returns_garbage_with_200(sim):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    answer = api(sim, "GET", f"/listings/merchantid/{MID}?offset=0&limit=1")
    assert answer.status_code == 200
    with pytest.raises(ValueError):
        answer.json()


def test_control_endpoints(sim):
    assert httpx.post(sim.url + "/_sim/listings", json=[{"merchantSku": "C1", "price": 2, "availableStock": 2}]).json() == {"added": 1}
    assert httpx.post(sim.url + "/_sim/listings", json={"listings": [{"merchantSku": "C2"}]}).json() == {"added": 1}
    config = httpx.post(sim.url + "/_sim/config", json={"processing_delay": 0, "latency": 0}).json()
    assert config["processing_delay"] == 0 and config["password"] == "********"
    assert httpx.post(sim.url + "/_sim/config", json={"bogus": 1}).status_code == 400
    assert httpx.post(sim.url + "/_sim/config", json={"fault": {"mode": "explode"}}).status_code == 400
    upload_id = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads",
                    json=[{"merchantSku": "C1", "availableStock": 7}]).json()["id"]
    sim.wait_until_applied(2)
    history = httpx.get(sim.url + "/_sim/history", params={"sku": "C1"}).json()["history"]
    assert [(h["upload_id"], h["kind"], h["sku"], h["value"]) for h in history] == [(upload_id, "stock", "C1", 7)]
    assert set(history[0]) == {"upload_id", "kind", "sku", "value", "accepted_at", "applied_at"}
    state = httpx.get(sim.url + "/_sim/state").json()
    assert [item["merchantSku"] for item in state["listings"]] == ["C1", "C2"]
    assert state["counters"] == {"requests_total": 1, "uploads_total": 1, "listings_total": 2}
    assert httpx.get(sim.url + "/_sim/state", params={"sku": "C1"}).json()["listing"]["availableStock"] == 7
    assert httpx.get(sim.url + f"/_sim/uploads/{upload_id}").json()["status"] == "Done"
    assert httpx.post(sim.url + "/_sim/reset").json() == {"ok": True}
    assert httpx.get(sim.url + "/_sim/stats").json() == {"requests_total": 0, "uploads_total": 0, "listings_total": 0}
    assert sim.history() == []


def test_hundreds_of_concurrent_requests(sim):
    sim.configure(rate_limit=0)
    sim.add_listings([{"merchantSku": f"K-{i}", "price": 1, "availableStock": 1} for i in range(50)])
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    with httpx.Client(base_url=sim.url, timeout=10, limits=limits, **GOOD) as http:

        def call(i):
            params = {"offset": 0, "limit": 1, "merchantSkuList": f"K-{i % 50}"}
            return http.get(f"/listings/merchantid/{MID}", params=params).status_code

        with ThreadPoolExecutor(max_workers=200) as pool:
            codes = list(pool.map(call, range(600)))
    assert codes == [200] * 600
    assert sim.requests_total == 600


def test_large_catalog_and_large_upload_stay_fast(sim):
    sim.configure(processing_delay=0)
    started = time.perf_counter()
    sim.add_listings([{"merchantSku": f"L-{i:06d}", "price": 10, "availableStock": 1} for i in range(100_000)])
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)
    started = time.perf_counter()
    for sku in ("L-000000", "L-050000", "L-099999"):
        page = api(sim, "GET", f"/listings/merchantid/{MID}", params={"offset": 0, "limit": 1, "merchantSkuList": sku}).json()
        assert page["listings"][0]["merchantSku"] == sku
    last = api(sim, "GET", f"/listings/merchantid/{MID}", params={"offset": 99_999, "limit": 10}).json()
    assert [item["merchantSku"] for item in last["listings"]] == ["L-099999"]
    items = [{"merchantSku": f"L-{i:06d}", "availableStock": 5} for i in range(0, 100_000, 25)]  # 4000 items
    upload_id = api(sim, "POST", f"/listings/merchantid/{MID}/stock-uploads", json=items).json()["id"]
    assert sim.wait_until_applied(5)
    assert sim.upload(upload_id)["status"] == "Done"
    assert sim.listing("L-099975")["availableStock"] == 5
    assert time.perf_counter() - started < 30  # a guard against quadratic work, not a budget (see bench/)


def test_serve_options_are_validated():
    with pytest.raises(ValueError, match="unknown simulator option"):
        serve(speed=3)
    with pytest.raises(ValueError, match="processing_delay"):
        serve(processing_delay=-1)


def test_main_prints_url_without_password(monkeypatch, capsys):
    import threading

    from mpdash.marketplaces.hepsiburada import simulator as module

    started = []
    real_serve = module.serve

    def serve_and_stop(*args, **kwargs):
        running = real_serve(*args, **kwargs)
        started.append(running)
        threading.Timer(0.2, running.stop).start()
        return running

    monkeypatch.setattr(module, "serve", serve_and_stop)
    assert main(["--port", "0", "--processing-delay", "0.5", "--password", "s3cret-key"]) == 0
    out = capsys.readouterr().out
    assert started[0].url in out and "demo-merchant" in out and "s3cret-key" not in out
    assert started[0].options["processing_delay"] == 0.5
