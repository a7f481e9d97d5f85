"""Numbered pages (from 0) as Spring-style listings answer them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def numbered_page(records: Sequence[T], page: int, size: int) -> tuple[list[T], dict[str, int]]:
    """Page ``page`` of ``records`` at ``size`` a page, and its ``{totalElements, totalPages, page, size}``."""
    total = len(records)
    return list(records[page * size:(page + 1) * size]), {"totalElements": total, "totalPages": -(-total // size),
                                                          "page": page, "size": size}
