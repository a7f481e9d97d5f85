"""Values on the wire: numbers, money, text and times, read and written one way for every
marketplace.

The one rule for numbers: a number is a finite decimal. ``Decimal("NaN")``, ``"Infinity"``
and their float forms are not numbers here (they cannot be sent, compared or stored), so
:func:`to_decimal` answers None for them as for any other text that is not a number. A
decimal comma (``"130,50"``) is read like a point; booleans are never numbers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or numeric text, else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def cents(value: Any) -> Decimal | None:
    """Two decimals, half up (lira and kuruş), or None when ``value`` is no number."""
    number = to_decimal(value)
    return None if number is None else number.quantize(CENT, rounding=ROUND_HALF_UP)


def wire_amount(value: Any) -> float | Any:
    """An amount with two decimals as a JSON number; a value that is no number is sent as it
    is, for the marketplace (or the adapter's own checks) to report."""
    amount = cents(value)
    return _as_sent(value) if amount is None else float(amount)


def _as_sent(value: Any) -> Any:
    """A value that is no number, as a JSON body can carry it (NaN and Infinity as text)."""
    if isinstance(value, (Decimal, float)) and not Decimal(value).is_finite():
        return str(value)
    return value


def wire_int(value: Any) -> int | Any:
    """A whole number as int (``"42"``, ``42.0``, ``Decimal("42")``); anything else as it is."""
    number = to_decimal(value)
    if number is not None and number == number.to_integral_value():
        return int(number)
    return _as_sent(value)


def number_text(value: Any) -> str:
    """A number as plain text ("20", "1.5"); anything else as its text."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value).strip()
    text = format(number.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def same_amount(sent: Any, held: Any) -> bool:
    """True when two amounts are equal to the cent (False when either is no number)."""
    a, b = cents(sent), cents(held)
    return a is not None and b is not None and a == b


def money(value: Any) -> Decimal:
    """An amount from an answer, 0 when missing (kept as given, not rounded)."""
    number = to_decimal(value)
    return Decimal("0") if number is None else number


def text(value: Any) -> str:
    """Stripped text; "" for None."""
    return "" if value is None else str(value).strip()


def required_text(value: Any, what: str) -> str:
    """Stripped text; ValueError ``"{what} is empty"`` for None and blank text."""
    if value is None or not str(value).strip():
        raise ValueError(f"{what} is empty")
    return str(value).strip()


def path_part(value: Any, what: str) -> str:
    """``value`` as one URL path segment (stripped, every reserved character quoted)."""
    return quote(required_text(value, what), safe="")


def check_page(page: int, size: int, most: int, *, first: str = "page") -> None:
    """ValueError unless ``page`` (or an offset) is 0 or more and ``size`` is 1..``most``."""
    if page < 0 or not 1 <= size <= most:
        raise ValueError(f"{first} must be >= 0 and size between 1 and {most}")


def text_or_none(value: Any) -> str | None:
    """Stripped text; None for None and blank text (so that a payload builder can leave it out)."""
    return text(value) or None


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def truthy(value: Any) -> bool:
    """A config flag: true, "true", "1", "yes", "on" (any case)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value is True or (not isinstance(value, bool) and bool(value))


# --- times ----------------------------------------------------------------------------------
def epoch_ms(value: Any, default_tz: tzinfo = UTC) -> int:
    """Epoch milliseconds of a datetime (naive ones are read in ``default_tz``) or a date."""
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=default_tz)).timestamp() * 1000)
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=default_tz).timestamp() * 1000)
    raise TypeError(f"expected a datetime, got {value!r}")


def ms_window(start: datetime, end: datetime) -> tuple[int, int]:
    """The epoch milliseconds, both ends inclusive, that hold every moment of [start, end),
    for a wire that filters by whole milliseconds. The end's own millisecond is in when the
    end falls inside it: a record changed there a moment before the end is read now, not one
    run later (the next window, starting at ``end``, reads that millisecond again, so a
    record in it may come twice; reading is idempotent, missing it is not)."""
    return epoch_ms(start), epoch_ms(end - timedelta(microseconds=1))  # datetimes hold whole microseconds


def from_ms(value: int | None) -> datetime | None:
    """An aware UTC datetime from epoch milliseconds."""
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def aware(value: datetime | None, default_tz: tzinfo = UTC) -> datetime | None:
    """A datetime with an offset: one without is read in ``default_tz``."""
    if value is None:
        return None
    return value.replace(tzinfo=default_tz) if value.tzinfo is None else value


def moment(value: Any, default_tz: tzinfo = UTC) -> datetime | None:
    """An aware datetime from a datetime, a date or ISO-8601 text (``Z`` allowed); None when
    ``value`` is empty or not a time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return aware(value, default_tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=default_tz)
    try:
        return aware(datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")), default_tz)
    except ValueError:
        return None


def require_aware(*values: datetime, what: str = "order windows") -> None:
    if any(v.tzinfo is None or v.utcoffset() is None for v in values):
        raise ValueError(f"{what} take timezone-aware datetimes")
