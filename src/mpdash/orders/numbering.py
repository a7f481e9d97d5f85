"""Order numbers from the channel config ``order_number_format``.

Placeholders: ``{orderNumber}`` (the marketplace order number), ``{id}`` and
``{packageNumber}`` (the marketplace package id), ``{channel_id}``, and ``{n1}``, ``{n2}``,
``{n3}`` — the dash-separated parts of the marketplace order number (e.g.
``123-4567890-1234567``). Default ``{orderNumber}-{id}``, as in the seeds.
"""

from __future__ import annotations

import string
from typing import Any

from .errors import OrderError

DEFAULT_FORMAT = "{orderNumber}-{id}"
MAX_LENGTH = 128


def placeholders(order_number: str, package_id: str, channel_id: Any = None) -> dict[str, str]:
    values = {
        "orderNumber": order_number,
        "id": package_id,
        "packageNumber": package_id,
        "channel_id": "" if channel_id is None else str(channel_id),
    }
    parts = order_number.split("-")
    for i in range(3):
        values[f"n{i + 1}"] = parts[i] if i < len(parts) else ""
    return values


def format_order_number(fmt: str | None, *, order_number: str, package_id: str, channel_id: Any = None) -> str:
    fmt = (fmt or "").strip() or DEFAULT_FORMAT
    values = placeholders(str(order_number), str(package_id), channel_id)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError as exc:
        raise OrderError(f"order_number_format {fmt!r} is not a valid format: {exc}", field="order_number_format") from None
    unknown = sorted(n for n in names if n not in values)
    if unknown:
        raise OrderError(
            f"order_number_format {fmt!r} names unknown placeholders: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(values))})",
            field="order_number_format",
        )
    number = fmt.format_map(values)
    if not number or len(number) > MAX_LENGTH:
        raise OrderError(f"order number {number!r} must have 1 to {MAX_LENGTH} characters", field="number")
    return number


def order_number_for(channel, *, order_number: str, package_id: str) -> str:
    return format_order_number(
        (channel.config or {}).get("order_number_format"), order_number=order_number, package_id=package_id, channel_id=channel.pk
    )
