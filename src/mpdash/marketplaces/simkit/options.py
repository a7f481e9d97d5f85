"""Declarative simulator options: each option names its default and its rule once.

    OPTIONS = OptionSet(
        seller_id=text("123456", digits=True),
        processing_delay=number(1.0),
        rate_limit=limit(50),
        fault=fault_option(),
    )
    OPTIONS.defaults()                   # {"seller_id": "123456", ...}
    OPTIONS.validate({"latency": "0.5"})  # {"latency": 0.5}; ValueError naming the option otherwise
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .faults import BASE_FAULT_MODES, validate_fault
from .wire import is_int


@dataclass(frozen=True)
class Option:
    default: Any
    check: Callable[[Any], Any]  # the clean value, or ValueError("must be ...")


class OptionSet:
    def __init__(self, **options: Option):
        self.options = options

    def __contains__(self, name: str) -> bool:
        return name in self.options

    def defaults(self) -> dict[str, Any]:
        return {name: copy.deepcopy(option.default) for name, option in self.options.items()}

    def validate(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Check and normalise option changes; raise ValueError naming the bad option."""
        clean: dict[str, Any] = {}
        for key, value in changes.items():
            option = self.options.get(key)
            if option is None:
                raise ValueError(f"unknown simulator option {key!r}; known: {', '.join(sorted(self.options))}")
            try:
                clean[key] = option.check(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"simulator option {key}: {exc}") from None
        return clean


def text(default: str, *, digits: bool = False) -> Option:
    """A non-empty text (numbers are taken as their text); ``digits``: only 0-9."""
    def check(value: Any) -> str:
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value):
            raise ValueError("must be a non-empty string")
        if digits and not str(value).isdigit():
            raise ValueError("must be digits")
        return str(value)
    return Option(default, check)


def number(default: float | None, *, low: float = 0, high: float | None = None, positive: bool = False,
           optional: bool = False, unit: str = "") -> Option:
    """A number >= ``low`` (> 0 with ``positive``), at most ``high``; ``optional``: None allowed."""
    def check(value: Any) -> float | None:
        if value is None and optional:
            return None
        value = float(value)
        if positive and value <= 0:
            raise ValueError("must be > 0")
        if high is not None and not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}{unit}")
        if value < low:
            raise ValueError(f"must be >= {low:g}" + (" or null (never)" if optional else ""))
        return value
    return Option(default, check)


def whole(default: int, *, low: int = 1) -> Option:
    def check(value: Any) -> int:
        value = int(value)
        if value < low:
            raise ValueError(f"must be >= {low}")
        return value
    return Option(default, check)


def seed(default: int) -> Option:
    def check(value: Any) -> int:
        if not is_int(value):
            raise ValueError("must be a whole number")
        return value
    return Option(default, check)


def limit(default: int | None) -> Option:
    """A count limit where 0 or None means off (stored as None)."""
    def check(value: Any) -> int | None:
        value = None if value in (None, 0) else int(value)
        if value is not None and value < 0:
            raise ValueError("must be >= 0")
        return value
    return Option(default, check)


def flag(default: bool) -> Option:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    return Option(default, check)


def texts(default: list[str], what: str = "texts") -> Option:
    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"must be a non-empty list of {what}")
        return list(value)
    return Option(default, check)


def fault_option(modes: tuple[str, ...] = BASE_FAULT_MODES) -> Option:
    return Option(None, lambda value: validate_fault(value, modes))


def common(**overrides: Option) -> dict[str, Option]:
    """The options every simulator has: delays, latency, the timeout fault's hold and the fault."""
    return {
        "processing_delay": number(1.0),  # seconds between accepting a batch and processing it
        "approval_delay": number(2.0),  # seconds until a new product is approved (or rejected)
        "latency": number(0.0),  # seconds added to every API answer
        "timeout_sleep": number(30.0),  # how long the timeout faults hold an answer
        "fault": fault_option(),
        **overrides,
    }
