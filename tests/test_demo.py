"""`mpdash demo` end to end: it comes up, stock moves to the simulator, and SIGTERM stops
every process it started (web, worker, beat, simulator) with none left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find leftover processes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes_using(data_dir: str) -> list[tuple[int, str]]:
    """Live processes whose environment or command line names ``data_dir``."""
    found = []
    needle = data_dir.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ", 1)[1][0]
        except OSError:
            continue
        if state == "Z":
            continue
        if needle in cmdline or needle in environ:
            found.append((int(entry.name), cmdline.replace(b"\0", b" ").decode(errors="replace")[:120]))
    return found


def _get_json(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.load(resp)


def test_demo_runs_flows_and_sigterm_leaves_no_process(tmp_path):
    data_dir = str(tmp_path / "demo-data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "MPDASH_DATA_DIR")}
    env["MPDASH_ENCRYPTION_KEY"] = ""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mpdash.cli", "demo", "--port", str(port), "--data-dir", data_dir,
         "--products", "300", "--shopper-interval", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    try:
        token = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and token is None:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Authorization: Token " in line:
                token = line.rsplit("Token ", 1)[1].strip()
        assert token, "demo did not print its API token:\n" + "".join(output)
        assert f"http://127.0.0.1:{port}/" in "".join(output)

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as resp:
            assert resp.status == 200

        # The shopper changes stock every second; a stock run must succeed against the simulator.
        runs = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = _get_json(f"http://127.0.0.1:{port}/api/v1/flow-runs/?flow=stock&status=success", token)["results"]
            if any(r["sent"] > 0 for r in runs):
                break
            time.sleep(1)
        assert any(r["sent"] > 0 for r in runs), "no successful stock run with records sent"

        assert len(_processes_using(data_dir)) >= 4  # web, worker, beat (+ their children)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, "".join(output) + proc.stdout.read()
    deadline = time.monotonic() + 10
    left = _processes_using(data_dir)
    while left and time.monotonic() < deadline:
        time.sleep(0.3)
        left = _processes_using(data_dir)
    assert not left, f"processes left after SIGTERM: {left}"
