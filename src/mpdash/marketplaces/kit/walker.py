"""One walker for paged listings: stages (statuses, or listings) × time windows × pages.

Marketplaces list orders, packages, claims and cancellations one status (or one listing) per
query, inside a date window, page by page. The walker hands out one page of converted records
per call together with an opaque token saying where it stands, so a flow can stop and
resume anywhere:

- every stage is read over the whole window, one after the other;
- a window whose query reports more than ``max_records`` records (the most one query can
  reach) is split in halves until each part fits;
- when the total shrinks between two pages (records changed and left the window, moving the
  later ones forward) the walk steps back as many pages as needed not to skip any; records
  seen twice are harmless, storing is idempotent;
- queries that bring nothing to hand over (an empty stage, records filtered out) are followed
  at once, so a page is empty only when it is the last.

Windows are pairs of integers, inclusive (epoch milliseconds, usually); what a query takes
is the marketplace's business (``fetch`` converts). Pages count from 0; a marketplace paging
by offset reads page ``p`` at offset ``p * size``. A marketplace paging by its own cursor
(``by_cursor``) answers the next page's cursor in :attr:`Chunk.next`; ``fetch`` then gets
that cursor as ``page`` (0 for a window's first page) and the token carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from ..base import Page
from ..errors import MalformedResponse, RequestRejected

logger = logging.getLogger("mpdash.marketplaces.kit.walker")

Range = tuple[int, int]


@dataclass(frozen=True)
class Cursor:
    """Where a walk stands: the stage being read, its page, the total the last page showed,
    and the ranges still to read, the current one first."""

    stage: int
    page: int | str  # a page number, or the marketplace's cursor of the page (by_cursor)
    total: int | None
    ranges: tuple[Range, ...]

    def encode(self, prefix: str) -> str:
        spans = ",".join(f"{lo}_{hi}" for lo, hi in self.ranges)
        page = f"~{quote(self.page, safe='')}" if isinstance(self.page, str) else self.page
        return f"{prefix}:{self.stage}:{page}:{'' if self.total is None else self.total}:{spans}"

    @classmethod
    def decode(cls, token: Any, prefix: str, owner: str) -> Cursor:
        try:
            head, stage, page, total, spans = str(token).split(":")
            ranges = tuple(tuple(int(x) for x in span.split("_")) for span in spans.split(","))
            if head != prefix or not ranges or any(len(r) != 2 or r[0] > r[1] for r in ranges):
                raise ValueError
            mark = unquote(page[1:]) if page.startswith("~") else int(page)
            return cls(int(stage), mark, int(total) if total else None, ranges)  # type: ignore[arg-type]
        except ValueError:
            raise ValueError(f"{token!r} is not a page token of {owner}") from None


@dataclass
class Chunk:
    """One query's answer: its records and the total the marketplace reports (None when it
    reports none: a short page is then the last)."""

    records: list
    total: int | None = None
    next: str | None = None  # by_cursor: the marketplace's cursor of the following page, None on the last


Fetch = Callable[[Any, int, int, Any, int], Chunk]  # (stage, lo, hi, page or cursor, size) -> Chunk
ToItems = Callable[[Any, list], list]  # (stage, records) -> items handed over


@dataclass
class StagedWalker:
    """A listing over ``stages`` in a window. ``owner`` names the adapter in token errors;
    ``prefix`` marks its tokens (a token of another listing is refused)."""

    fetch: Fetch
    to_items: ToItems
    size: int
    stages: Sequence[Any] = (None,)
    max_records: int | None = None
    prefix: str = "w1"
    owner: str = "this listing"
    # Called when a single instant holds more than max_records: it raises the error to show.
    too_dense: Callable[[Any, int, int], Exception] | None = None
    by_cursor: bool = False  # the marketplace pages by its own cursor (Chunk.next), not by number

    def page(self, window: Range, token: Any = None) -> Page:
        if window[1] < window[0]:
            return Page([], None)
        cursor = Cursor.decode(token, self.prefix, self.owner) if token is not None else Cursor(0, 0, None, (window,))
        if not 0 <= cursor.stage < len(self.stages):
            raise ValueError(f"{token!r} is not a page token of this listing")
        size = self.size
        while True:
            lo, hi = cursor.ranges[0]
            stage = self.stages[cursor.stage]
            answer = self.fetch(stage, lo, hi, cursor.page, size)
            total = answer.total
            if self.max_records is not None and total is not None and total > self.max_records:
                if hi <= lo:
                    raise (self.too_dense(stage, lo, total) if self.too_dense else RequestRejected(
                        f"{total} records at one instant, more than the {self.max_records:,} one query can read"))
                middle = lo + (hi - lo) // 2
                logger.info("%s %s: %s records in %s..%s exceed %s per query; reading the halves",
                            self.owner, stage or "", total, lo, hi, self.max_records)
                cursor = Cursor(cursor.stage, 0, None, ((lo, middle), (middle + 1, hi), *cursor.ranges[1:]))
                continue
            if cursor.total is not None and total is not None and total < cursor.total and cursor.page > 0:
                back = max(0, (cursor.page * size - (cursor.total - total)) // size)
                if back < cursor.page:
                    cursor = Cursor(cursor.stage, back, total, cursor.ranges)
                    continue
            items = self.to_items(stage, answer.records)
            if self.by_cursor:  # a cursor answered twice would loop: taken as the end
                more, after = answer.next is not None and answer.next != cursor.page, answer.next
            else:
                more = (cursor.page + 1) * size < total if total is not None else len(answer.records) >= size
                after = cursor.page + 1  # type: ignore[operator]
            if (answer.records or self.by_cursor) and more:
                following: Cursor | None = Cursor(cursor.stage, after, total, cursor.ranges)  # type: ignore[arg-type]
            elif len(cursor.ranges) > 1:
                following = Cursor(cursor.stage, 0, None, cursor.ranges[1:])
            elif cursor.stage + 1 < len(self.stages):
                following = Cursor(cursor.stage + 1, 0, None, (window,))
            else:
                following = None
            if not items and following is not None:
                cursor = following  # nothing to hand over yet: read on rather than return an empty page
                continue
            return Page(items, following.encode(self.prefix) if following else None)


def read_pages(read: Callable[[int], Any], is_last: Callable[[Any, int], bool], *, most: int, what: str,
               strict: bool = True) -> Iterator[Any]:
    """The answers of pages 0, 1, … until ``is_last(answer, next_page)``: for reads that want
    every page at once (a category tree, an attribute's values, a batch's status). Beyond
    ``most`` pages the answer is taken as broken: MalformedResponse (``strict``) or a logged stop."""
    for page in range(most):
        answer = read(page)
        yield answer
        if is_last(answer, page + 1):
            return
    if strict:
        raise MalformedResponse(f"{what}: the marketplace kept answering more pages; stopped after {most}")
    logger.warning("%s: stopped after %s pages; what lies beyond was not read", what, most)


def depth_first(starts: Sequence[Any], children: Callable[[Any], Sequence[Any]], key: Callable[[Any], Any]
                ) -> Iterator[tuple[Any, Any]]:
    """``(node, parent key)`` of every node under ``starts``, parents before children and
    children in their given order; a node reached twice is yielded once (a start's parent key
    is None). For category trees."""
    seen: set = set()
    for start in starts:
        stack = [(start, None)]
        while stack:
            node, parent = stack.pop()
            if key(node) in seen:
                continue
            seen.add(key(node))
            yield node, parent
            stack.extend((child, key(node)) for child in reversed(children(node)))


def each_record(stage: Any, records: list, convert: Callable[[Any], Any],
                keep: Callable[[Any], bool] | None = None) -> list:
    """The usual ``to_items``: ``convert`` every record ``keep`` lets through."""
    return [convert(r) for r in records if keep is None or keep(r)]


__all__ = ["Chunk", "Cursor", "StagedWalker", "depth_first", "each_record", "read_pages"]
