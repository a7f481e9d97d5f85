"""Starting and stopping the processes mpdash is made of (web, worker, beat, simulator)."""

from __future__ import annotations

import os
import re
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


_METRIC_FILE = re.compile(r"^[a-z_]+_(\d+)\.db$")  # prometheus_client's files: counter_1234.db, histogram_1234.db…


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this launcher is starting: nothing of it has been counted yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: running
    return True


def clean_metrics_dir(path: str | None = None) -> list[str]:
    """Remove the Prometheus multiprocess files of processes that no longer run.

    Each process of this machine (gunicorn workers, Celery workers, beat) writes its counters to
    ``<kind>_<pid>.db`` under ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` sums every file. Left
    from a previous run, a file would add that run's counts to this one's (and a process that
    gets the same pid, common in containers, would carry on from them). The launchers call this
    at start-up, before any process of theirs counts; the files of processes still running
    (another worker started by hand on this machine) are kept. Returns the names removed."""
    path = path or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path or not os.path.isdir(path):
        return []
    removed = []
    for name in sorted(os.listdir(path)):
        match = _METRIC_FILE.match(name)
        if match and not _running(int(match.group(1))):
            try:
                os.remove(os.path.join(path, name))
            except FileNotFoundError:
                continue
            removed.append(name)
    return removed


class Supervisor:
    """Runs child processes in their own process groups and stops all of them together. It owns
    the metrics of the processes it starts: stale metric files are removed when it is made."""

    def __init__(self, env: dict[str, str] | None = None):
        self.env = env or dict(os.environ)
        clean_metrics_dir(self.env.get("PROMETHEUS_MULTIPROC_DIR"))
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
