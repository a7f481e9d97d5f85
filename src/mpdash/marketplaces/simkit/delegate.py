"""Simulator methods that hand a call to the simulator's state unchanged (steering and inspection)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def from_state(name: str, doc: str = "") -> Callable[..., Any]:
    """A method calling ``self.state.<name>`` with the same arguments; ``doc`` its docstring."""
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.state, name)(*args, **kwargs)

    call.__doc__ = doc or f"The state's ``{name}()``."
    return call
