"""Loaded with ``-p`` before pytest-django reads settings: gives each test session a
fresh data directory (SQLite test database, file-system broker, keys), unless the
environment already names one."""

import os
import tempfile

if not os.environ.get("MPDASH_DATA_DIR"):
    os.environ["MPDASH_DATA_DIR"] = tempfile.mkdtemp(prefix="mpdash-test-")
os.environ.setdefault("MPDASH_CHANGE_DEBOUNCE_SECONDS", "0.2")
os.environ.setdefault("MPDASH_BATCH_POLL_SECONDS", "0.3")
os.environ.setdefault("MPDASH_FLOW_LEASE_SECONDS", "15")
os.environ.setdefault("MPDASH_APPROVAL_POLL_SECONDS", "0.3")
# Simulators answer as fast as tests need: scale the marketplaces' call budgets up.
os.environ.setdefault("MPDASH_CALL_BUDGET_SCALE", "1000")
