"""Sending records in batches and reading the outcome later (send-then-poll).

Stock, prices and products go out the same way on every marketplace: keep the last record
of each key (one request sets each product once), refuse a batch larger than the
marketplace takes, send, remember what the batch carried (answers often name items by
position or by the marketplace's own key only), then poll until the marketplace has
finished and turn its answer into one result per record.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from ..base import BatchStatus, ItemResult, Submission

T = TypeVar("T")
V = TypeVar("V")
A = TypeVar("A")


class SentMemory(Generic[V]):
    """What each recent batch carried, by its remote id; the oldest is forgotten beyond ``limit``.

    ``on_forget(remote_id)`` is called for each batch forgotten that way (to drop what a
    caller keeps beside it)."""

    def __init__(self, limit: int = 1000, on_forget: Callable[[str], None] | None = None):
        self.limit = limit
        self.on_forget = on_forget
        self._entries: OrderedDict[str, V] = OrderedDict()

    def remember(self, remote_id: str, value: V) -> None:
        self._entries[remote_id] = value
        self._entries.move_to_end(remote_id)
        while len(self._entries) > self.limit:
            oldest, _ = self._entries.popitem(last=False)
            if self.on_forget is not None:
                self.on_forget(oldest)

    def get(self, remote_id: str, default: Any = None) -> V | Any:
        return self._entries.get(remote_id, default)

    def pop(self, remote_id: str, default: Any = None) -> V | Any:
        return self._entries.pop(remote_id, default)

    def __contains__(self, remote_id: object) -> bool:
        return remote_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)


def last_per_key(records: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """The last record of each key, in the order each key was first seen."""
    return list({key(r): r for r in records}.values())


def check_batch_size(count: int, limit: int, kind: str, marketplace: str, unit: str = "request") -> None:
    if count > limit:
        raise ValueError(f"{count} {kind} records in one {unit}; {marketplace} accepts at most {limit}")


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BatchSending:
    """Mixin of a :class:`~mpdash.marketplaces.base.MarketplaceAdapter` whose writes are batches.

    The adapter sets ``label``, ``batch_sizes`` and ``batch_unit``, creates
    ``self.sent_batches = SentMemory(...)`` and calls :meth:`prepare_batch`, :meth:`submit`
    and :meth:`poll_batch`; only the items and the reading of the answer are its own.
    """

    label: str
    batch_unit = "request"
    sent_batches: SentMemory

    def check_size(self, kind: str, count: int) -> None:
        check_batch_size(count, self.batch_size(kind), kind, self.label, self.batch_unit)  # type: ignore[attr-defined]

    def prepare_batch(self, kind: str, records: list[T], item_of: Callable[[T], dict[str, Any]],
                      key: Callable[[T], Hashable] = lambda r: r.sku) -> tuple[list[T], list[dict], dict[str, dict]]:
        """The records kept (last per ``key``), their items and ``sent`` (sku -> item)."""
        records = last_per_key(records, key)
        self.check_size(kind, len(records))
        items, sent = [], {}
        for record in records:
            item = item_of(record)
            items.append(item)
            sent[record.sku] = item  # type: ignore[attr-defined]
        return records, items, sent

    def submit(self, send: Callable[[list[dict[str, Any]]], str], items: list[dict[str, Any]],
               sent: dict[str, dict[str, Any]], client: Any, memo: Any = None) -> Submission:
        """Send one batch, remember ``memo`` (default: the skus in the order sent) under its id."""
        if not items:
            return Submission(remote_id=None, sent={}, results=[])
        remote_id = send(items)
        self.sent_batches.remember(remote_id, list(sent) if memo is None else memo)
        return Submission(remote_id=remote_id, sent=sent, exchange=client.last_exchange())

    def poll_batch(self, remote_id: str, client: Any, read: Callable[[], A], finished: Callable[[A], bool],
                   results: Callable[[A, Any], list[ItemResult] | str]) -> BatchStatus:
        """Read a batch's state; once ``finished``, ``results(answer, memo)`` gives one result per
        record, or a text when the whole batch failed. The memo is forgotten then."""
        answer = read()
        exchange = client.last_exchange()
        if not finished(answer):
            return BatchStatus(done=False, exchange=exchange)
        outcome = results(answer, self.sent_batches.pop(remote_id))
        if isinstance(outcome, str):
            return BatchStatus(done=True, failed_whole=outcome, exchange=exchange)
        return BatchStatus(done=True, results=outcome, exchange=exchange)


__all__ = ["BatchSending", "SentMemory", "check_batch_size", "chunks", "last_per_key"]
