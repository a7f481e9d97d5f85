"""A listing store: records by key in creation order, alias indexes, and the history of every
applied change per key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class ListingStore:
    """A mapping of key -> record; ``key_name`` and ``batch_name`` name the history's fields
    (``sku``/``upload_id``…)."""

    def __init__(self, key_name: str = "sku", batch_name: str = "batch_id"):
        self.key_name, self.batch_name = key_name, batch_name
        self.clear()

    def clear(self) -> None:
        self._records: dict[str, dict[str, Any]] = {}
        self._keys: list[str] = []  # creation order, for paging
        self._aliases: dict[str, dict[str, list[str]]] = {}  # index name -> alias -> keys
        self._history: list[dict[str, Any]] = []
        self._history_by_key: dict[str, list[dict[str, Any]]] = {}

    # --- records ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._records.values())

    def __getitem__(self, key: str) -> dict[str, Any]:
        return self._records[key]

    def __setitem__(self, key: str, record: dict[str, Any]) -> None:
        self.put(key, record)

    def get(self, key: Any) -> dict[str, Any] | None:
        return self._records.get(key) if isinstance(key, str) else None

    def values(self) -> list[dict[str, Any]]:
        return [self._records[k] for k in self._keys]

    def keys(self) -> list[str]:
        return list(self._keys)

    def put(self, key: str, record: dict[str, Any]) -> None:
        if key not in self._records:
            self._keys.append(key)
        self._records[key] = record

    def remove(self, key: str) -> dict[str, Any]:
        """Drop a record (its aliases are the caller's to drop with :meth:`unalias`)."""
        record = self._records.pop(key)
        self._keys.remove(key)
        return record

    def page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return [self._records[k] for k in self._keys[offset:offset + limit]]

    # --- aliases (a second key: hbSku, stockCode…) ---------------------------------------
    def alias(self, index: str, alias: Any, key: str) -> None:
        keys = self._aliases.setdefault(index, {}).setdefault(str(alias), [])
        if key not in keys:
            keys.append(key)

    def unalias(self, index: str, alias: Any, key: str) -> None:
        table = self._aliases.get(index, {})
        keys = table.get(str(alias), [])
        if key in keys:
            keys.remove(key)
        if not keys:
            table.pop(str(alias), None)

    def find(self, index: str, alias: Any) -> list[str]:
        """The keys with this alias, oldest first."""
        return list(self._aliases.get(index, {}).get(str(alias), []))

    # --- history ------------------------------------------------------------------------
    def record(self, batch_id: str | None, kind: str, key: str, value: Any, accepted_at: float | None,
               applied_at: float) -> None:
        entry = {self.batch_name: batch_id, "kind": kind, self.key_name: key, "value": value,
                 "accepted_at": accepted_at, "applied_at": applied_at}
        self._history.append(entry)
        self._history_by_key.setdefault(key, []).append(entry)

    def history(self, key: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        """Copies of the applied changes (of one ``key``, or all), from position ``start`` on:
        a watcher passes how many it has seen and gets only the new ones."""
        entries = self._history if key is None else self._history_by_key.get(key, [])
        return [dict(e) for e in entries[start:]]
