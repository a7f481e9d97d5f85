"""Reusable state machines: the moves a record may make, and hooks that run on a move."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Hook = Callable[[dict[str, Any], str, str, dict[str, Any]], None]  # (record, old, new, context)


class StateMachine:
    """``moves`` maps a state to the states it may move to; anything else is refused with
    ``refuse(record, current, target, allowed)`` (an exception the marketplace words)."""

    def __init__(self, moves: dict[str, Iterable[str]], refuse: Callable[[dict[str, Any], str, str, tuple[str, ...]],
                 Exception], field: str = "status"):
        self.moves = {state: tuple(targets) for state, targets in moves.items()}
        self.refuse, self.field = refuse, field
        self._hooks: list[tuple[str | None, Hook]] = []

    @classmethod
    def from_sources(cls, sources: dict[str, Iterable[str]], refuse, field: str = "status") -> StateMachine:
        """Build from ``target -> states it may be reached from``."""
        moves: dict[str, list[str]] = {}
        for target, froms in sources.items():
            for state in froms:
                moves.setdefault(state, []).append(target)
        return cls(moves, refuse, field)

    @property
    def states(self) -> tuple[str, ...]:
        seen = dict.fromkeys(self.moves)
        for targets in self.moves.values():
            seen.update(dict.fromkeys(targets))
        return tuple(seen)

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.moves.get(current, ())

    def sources(self, target: str) -> tuple[str, ...]:
        return tuple(state for state, targets in self.moves.items() if target in targets)

    def can(self, current: str, target: str) -> bool:
        return target in self.allowed(current)

    def on(self, target: str | None, hook: Hook) -> None:
        """Run ``hook(record, old, new, context)`` after each move to ``target`` (None: every move)."""
        self._hooks.append((target, hook))

    def check(self, record: dict[str, Any], target: str) -> None:
        current = record[self.field]
        if not self.can(current, target):
            raise self.refuse(record, current, target, self.allowed(current))

    def move(self, record: dict[str, Any], target: str, **context: Any) -> str:
        """Move ``record`` to ``target`` (refused unless allowed); returns the old state."""
        self.check(record, target)
        old = record[self.field]
        record[self.field] = target
        for wanted, hook in self._hooks:
            if wanted is None or wanted == target:
                hook(record, old, target, context)
        return old
