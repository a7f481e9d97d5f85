"""Starting and stopping the processes mpdash is made of (web, worker, beat, simulator)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time


def web_command(host: str, port: int, workers: int = 2) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "mpdash.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--access-logfile", "-", "--graceful-timeout", "5", "--timeout", "60",
        "--config", "python:mpdash.gunicorn_conf",
    ]


def worker_command(concurrency: int = 2, name: str = "worker") -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "mpdash.celery:app", "worker",
        "--loglevel", "INFO", "--concurrency", str(concurrency), "--hostname", f"{name}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]


def beat_command(data_dir: str) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "mpdash.celery:app", "beat", "--loglevel", "INFO",
        "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler",
        "--pidfile", os.path.join(data_dir, "beat.pid"),
    ]


class Supervisor:
    """Runs child processes in their own process groups and stops all of them together."""

    def __init__(self, env: dict[str, str] | None = None):
        self.env = env or dict(os.environ)
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.stopping = False

    def start(self, name: str, command: list[str], log_path: str | None = None) -> subprocess.Popen:
        out = open(log_path, "ab") if log_path else None
        proc = subprocess.Popen(
            command, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None, start_new_session=True
        )
        self.children.append((name, proc))
        return proc

    def failed(self) -> list[str]:
        return [name for name, proc in self.children if proc.poll() is not None]

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping = True
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for _, proc in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                proc.wait(remaining)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)


def wait_forever(sup: Supervisor, stop_event: threading.Event) -> int:
    """Wait until SIGINT or SIGTERM, or until a child dies (exit code 1), then stop every child."""

    def handler(signum, frame):
        stop_event.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    code = 0
    while not stop_event.is_set():
        dead = sup.failed()
        if dead:
            print(f"mpdash: {', '.join(dead)} stopped unexpectedly; stopping everything", file=sys.stderr)
            code = 1
            break
        stop_event.wait(0.5)
    print("mpdash: stopping…", file=sys.stderr)
    sup.stop()
    return code
