"""A running simulator (start, stop, context manager, configure, reset, options, counters)
and the ``serve()``/``main()`` it is started with."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from typing import Any, Self

from .clock import Clock
from .control import ControlApi
from .pipeline import Api
from .server import SimulatorHandler, SimulatorServer, run_until_signal
from .state import SimState
from .wire import Answer


class Simulator:
    """Serves its APIs (the first whose ``serves(path)`` is true) and ``/_sim/`` in a daemon
    thread; ``clock=`` (not an option) gives it a fast or hand-stepped :class:`Clock`."""

    label = "simulator"
    state_class: type[SimState] = SimState
    api_classes: tuple[type[Api], ...] = ()
    control_class: type[ControlApi] = ControlApi
    secret_options: tuple[str, ...] = ()  # shown as ******** by /_sim/config
    server_version = "MarketplaceSimulator/1.0"
    # The state's inspection and steering methods (and properties) the simulator offers as
    # its own: ``sim.listing(sku)`` is ``sim.state.listing(sku)``, documented on the state.
    forwarded: frozenset[str] = frozenset()

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, clock: Clock | None = None, **options: Any):
        self.state = self.state_class(options, clock)
        self._stop_event = threading.Event()
        self.apis = [api_class(self) for api_class in self.api_classes]
        self.control = self.control_class(self)
        handler = type(f"{type(self).__name__}Handler", (SimulatorHandler,), {"server_version": self.server_version})
        self._server = SimulatorServer((host, port), handler)
        self._server.label = self.label
        self._server.simulator = self
        self.host = host
        self.port: int = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.label.lower().replace(" ", "-"), daemon=True)
        self._stopped = False

    def __getattr__(self, name: str) -> Any:
        """A name of :attr:`forwarded`, read from the state (called only when nothing else has it)."""
        if name in type(self).forwarded:
            return getattr(self.state, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- serving ------------------------------------------------------------------------
    def dispatch(self, method: str, path: str, query: dict[str, list[str]], headers: Any, body: bytes) -> Answer:
        if path.startswith("/_sim/"):
            return self.control.handle(method, path, query, body)
        api = next((a for a in self.apis if a.serves(path)), self.apis[-1])
        return api.handle(method, path, query, headers, body)

    def keep_blank_values(self, path: str) -> bool:
        """Whether ``a=`` in a query counts as given empty (True) or as not given."""
        return True

    def error(self, status: int, message: str, path: str, *, key: str | None = None) -> Answer:
        """The marketplace's error body for the control API (its main API's by default)."""
        return Answer(status, {"status": status, "message": message, "path": path})

    def wait(self, seconds: float) -> None:
        """Hold an answer (latency, the timeout faults); cut short by ``stop()``."""
        self._stop_event.wait(seconds)

    # --- lifecycle ----------------------------------------------------------------------
    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_event.set()  # wake handlers held by latency or the timeout fault
        self.state.stop()
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    close = stop

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- steering -----------------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def options(self) -> dict[str, Any]:
        return self.state.options()

    def public_options(self) -> dict[str, Any]:
        return {**self.options, **{name: "********" for name in self.secret_options}}

    def configure(self, **options: Any) -> dict[str, Any]:
        """Change options (same names as ``serve()``); returns them all."""
        return self.state.configure(options)

    def reset(self) -> None:
        """Drop every record, the counters and the fault; keep the other options."""
        self.state.reset()

    @property
    def requests_total(self) -> int:
        return self.state.requests_total

    def counters(self) -> dict[str, int]:
        return {"requests_total": self.requests_total}


def serve_factory(simulator_class: type[Simulator]) -> Callable[..., Simulator]:
    def serve(host: str = "127.0.0.1", port: int = 0, **options: Any) -> Simulator:
        """Start a simulator in a background thread (port 0 picks a free port) and return it."""
        return simulator_class(host, port, **options).start()
    return serve


def run_main(argv: list[str] | None, *, serve: Callable[..., Simulator], prog: str, description: str, port: int,
             flags: tuple[tuple[str, type, str], ...], banner: Callable[[Simulator], list[str]]) -> int:
    """The foreground ``main()``: ``flags`` are ``(--option-name, type, help)``, each an option
    of ``serve()``; ``banner(simulator)`` is printed once it listens (never a secret)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    for name, kind, text in flags:
        parser.add_argument(name, type=kind, help=text)
    args = parser.parse_args(argv)
    options = {key: value for key, value in vars(args).items() if key not in ("host", "port") and value is not None}
    try:
        simulator = serve(args.host, args.port, **options)
    except (OSError, ValueError) as exc:
        print(f"cannot start the simulator: {exc}", file=sys.stderr)
        return 2
    for line in banner(simulator):
        print(line)
    print("Ctrl-C to stop.", flush=True)
    run_until_signal(simulator)
    print("stopped.", flush=True)
    return 0
