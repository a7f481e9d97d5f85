"""A marketplace simulator in a process of its own, for benchmarks.

The real marketplace runs on other machines: hosting its simulator in a thread of the
benchmark's process would make its work compete with ours for this process's CPU and
interpreter lock. :class:`SimulatorProcess` starts one in a child process and forwards
method calls and attribute reads to it over a pipe.
"""

from __future__ import annotations

import importlib
import os


class SimulatorProcess:
    """The simulator in a child process, driven through a pipe: ``sim.place_order(...)`` and
    ``sim.options`` work as on the in-process simulator."""

    def __init__(self, options: dict, module: str = "mpdash.marketplaces.hepsiburada.simulator") -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_host_simulator, args=(child, module, options), daemon=True)
        self._process.start()
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"the simulator process did not start: {value}")

    def _ask(self, *message):
        self._conn.send(message)
        ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(value)
        return value

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._ask("callable", name):
            return lambda *a, **k: self._ask("call", name, a, k)
        return self._ask("get", name)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the simulator process has used so far."""
        with open(f"/proc/{self._process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self) -> None:
        """The catalog is loaded: move what the simulator holds out of the cycle collector's
        reach (``gc.freeze``). A simulator holding 100,000 listings otherwise stops for a
        full collection over all of them now and then, in the middle of answering a request:
        a pause of the test harness, not of the engine measured, nor of a marketplace."""
        self._conn.send(("settle",))
        self._conn.recv()

    def gc_pauses(self) -> dict:
        """The simulator's cycle-collector pauses so far: count, total and longest (seconds)."""
        self._conn.send(("gc_pauses",))
        return self._conn.recv()[1]

    def stop(self) -> None:
        try:
            self._ask("call", "stop", (), {})
            self._conn.send(("exit",))
        finally:
            self._process.join(10)


def _host_simulator(conn, module: str, options: dict) -> None:
    try:
        sim = importlib.import_module(module).serve(**options)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        conn.send((False, repr(exc)))
        return
    conn.send((True, None))
    import gc
    import time

    pauses: list[float] = []
    started = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(on_gc)
    while True:
        message = conn.recv()
        if message[0] == "exit":
            return
        if message[0] == "settle":
            gc.collect()
            gc.freeze()
            pauses.clear()
            conn.send((True, None))
            continue
        if message[0] == "gc_pauses":
            conn.send((True, {"count": len(pauses), "total_s": round(sum(pauses), 3),
                              "longest_s": round(max(pauses, default=0.0), 3)}))
            continue
        try:
            if message[0] == "callable":
                answer = callable(getattr(sim, message[1]))
            elif message[0] == "get":
                answer = getattr(sim, message[1])
            else:
                answer = getattr(sim, message[1])(*message[2], **message[3])
            conn.send((True, answer))
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            conn.send((False, repr(exc)))


