"""Reading a channel's config in an adapter or client, with errors that name the key and the fix.

Every marketplace reads its config the same way: ``ConfigReader(config, "<Label>")``, then
``.required("seller_id")``, ``.whole("buffer_stock", default=0)``, ``.decimal(...)``,
``.flag(...)``. Numbers follow the kit's one rule (:mod:`.values`): NaN and Infinity are
refused like any other text that is not a number.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import ConfigError
from .values import text, to_decimal, truthy


class ConfigReader:
    """Typed reads of one channel's config; ``label`` starts every error ("<Label> channel config: …")."""

    def __init__(self, config: dict[str, Any], label: str):
        self.config = config
        self.label = label

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.label} channel config: {key} {problem}")

    def get(self, key: str, default: Any = None) -> Any:
        value = self.config.get(key)
        return default if value is None else value

    def required(self, key: str) -> str:
        """The key's text; ConfigError when it is missing or blank."""
        value = self.config.get(key)
        if value is None or not str(value).strip():
            raise self.error(key, "is required")
        return str(value).strip()

    def text(self, key: str, default: str = "") -> str:
        return text(self.config.get(key)) or default

    def flag(self, key: str) -> bool:
        return truthy(self.config.get(key))

    def decimal(self, key: str, *, default: Decimal | None = None, minimum: Decimal | int | None = None) -> Decimal | None:
        """A finite number (text with a decimal comma allowed); ``default`` when unset."""
        raw = self.config.get(key)
        if raw in (None, ""):
            return default
        number = to_decimal(raw)
        if number is None:
            raise self.error(key, f"must be a finite number such as 12.5, got {raw!r} (NaN and Infinity are not numbers)")
        if minimum is not None and number < minimum:
            raise self.error(key, f"must be at least {minimum}, got {number}")
        return number

    def whole(self, key: str, *, default: int | None = None, minimum: int | None = 0) -> int | None:
        """A whole number (``3``, ``"3"``, ``3.0``); ``default`` when unset."""
        raw = self.config.get(key)
        if raw in (None, ""):
            return default
        number = to_decimal(raw)
        try:
            if number is None or number != number.to_integral_value():
                raise InvalidOperation
            value = int(number)
        except (InvalidOperation, ValueError):
            raise self.error(key, f"must be a whole number, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value


def require_set(values: dict[str, Any], where: str) -> None:
    """ConfigError ``"{where}: {key} is not set"`` for the first missing or blank value."""
    for key, value in values.items():
        if value is None or not str(value).strip():
            raise ConfigError(f"{where}: {key} is not set")


__all__ = ["ConfigReader", "require_set"]
