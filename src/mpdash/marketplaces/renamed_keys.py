"""Config keys renamed to their shared name (see :mod:`.common_config`), and the reading of a
config saved under an old name. No imports: :mod:`.base` applies it to every adapter's config."""

from __future__ import annotations

from typing import Any

# Old key -> the shared key that replaced it.
RENAMED_KEYS: dict[str, str] = {"send_cancellation_reason_id": "send_cancel_reason_id"}


def current_config(config: dict[str, Any]) -> dict[str, Any]:
    """``config`` with renamed keys under their current name (a value under the current name wins)."""
    if not any(old in config for old in RENAMED_KEYS):
        return config
    out = dict(config)
    for old, new in RENAMED_KEYS.items():
        if old in out:
            value = out.pop(old)
            if out.get(new) in (None, ""):
                out[new] = value
    return out
