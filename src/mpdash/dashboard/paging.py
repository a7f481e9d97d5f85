"""Keyset pagination by id: a page costs an index range scan wherever it is, so the
thousandth page of a million log lines is as quick as the first (no OFFSET, no COUNT)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    rows: list = field(default_factory=list)
    newer: int | None = None  # ``after`` cursor of the page before this one (newer rows)
    older: int | None = None  # ``before`` cursor of the page after this one (older rows)


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def newest_first(queryset, *, before=None, after=None, size: int = 50) -> Page:
    """Rows with the highest ids first; ``before``/``after`` are the ids the links carry."""
    before, after = _cursor(before), _cursor(after)
    if after is not None:
        rows = list(queryset.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        if not rows:
            return Page()
        older = rows[-1].id if queryset.filter(id__lt=rows[-1].id).exists() else None
        return Page(rows, newer=rows[0].id if more_newer else None, older=older)
    base = queryset.filter(id__lt=before) if before is not None else queryset
    rows = list(base.order_by("-id")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    if not rows:
        return Page()
    newer = rows[0].id if before is not None and queryset.filter(id__gt=rows[0].id).exists() else None
    return Page(rows, newer=newer, older=rows[-1].id if more_older else None)


def oldest_first(queryset, *, after=None, size: int = 100) -> tuple[list, int | None]:
    """``(rows, next_after)``: rows in id order from ``after`` on, and the next page's cursor."""
    after = _cursor(after)
    qs = queryset.filter(id__gt=after) if after is not None else queryset
    rows = list(qs.order_by("id")[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].id
    return rows, None
