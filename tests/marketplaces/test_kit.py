"""The adapter kit: one rule for numbers, config reads, batches, the staged walker, answers,
and the common declared config."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import Field

from mpdash.marketplaces.base import FlowSpec, ItemResult, SchemaField
from mpdash.marketplaces.common_config import (
    COMMON_FLOWS,
    COMMON_KEYS,
    current_config,
    declare_flows,
    declare_schema,
)
from mpdash.marketplaces.errors import ConfigError, MalformedResponse, RequestRejected
from mpdash.marketplaces.kit import (
    AnswerModel,
    BatchSending,
    Chunk,
    ConfigReader,
    SentMemory,
    StagedWalker,
    check_batch_size,
    each_record,
    last_per_key,
    parse_answer,
    to_decimal,
    wire_amount,
    wire_int,
)


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", float("nan"), float("inf"), Decimal("NaN"),
                                   Decimal("-Infinity"), True, None, "", "12a"])
def test_not_numbers(value):
    assert to_decimal(value) is None


def test_numbers_and_wire_forms():
    assert to_decimal("130,50") == Decimal("130.50") and to_decimal(7) == 7
    assert wire_amount("99.995") == 100.0 and wire_amount(Decimal("12.344")) == 12.34
    assert wire_amount("NaN") == "NaN"  # sent as it is: the adapter's checks report it
    assert wire_int("42") == 42 and wire_int(42.0) == 42 and wire_int("4.5") == "4.5" and wire_int("inf") == "inf"


@pytest.mark.parametrize("raw", ["NaN", "Infinity", float("inf"), "-Infinity"])
def test_config_numbers_refuse_nan_and_infinity_naming_key_and_fix(raw):
    reader = ConfigReader({"cap": raw}, "Somewhere")
    with pytest.raises(ConfigError, match=r"Somewhere channel config: cap must be a finite number such as 12\.5.*NaN"):
        reader.decimal("cap")
    with pytest.raises(ConfigError, match="cap must be a whole number"):
        reader.whole("cap")


def test_config_reads():
    reader = ConfigReader({"a": " x ", "n": "3", "neg": -1, "f": "on", "d": "2,5"}, "M")
    assert reader.required("a") == "x" and reader.whole("n") == 3 and reader.whole("missing", default=7) == 7
    assert reader.flag("f") and not reader.flag("missing") and reader.decimal("d") == Decimal("2.5")
    with pytest.raises(ConfigError, match="M channel config: neg must be at least 0, got -1"):
        reader.whole("neg")
    with pytest.raises(ConfigError, match="M channel config: b is required"):
        reader.required("b")


def test_sent_memory_forgets_the_oldest():
    forgotten = []
    memory = SentMemory(limit=2, on_forget=forgotten.append)
    for key in ("a", "b", "c"):
        memory.remember(key, [key])
    assert "a" not in memory and memory.get("b") == ["b"] and forgotten == ["a"]
    assert memory.pop("c") == ["c"] and memory.pop("c") is None and len(memory) == 1


def test_last_per_key_and_batch_size():
    records = [("a", 1), ("b", 1), ("a", 2)]
    assert last_per_key(records, key=lambda r: r[0]) == [("a", 2), ("b", 1)]
    check_batch_size(3, 3, "productstock", "M")
    with pytest.raises(ValueError, match="4 productstock records in one upload; M accepts at most 3"):
        check_batch_size(4, 3, "productstock", "M", "upload")


class _Client:
    def last_exchange(self):
        return {"method": "POST"}


class _Record:
    def __init__(self, sku, quantity):
        self.sku, self.quantity = sku, quantity


class _Adapter(BatchSending):
    label = "M"
    batch_sizes = {"productstock": 2}

    def __init__(self):
        self.sent_batches = SentMemory(10)

    def batch_size(self, kind):
        return self.batch_sizes[kind]


def test_send_then_poll_skeleton():
    adapter, client = _Adapter(), _Client()
    records, items, sent = adapter.prepare_batch("productstock", [_Record("a", 1), _Record("a", 3), _Record("b", 2)],
                                                 lambda r: {"sku": r.sku, "qty": r.quantity})
    assert items == [{"sku": "a", "qty": 3}, {"sku": "b", "qty": 2}]
    with pytest.raises(ValueError, match="at most 2"):
        adapter.prepare_batch("productstock", [_Record(s, 1) for s in "abc"], dict)
    submission = adapter.submit(lambda items: "batch-1", items, sent, client)
    assert submission.remote_id == "batch-1" and submission.exchange == {"method": "POST"}
    assert adapter.submit(lambda items: "x", [], {}, client).results == []
    waiting = adapter.poll_batch("batch-1", client, lambda: "busy", lambda a: a == "done", lambda a, m: [])
    assert not waiting.done and "batch-1" in adapter.sent_batches
    done = adapter.poll_batch("batch-1", client, lambda: "done", lambda a: a == "done",
                              lambda a, memo: [ItemResult(sku, True) for sku in memo])
    assert done.done and [r.sku for r in done.results] == ["a", "b"] and "batch-1" not in adapter.sent_batches
    failed = adapter.poll_batch("batch-2", client, lambda: "done", lambda a: True, lambda a, memo: "whole batch failed")
    assert failed.done and failed.failed_whole == "whole batch failed"


class FakeListing:
    """Records 0..n-1 at times t=i per stage, pages of ``size``; ``limit`` records per query."""

    def __init__(self, times: dict, limit: int | None = None, report_total: bool = True):
        self.times = times  # stage -> list of record times
        self.limit = limit
        self.report_total = report_total
        self.calls = []

    def fetch(self, stage, lo, hi, page, size):
        self.calls.append((stage, lo, hi, page))
        inside = [t for t in self.times[stage] if lo <= t <= hi]
        records = [(stage, t) for t in inside[page * size:(page + 1) * size]]
        return Chunk(records, len(inside) if self.report_total else None)


def walk_all(walker, window):
    items, token = [], None
    while True:
        page = walker.page(window, token)
        items += page.items
        if page.next_token is None:
            return items
        token = page.next_token


def test_walker_reads_every_stage_and_page():
    listing = FakeListing({"A": list(range(5)), "B": [], "C": [2, 3]})
    walker = StagedWalker(listing.fetch, lambda stage, records: records, size=2, stages=("A", "B", "C"), prefix="t1")
    items = walk_all(walker, (0, 10))
    assert items == [("A", t) for t in range(5)] + [("C", 2), ("C", 3)]
    first = walker.page((0, 10))
    assert first.next_token.startswith("t1:") and len(first.items) == 2


def test_walker_splits_windows_beyond_the_query_limit():
    listing = FakeListing({None: list(range(0, 100, 2))}, limit=10)
    walker = StagedWalker(listing.fetch, lambda s, r: r, size=5, max_records=10)
    assert sorted(t for _, t in walk_all(walker, (0, 99))) == list(range(0, 100, 2))
    dense = FakeListing({None: [5] * 11})
    with pytest.raises(RequestRejected, match="at one instant"):
        walk_all(StagedWalker(dense.fetch, lambda s, r: r, size=5, max_records=10), (0, 9))


def test_walker_steps_back_when_the_total_shrinks():
    times = list(range(10))
    listing = FakeListing({None: times})
    walker = StagedWalker(listing.fetch, lambda s, r: r, size=3)
    first = walker.page((0, 20))
    del times[0:2]  # two records read on the first page left the window
    second = walker.page((0, 20), first.next_token)
    assert second.items[0] == (None, 2)  # nothing skipped


def test_walker_without_totals_and_with_filters():
    listing = FakeListing({None: list(range(7))}, report_total=False)
    walker = StagedWalker(listing.fetch, lambda s, r: each_record(s, r, lambda x: x[1], keep=lambda x: x[1] % 2),
                          size=3)
    assert walk_all(walker, (0, 10)) == [1, 3, 5]
    assert walker.page((5, 4)).items == []


def test_walker_follows_the_marketplaces_own_cursor():
    """by_cursor: fetch gets 0, then each Chunk.next; cursors with ':' or ',' survive the token;
    a cursor answered twice ends the walk rather than loop."""
    pages = {0: ([1, 2], "c:1,x"), "c:1,x": ([], "c:2"), "c:2": ([3], "c:2")}
    seen = []

    def fetch(stage, lo, hi, page, size):
        seen.append(page)
        records, following = pages[page]
        return Chunk(records, next=following)

    walker = StagedWalker(fetch, lambda s, r: r, size=2, stages=(("A", "B"),), prefix="t1", by_cursor=True)
    first = walker.page((0, 9))
    assert first.items == [1, 2] and first.next_token.startswith("t1:0:~")
    assert walk_all(walker, (0, 9)) == [1, 2, 3] and seen[-3:] == [0, "c:1,x", "c:2"]


def test_walker_refuses_foreign_tokens():
    walker = StagedWalker(FakeListing({None: []}).fetch, lambda s, r: r, size=1, prefix="t1", owner="the M adapter")
    with pytest.raises(ValueError, match="'page-2' is not a page token of the M adapter"):
        walker.page((0, 1), "page-2")
    with pytest.raises(ValueError, match="page token"):
        walker.page((0, 1), "t1:5:0::0_1")


class _Answer(AnswerModel):
    id: str = Field(min_length=1, alias="Id")


def test_parse_answer_names_the_request_and_the_marketplace():
    assert parse_answer(_Answer, {"Id": "x", "new": 1}, "GET /x", "M").id == "x"
    with pytest.raises(MalformedResponse, match=r"GET /x: unexpected answer from M \(Id: "):
        parse_answer(_Answer, {"Id": ""}, "GET /x", "M")
    with pytest.raises(MalformedResponse, match="GET /x: M answered with an empty body"):
        parse_answer(_Answer, None, "GET /x", "M")


def test_declared_flows_and_schema():
    own = FlowSpec("own_flow", "own_flow", "Own", "in", every_seconds=60)
    flows = declare_flows(labels={"stock": "Stock!"}, after={"reject_refund": (own,)})
    names = [f.name for f in flows]
    assert names.index("own_flow") == names.index("reject_refund") + 1 and len(flows) == len(COMMON_FLOWS) + 1
    assert next(f for f in flows if f.name == "stock").label == "Stock!"
    with pytest.raises(ValueError, match="not common"):
        declare_flows(labels={"nope": "x"})
    schema = declare_schema("M", first=(SchemaField("key", "Key", "text", secret=True, help="h"),),
                            overrides={"base_url": {"default": "https://m"}})
    fields = {f.key: f for f in schema}
    assert schema[0].key == "key" and fields["base_url"].default == "https://m"
    assert set(fields) == COMMON_KEYS | {"key"} and "{label}" not in "".join(f.help for f in schema)
    assert "cancelled on M" in fields["cancellation_reason_id"].help
    with pytest.raises(ValueError, match="common keys declared again"):
        declare_schema("M", own=(SchemaField("erp_code", "Erp", "text"),))


def test_generic_keys_are_common_and_old_names_still_read():
    for key in ("send_cancel_reason_id", "claim_issue_reason_id", "billing_address_same_as_shipping",
                "shipping_provider", "reconciliation_days", "order_start_date", "cargo_company_mapping"):
        assert key in COMMON_KEYS
    assert current_config({"send_cancellation_reason_id": 83}) == {"send_cancel_reason_id": 83}
    assert current_config({"send_cancellation_reason_id": 83, "send_cancel_reason_id": 80}) == {"send_cancel_reason_id": 80}


def test_read_pages_stops_at_the_last_page_or_gives_up():
    from mpdash.marketplaces.kit import read_pages

    pages = [[1, 2], [3, 4], [5]]
    read = list(read_pages(lambda p: pages[p], lambda answer, following: len(answer) < 2, most=10, what="GET x"))
    assert read == pages
    endless = read_pages(lambda p: [p, p], lambda answer, following: False, most=3, what="GET x")
    with pytest.raises(MalformedResponse, match="GET x: the marketplace kept answering more pages; stopped after 3"):
        list(endless)
    assert len(list(read_pages(lambda p: [p], lambda a, f: False, most=3, what="GET x", strict=False))) == 3


def test_depth_first_walks_parents_before_children_once():
    from mpdash.marketplaces.kit import depth_first

    tree = {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}
    walked = list(depth_first(["a", "c"], lambda n: tree[n], lambda n: n))
    assert walked == [("a", None), ("b", "a"), ("d", "b"), ("c", "a")]


class _Listing(AnswerModel):
    items: list[int] = Field(default_factory=list)
    locks: list[str] = Field(default_factory=list, alias="lockReasons")
    note: str | None = None


def test_null_lists_are_empty_lists():
    parsed = parse_answer(_Listing, {"items": None, "lockReasons": None, "note": None}, "GET /x", "M")
    assert (parsed.items, parsed.locks, parsed.note) == ([], [], None)
    with pytest.raises(MalformedResponse):
        parse_answer(_Listing, {"items": "no list"}, "GET /x", "M")


def test_values_that_are_no_numbers_stay_sendable():
    import json

    assert json.dumps([wire_amount(Decimal("NaN")), wire_int(float("inf")), wire_int("x")]) == '["NaN", "inf", "x"]'


def test_ms_window_holds_every_moment_of_the_window_and_the_ends_millisecond():
    from datetime import UTC, datetime, timedelta

    from mpdash.marketplaces.kit import epoch_ms, ms_window

    start = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    on_the_ms = start + timedelta(minutes=5)
    assert ms_window(start, on_the_ms) == (epoch_ms(start), epoch_ms(on_the_ms) - 1)  # the end's own ms is the next window's
    inside = on_the_ms + timedelta(microseconds=400)  # a record at on_the_ms + 0.1 ms is before this end
    assert ms_window(start, inside) == (epoch_ms(start), epoch_ms(on_the_ms))
    assert ms_window(inside, inside + timedelta(minutes=1))[0] == epoch_ms(on_the_ms)  # read again next: never missed
