"""The simulator toolkit's parts, each on its own."""

from __future__ import annotations

import pytest

from mpdash.marketplaces import simkit
from mpdash.marketplaces.simkit import options as opt
from mpdash.marketplaces.simkit.sample_data import PLACES


# --- options ------------------------------------------------------------------------------------------
def test_options_have_defaults_and_refuse_bad_values_naming_the_option():
    spec = simkit.OptionSet(**opt.common(), seller_id=opt.text("1", digits=True), rate_limit=opt.limit(50),
                            order_rate=opt.number(0.0, high=100, unit=" orders per second"),
                            pack_delay=opt.number(900.0, optional=True), split=opt.flag(True),
                            skus=opt.texts(["A"], "skus"), size=opt.whole(10), seed=opt.seed(7))
    assert spec.defaults()["processing_delay"] == 1.0 and spec.defaults()["fault"] is None
    assert spec.validate({"latency": "0.5", "rate_limit": 0, "pack_delay": None, "seller_id": 42}) == {
        "latency": 0.5, "rate_limit": None, "pack_delay": None, "seller_id": "42"}
    bad = [({"speed": 3}, "unknown simulator option 'speed'"), ({"latency": -1}, "latency: must be >= 0"),
           ({"seller_id": "abc"}, "seller_id: must be digits"), ({"order_rate": 101}, "between 0 and 100"),
           ({"split": "yes"}, "split: must be true or false"), ({"skus": []}, "skus: must be a non-empty list"),
           ({"size": 0}, "size: must be >= 1"), ({"seed": 1.5}, "seed: must be a whole number"),
           ({"fault": {"mode": "boom"}}, "fault: mode must be one of")]
    for changes, text in bad:
        with pytest.raises(ValueError, match=text):
            spec.validate(changes)


# --- faults and rate windows --------------------------------------------------------------------------
def test_fault_counts_down_only_on_matching_paths_and_modes():
    slot = simkit.FaultSlot()
    slot.set(simkit.validate_fault({"mode": "5xx", "count": 2, "path": "^/stock", "status": 503}))
    assert slot.take("/orders") is None
    assert slot.take("/stock/1")["status"] == 503 and slot.current()["count"] == 1
    assert slot.take("/stock/2") is not None and slot.current() is None
    slot.set(simkit.validate_fault({"mode": "later", "count": None}, (*simkit.BASE_FAULT_MODES, "later")))
    assert slot.take("/x") is None  # a marketplace's own mode applies only where a route asks for it
    assert slot.take("/x", ("later",))["mode"] == "later" and slot.current() is not None  # until cleared
    with pytest.raises(ValueError, match="status must be a 5xx"):
        simkit.validate_fault({"mode": "5xx", "status": 404})


def test_rate_windows_count_per_key():
    rates = simkit.RateWindows()
    assert [rates.spend("a", 2, 10)[0] for _ in range(3)] == [True, True, False]
    assert rates.spend("b", 2, 10)[:2] == (True, 1)
    assert rates.spend("a", None, 10) == (True, 0, 0.0)


# --- the clock ----------------------------------------------------------------------------------------
def test_clock_steps_and_runs_fast():
    clock = simkit.Clock(speed=100)
    start = clock.now()
    clock.step(900)
    assert clock.now() - start >= 900
    assert clock.real_seconds(10) == 0.1
    assert abs(clock.epoch(clock.now() - 60) - (clock.epoch() - 60)) < 0.5


def test_timeline_runs_due_events_in_order_with_their_instant():
    clock = simkit.Clock()
    timeline = simkit.Timeline(clock)
    ran = []
    timeline.on("x", lambda payload, at: ran.append((payload, round(at - now, 3))))
    now = clock.now()
    timeline.at(now + 20, "x", "late")
    timeline.at(now + 10, "x", "early")
    timeline.at(now + 15, "x", "dropped")
    assert timeline.cancel("x", lambda p: p == "dropped") == 1
    assert timeline.advance() == 0 and timeline.pending() == 2
    clock.step(30)
    assert timeline.advance() == 2 and ran == [("early", 10.0), ("late", 20.0)]


def test_batch_queue_processes_in_acceptance_order_and_forgets_after_retention():
    clock = simkit.Clock()
    timeline = simkit.Timeline(clock)
    order = []
    retention = [None]
    queue = simkit.BatchQueue(timeline, "batch", lambda b, at: order.append(b.id) or [len(b.items)],
                              retention=lambda: retention[0])
    slow = queue.accept("stock", "s1", [1, 2], delay=5, batch_id="slow")
    fast = queue.accept("stock", "s1", [3], delay=1, batch_id="fast")
    assert fast.due == slow.due  # never before an earlier batch
    assert queue.waiting("s1") == 2 and not slow.processed
    clock.step(6)
    timeline.advance()
    assert order == ["slow", "fast"] and slow.results == [2] and slow.processed_at >= slow.accepted_at + 5
    retention[0] = 1.0
    clock.step(10)
    queue.accept("stock", "s1", [4], delay=1, batch_id="new")
    assert queue.get("slow") is None and queue.get("new") is not None and queue.total == 3


def test_ticker_gives_the_instants_at_the_rate_and_caps_a_backlog():
    ticker = simkit.Ticker(burst_max=5)
    ticker.set_rate(10, now=0.0)
    assert ticker.due(0.05) == []
    assert ticker.due(0.35) == pytest.approx([0.1, 0.2, 0.3])
    assert len(ticker.due(100.0)) == 5  # the rest of the backlog is dropped
    ticker.set_rate(0, now=100.0)
    assert ticker.due(200.0) == []


# --- state machines, listings, the shopper ------------------------------------------------------------
def test_state_machine_refuses_moves_it_does_not_allow_and_runs_hooks():
    class Wrong(Exception):
        pass

    machine = simkit.StateMachine({"Packed": ("Shipped", "Cancelled"), "Shipped": ("Delivered",)},
                                  lambda record, current, target, allowed: Wrong(f"{current}->{target}; {allowed}"))
    seen = []
    machine.on(None, lambda record, old, new, context: seen.append((old, new, context.get("by"))))
    machine.on("Delivered", lambda record, old, new, context: record.update(delivered=True))
    package = {"status": "Packed"}
    assert machine.move(package, "Shipped", by="carrier") == "Packed"
    with pytest.raises(Wrong, match="Shipped->Cancelled"):
        machine.move(package, "Cancelled")
    machine.move(package, "Delivered")
    assert package == {"status": "Delivered", "delivered": True}
    assert seen == [("Packed", "Shipped", "carrier"), ("Shipped", "Delivered", None)]
    inverse = simkit.StateMachine.from_sources({"Shipped": ("Packed",), "Delivered": ("Shipped",)}, Wrong)
    assert inverse.allowed("Packed") == ("Shipped",) and inverse.sources("Delivered") == ("Shipped",)
    assert set(inverse.states) == {"Packed", "Shipped", "Delivered"}


def test_listing_store_keeps_creation_order_aliases_and_history_per_key():
    store = simkit.ListingStore(key_name="barcode", batch_name="batch_request_id")
    for key in ("A", "B", "C"):
        store.put(key, {"barcode": key})
    store.alias("code", "X", "A")
    store.alias("code", "X", "C")
    store.record("b1", "stock", "A", 5, 1.0, 2.0)
    store.record("b2", "price", "B", 9.5, 1.0, 2.0)
    assert [r["barcode"] for r in store.page(1, 5)] == ["B", "C"] and len(store) == 3
    assert store.find("code", "X") == ["A", "C"]
    store.unalias("code", "X", "A")
    store.remove("A")
    assert "A" not in store and store.find("code", "X") == ["C"]
    assert store.history("A") == [{"batch_request_id": "b1", "kind": "stock", "barcode": "A", "value": 5,
                                   "accepted_at": 1.0, "applied_at": 2.0}]
    assert [e["kind"] for e in store.history()] == ["stock", "price"]
    # a watcher that has seen one entry asks only for what came after it
    assert [e["barcode"] for e in store.history(None, 1)] == ["B"] and store.history(None, 2) == []


def test_shopper_is_deterministic_and_lives_in_real_places():
    assert simkit.person(3) == simkit.person(3) and simkit.person(3) != simkit.person(4)
    at_home = [simkit.person(n) for n in range(40)]
    places = {(city, district, hood) for city, _, district, hoods, _ in PLACES for hood in hoods}
    assert all((p.city, p.district, p.neighbourhood) in places for p in at_home)
    assert [p.district for p in at_home[:3]] == ["Kadıköy", "Beşiktaş", "Üsküdar"]
    abroad = simkit.person(1, abroad=True)
    assert abroad.country != "TR" and abroad.plate is None
    assert "@example.com" in at_home[0].email and at_home[0].email.isascii()
    lines = simkit.basket(1, ["A", "B", "C"])
    assert lines == simkit.basket(1, ["A", "B", "C"]) and 1 <= len(lines) <= 2
    assert all(1 <= quantity <= 3 for _, quantity in lines) and simkit.basket(0, []) == []


def test_approvals_decide_once_per_key_and_keep_marks_until_decided():
    clock = simkit.Clock()
    timeline = simkit.Timeline(clock)
    decided = []
    approvals = simkit.Approvals(timeline, "approve", lambda key, at: decided.append((key, approvals.take_mark(key))))
    now = clock.now()
    approvals.schedule("A", now + 5)
    approvals.schedule("A", now + 10)  # replaces the first
    approvals.schedule("B", now + 5)
    approvals.mark("B", "blurry photos")
    approvals.schedule("C", now + 5)
    approvals.cancel("C")
    assert approvals.waiting("A") and not approvals.waiting("C") and timeline.pending() == 2
    clock.step(6)
    timeline.advance()
    assert decided == [("B", "blurry photos")]
    clock.step(5)
    timeline.advance()
    assert decided == [("B", "blurry photos"), ("A", None)] and not approvals.waiting("A")


def test_views_show_one_record_or_all_with_the_state_current():
    class Shop(simkit.SimState):
        def clear(self) -> None:
            super().clear()
            self.orders = {"A": {"n": 1}, "B": {"n": 2}}
            self.timeline.on("ship", lambda key, instant: self.orders[key].update(shipped=True))

    shop = Shop()
    shop.timeline.after(0, "ship", "A")  # falls due at once: the view carries it out first
    copy = shop.view_of("orders", "A")
    assert copy == {"n": 1, "shipped": True} and copy is not shop.orders["A"]
    assert shop.view_of("orders", "Z") is None
    assert shop.views_of("orders", lambda order: order["n"]) == [1, 2]
