"""A whole simulator built on simkit (tests/marketplaces/simkit/toy.py), over real HTTP."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from mpdash.marketplaces import simkit

from . import toy

KEY = {"X-Key": "key"}


@pytest.fixture
def sim():
    with toy.serve(processing_delay=0.05, timeout_sleep=0.2) as running:
        yield running


def call(sim, method, path, **kwargs):
    return httpx.request(method, sim.url + path, timeout=5, **kwargs)


def wait_done(sim, batch_id):
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        answer = call(sim, "GET", f"/stock/{batch_id}", headers=KEY).json()
        if answer["done"]:
            return answer
        time.sleep(0.02)
    raise AssertionError("batch not processed")


def test_the_pipeline_routes_checks_credentials_and_runs_batches(sim):
    assert call(sim, "GET", "/nowhere").status_code == 404
    assert call(sim, "DELETE", "/stock").status_code == 405
    assert call(sim, "POST", "/stock", json=[]).status_code == 401
    assert call(sim, "POST", "/stock", content=b"{", headers=KEY).json() == {"status": 400, "message": "not JSON"}
    sent = call(sim, "POST", "/stock", json=[{"sku": "A", "quantity": 3}], headers=KEY).json()
    assert wait_done(sim, sent["id"])["results"] == [{"sku": "A", "ok": True}]
    assert sim.listing("A") == {"sku": "A", "quantity": 3} and sim.history("A")[0]["value"] == 3
    assert sim.requests_total >= 5


def test_forwarded_names_are_the_states_and_nothing_else_is(sim):
    sim.configure(processing_delay=60)
    call(sim, "POST", "/stock", json=[{"sku": "B", "quantity": 1}], headers=KEY)
    assert sim.waiting() == sim.state.waiting() == 1
    with pytest.raises(AttributeError, match="no attribute 'clear'"):
        sim.clear  # a state method, but not forwarded


def test_rate_window_refuses_above_the_limit(sim):
    sim.configure(rate_limit=2)
    codes = [call(sim, "GET", "/stock/x", headers=KEY).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_injected_faults(sim):
    sim.configure(fault={"mode": "5xx", "count": 1, "status": 502})
    assert call(sim, "GET", "/stock/x", headers=KEY).status_code == 502
    sim.configure(fault={"mode": "429", "count": 1})
    assert call(sim, "GET", "/stock/x", headers=KEY).status_code == 429
    sim.configure(fault={"mode": "malformed", "count": 1})
    with pytest.raises(ValueError):
        call(sim, "GET", "/stock/x", headers=KEY).json()
    sim.configure(fault={"mode": "timeout", "count": 1})
    assert call(sim, "POST", "/stock", json=[{"sku": "T", "quantity": 1}], headers=KEY).status_code == 504
    sim.configure(fault={"mode": "timeout_after", "count": 1})
    assert call(sim, "POST", "/stock", json=[{"sku": "T", "quantity": 2}], headers=KEY).status_code == 504
    assert sim.state.wait_until(lambda: sim.state.batches.waiting() == 0, sim.state.batches.last_due, 3)
    assert sim.listing("T") == {"sku": "T", "quantity": 2}  # the second one landed, the first never did
    sim.configure(fault={"mode": "fail_later", "count": 1})
    assert call(sim, "GET", "/stock/x", headers=KEY).status_code == 404  # not a route that suffers it
    failing = call(sim, "POST", "/stock", json=[{"sku": "F", "quantity": 1}], headers=KEY).json()
    assert wait_done(sim, failing["id"])["results"] == [{"sku": "F", "ok": False}]
    assert sim.options["fault"] is None


def test_control_api_configures_resets_and_shows_state(sim):
    assert call(sim, "POST", "/_sim/config", json={"latency": 0.01}).json()["latency"] == 0.01
    assert call(sim, "GET", "/_sim/config").json()["api_key"] == "********"
    assert call(sim, "POST", "/_sim/config", json={"speed": 1}).status_code == 400
    assert call(sim, "POST", "/_sim/config", content=b"{").status_code == 400
    sent = call(sim, "POST", "/stock", json=[{"sku": "A", "quantity": 1}], headers=KEY).json()
    wait_done(sim, sent["id"])
    assert call(sim, "GET", "/_sim/state?sku=A").json() == {"listing": {"sku": "A", "quantity": 1}}
    assert call(sim, "GET", "/_sim/state?sku=B").status_code == 404
    assert call(sim, "GET", "/_sim/state").json()["listings"] == [{"sku": "A", "quantity": 1}]
    assert len(call(sim, "GET", "/_sim/history").json()["history"]) == 1
    assert call(sim, "POST", "/_sim/reset").json() == {"ok": True}
    assert call(sim, "GET", "/_sim/stats").json() == {"requests_total": 0}
    assert sim.options["latency"] == 0.01  # options survive a reset
    assert call(sim, "GET", "/_sim/nothing").status_code == 404


def test_a_fast_clock_makes_delays_pass_sooner():
    with toy.ToySimulator(clock=simkit.Clock(speed=50), processing_delay=5).start() as sim:
        sent = call(sim, "POST", "/stock", json=[{"sku": "A", "quantity": 1}], headers=KEY).json()
        started = time.monotonic()
        wait_done(sim, sent["id"])
        assert time.monotonic() - started < 2
    with toy.ToySimulator(processing_delay=900).start() as sim:
        sent = call(sim, "POST", "/stock", json=[{"sku": "A", "quantity": 1}], headers=KEY).json()
        sim.clock.step(900)
        assert call(sim, "GET", f"/stock/{sent['id']}", headers=KEY).json()["done"] is True


def test_run_main_serves_until_stopped_and_hides_secrets(capsys):
    started = []

    def serve_and_stop(*args, **kwargs):
        running = toy.serve(*args, **kwargs)
        started.append(running)
        threading.Timer(0.2, running.stop).start()
        return running

    code = simkit.run_main(["--port", "0", "--api-key", "s3cret", "--latency", "0.1"], serve=serve_and_stop,
                           prog="toy", description="a toy", port=0,
                           flags=(("--api-key", str, "key"), ("--latency", float, "seconds")),
                           banner=lambda s: [f"toy on {s.url}"])
    assert code == 0 and started[0].options["latency"] == 0.1 and started[0].stopped
    out = capsys.readouterr().out
    assert started[0].url in out and "s3cret" not in out
    assert simkit.run_main(["--port", "0", "--latency", "-1"], serve=toy.serve, prog="toy", description="",
                           port=0, flags=(("--latency", float, ""),), banner=lambda s: []) == 2
