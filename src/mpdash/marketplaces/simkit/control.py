"""The ``/_sim/`` control API every simulator has (no auth): inspect and steer it over HTTP.

Built in: ``GET /_sim/stats``, ``GET|POST /_sim/config``, ``POST /_sim/reset``,
``GET /_sim/state[?<key>=]`` and ``GET /_sim/history[?<key>=]``. A marketplace adds its own
routes as ``(method, regex, handler name)``; handlers take a :class:`Call`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .wire import Answer, Refusal

if TYPE_CHECKING:
    from .lifecycle import Simulator


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    payload: Any  # the decoded JSON body (None when empty)
    params: dict[str, str]

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def body(self) -> dict[str, Any]:
        """The payload when it is an object, else ``{}``."""
        return self.payload if isinstance(self.payload, dict) else {}


def control(method: str, pattern: str, handler: str) -> tuple[str, re.Pattern[str], str]:
    return method, re.compile(f"^/_sim/{pattern}/?$"), handler


class ControlApi:
    # ``GET /_sim/state?<key_param>=`` answers ``{<item>: sim.<item>(key)}``; without it
    # ``{<owner option>, counters, <items>: sim.<items>()}``.
    key_param, item, items, owner_option = "sku", "listing", "listings", "merchant_id"
    routes: tuple[tuple[str, re.Pattern[str], str], ...] = (
        control("GET", "stats", "stats"),
        control("GET", "config", "config"),
        control("POST", "config", "config"),
        control("POST", "reset", "reset"),
        control("GET", "state", "state"),
        control("GET", "history", "history"),
    )

    def __init__(self, simulator: Simulator):
        self.sim = simulator

    def error(self, status: int, message: str, path: str, key: str | None = None) -> Answer:
        return self.sim.error(status, message, path, key=key)

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        try:
            payload = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            return self.error(400, "the body is not valid JSON", path, "invalid.body")
        for route_method, pattern, handler in self.routes:
            match = pattern.match(path)
            if match and route_method == method:
                call = Call(method, path, query, payload, {k: unquote(v) for k, v in match.groupdict().items() if v})
                try:
                    return getattr(self, handler)(call)
                except Refusal as refusal:
                    return self.error(refusal.status, refusal.message, path, refusal.key)
                except ValueError as exc:
                    return self.error(400, str(exc), path, "invalid.request")
        return self.error(404, "unknown simulator control endpoint", path, "not.found")

    def found(self, value: Any, what: str, call: Call, wrap: str | None = None) -> Answer:
        """200 with ``value`` (under ``wrap``), or 404 "no <what>"."""
        if not value:
            return self.error(404, f"no {what}", call.path, "not.found")
        return Answer(200, {wrap: value} if wrap else value)

    # --- built in -----------------------------------------------------------------------
    def stats(self, call: Call) -> Answer:
        return Answer(200, self.sim.counters())

    def config(self, call: Call) -> Answer:
        if call.method == "POST":
            if not isinstance(call.payload, dict):
                return self.error(400, "POST /_sim/config takes a JSON object of options", call.path, "invalid.body")
            self.sim.configure(**call.payload)
        return Answer(200, self.sim.public_options())

    def reset(self, call: Call) -> Answer:
        self.sim.reset()
        return Answer(200, {"ok": True})

    def state(self, call: Call) -> Answer:
        key = call.arg(self.key_param)
        if key is not None:
            return self.found(getattr(self.sim, self.item)(key), f"{self.item} {key}", call, wrap=self.item)
        options = self.sim.options
        owner = {self.owner_option: options[self.owner_option]} if self.owner_option in options else {}
        return Answer(200, {**owner, "counters": self.sim.counters(), self.items: getattr(self.sim, self.items)()})

    def history(self, call: Call) -> Answer:
        return Answer(200, {"history": self.sim.history(call.arg(self.key_param))})
