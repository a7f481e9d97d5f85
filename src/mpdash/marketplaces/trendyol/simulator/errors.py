"""Trendyol's error bodies, and the refusal that carries one out of the simulator's state.

401 ``{"exception": "ClientApiAuthenticationException", …}`` as documented; everything else
the documented ``{"errors": [{"key", "message", "errorCode"}]}``. The keys Trendyol uses for
403, 404, 429 and the 15-minute rule are not published; the ones here are our guesses.
"""

from __future__ import annotations

import time

from ...simkit import Answer, Refusal

PREFIX = "/integration"
_AUTH_FAILED = "ClientApiAuthenticationException"


def now_ms() -> int:
    return int(time.time() * 1000)


class Refused(Refusal):
    """A request refused as a whole: HTTP status, Trendyol-style error key and message."""

    def __init__(self, status: int, key: str, message: str):
        super().__init__(status, message, key)


def error_answer(status: int, key: str, message: str, headers: dict[str, str] | None = None) -> Answer:
    """Trendyol's documented error envelope."""
    return Answer(status, {"errors": [{"key": key, "message": message, "errorCode": str(status)}]}, headers or {})


def auth_failed(path: str) -> Answer:
    return Answer(401, {"timestamp": now_ms(), "status": 401, "exception": _AUTH_FAILED, "message": "Unauthorized",
                        "path": path})
