"""/metrics in the Prometheus text format and /health/ (issue 16): a real stock flow against
the Hepsiburada simulator is counted (runs, durations, marketplace calls, budget waits), the
engine's state is read at scrape time, orders are counted, and scraping is protected."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from mpdash.integration.dispatch import execute
from mpdash.integration.models import BatchRequest, FailedIntegration, PendingChange

from .conftest import list_on, make_products

pytestmark = pytest.mark.django_db


def scrape(**extra) -> dict[tuple[str, tuple], float]:
    r = Client().get("/metrics", **extra)
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(r.content.decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_stock_flow_is_counted_runs_durations_calls_and_budget_waits(lists, channel_factory, sim, no_celery):
    products = make_products(lists, 3, quantity=10)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True)
    before = scrape()
    [run_id] = execute(channel.pk, "stock", "manual")
    deadline = time.monotonic() + 10
    from mpdash.integration import batches

    while BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).exists() and time.monotonic() < deadline:
        for batch in BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).select_related("channel", "run"):
            batches.poll(batch)
        time.sleep(0.1)
    after = scrape()

    ch = channel.slug
    assert value(after, "mpdash_flow_runs_total", channel=ch, flow="stock", status="success") == \
        value(before, "mpdash_flow_runs_total", channel=ch, flow="stock", status="success") + 1
    assert value(after, "mpdash_flow_run_duration_seconds_count", channel=ch, flow="stock") == \
        value(before, "mpdash_flow_run_duration_seconds_count", channel=ch, flow="stock") + 1
    calls = {k: v - before.get(k, 0.0) for k, v in after.items() if k[0] == "mpdash_marketplace_calls_total"}
    ours = {dict(k[1])["operation"]: v for k, v in calls.items() if v and dict(k[1])["marketplace"] == "hepsiburada"}
    assert ours and all(dict(k[1])["outcome"] == "ok" for k, v in calls.items() if v)
    assert any(op.startswith("POST ") for op in ours) and all("SKU-" not in op for op in ours)  # ids folded into {id}
    assert any(k[0] == "mpdash_marketplace_call_duration_seconds_bucket" for k in after)
    waits = [k for k, v in after.items() if k[0] == "mpdash_call_budget_wait_seconds_count" and v > before.get(k, 0.0)]
    assert waits and all(dict(k[1])["budget"].startswith("hepsiburada:") for k in waits)


def test_engine_state_is_read_at_scrape_time(lists, channel_factory):
    products = make_products(lists, 4)
    channel = channel_factory()
    PendingChange.objects.filter(channel=channel).delete()
    batch = BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock", status="sent_to_remote")
    BatchRequest.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    now = timezone.now()
    PendingChange.objects.bulk_create([
        PendingChange(channel=channel, product=products[0], kind="productstock", changed_at=now),
        PendingChange(channel=channel, product=products[1], kind="productstock", changed_at=now),
        PendingChange(channel=channel, product=products[2], kind="productstock", changed_at=now, batch=batch),
        PendingChange(channel=channel, product=products[3], kind="productprice", changed_at=now),
    ])
    FailedIntegration.objects.create(channel=channel, kind="productstock", object_id=products[1].pk,
                                     object_key=products[1].sku, settings={}, first_failed_at=now, last_failed_at=now)
    samples = scrape()
    ch = channel.slug
    assert value(samples, "mpdash_records_pending", channel=ch, kind="productstock") == 2
    assert value(samples, "mpdash_records_pending", channel=ch, kind="productprice") == 1
    assert value(samples, "mpdash_records_in_flight", channel=ch, kind="productstock") == 1
    assert value(samples, "mpdash_records_penalised", channel=ch, kind="productstock") == 1
    assert 299 <= value(samples, "mpdash_oldest_open_batch_age_seconds", channel=ch) < 400


def test_orders_ingested_are_counted_when_their_transaction_commits(channel_factory, monkeypatch):
    from mpdash import app_metrics as metrics

    channel = channel_factory()
    before = value(scrape(), "mpdash_orders_ingested_total", channel=channel.slug)
    captured = []
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn: captured.append(fn))
    metrics.orders_ingested(channel, 3)
    assert value(scrape(), "mpdash_orders_ingested_total", channel=channel.slug) == before  # not committed yet
    for fn in captured:
        fn()
    assert value(scrape(), "mpdash_orders_ingested_total", channel=channel.slug) == before + 3


def test_metrics_are_refused_to_other_addresses_and_need_the_token_when_one_is_set(db, settings):
    assert Client().get("/metrics").status_code == 200  # the test client is 127.0.0.1, allowed by default
    r = Client().get("/metrics", REMOTE_ADDR="10.9.9.9")
    assert r.status_code == 403 and b"MPDASH_METRICS_ALLOWED_IPS" in r.content
    settings.MPDASH_METRICS_ALLOWED_IPS = ["10.9.0.0/16"]
    assert Client().get("/metrics", REMOTE_ADDR="10.9.9.9").status_code == 200
    settings.MPDASH_METRICS_TOKEN = "scrape-secret"
    assert Client().get("/metrics", REMOTE_ADDR="10.9.9.9").status_code == 403  # a token set: the address alone is not enough
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_health_reports_database_and_broker(db):
    r = Client().get("/health/")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_naming_the_broker_when_it_does_not_answer(db, settings, monkeypatch):
    from mpdash.celery import app

    # The write URL first: read before broker_url changes, it is restored to its true value (it
    # falls back to broker_url when unset, and is set from it at start-up with a Redis broker).
    monkeypatch.setattr(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    r = Client().get("/health/")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "degraded" and body["database"] == "ok" and body["broker"].startswith("error: ")


# --- the multiprocess directory at start-up -------------------------------------------------------

_COUNT_IN_A_PROCESS = """
from prometheus_client import Counter
Counter("mpdash_test_restarts", "counted by a process of an earlier run").inc(5)
"""


def _total(directory) -> float:
    from prometheus_client import CollectorRegistry, generate_latest, multiprocess

    reg = CollectorRegistry()
    multiprocess.MultiProcessCollector(reg, path=str(directory))
    for family in text_string_to_metric_families(generate_latest(reg).decode()):
        for s in family.samples:
            if s.name == "mpdash_test_restarts_total":
                return s.value
    return 0.0


def test_a_launcher_removes_the_metric_files_of_processes_that_no_longer_run(tmp_path):
    import os
    import subprocess
    import sys

    from mpdash.processes import Supervisor, clean_metrics_dir

    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two earlier runs: their counts add up in /metrics while their files stay
        subprocess.run([sys.executable, "-c", _COUNT_IN_A_PROCESS], env=env, check=True, timeout=60)
    assert _total(tmp_path) == 10
    running = subprocess.Popen([sys.executable, "-c", _COUNT_IN_A_PROCESS + "\nimport time; time.sleep(60)"], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / f"counter_{running.pid}.db").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        (tmp_path / "notes.txt").write_text("not a metric file")
        removed = clean_metrics_dir(str(tmp_path))
        assert len(removed) == 2 and all(name.startswith("counter_") for name in removed)
        # a process still running keeps its counts; other files are left alone
        assert _total(tmp_path) == 5 and (tmp_path / "notes.txt").exists()
    finally:
        running.kill()
        running.wait(10)
    Supervisor(env=env)  # what `mpdash run` and `mpdash demo` make before starting their processes
    assert _total(tmp_path) == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_the_web_and_worker_commands_clean_the_directory_before_they_start(tmp_path, monkeypatch):
    import os

    from mpdash import cli

    started = []
    for command in ("web", "worker", "beat"):
        stale = tmp_path / "counter_999999999.db"  # no process has that pid
        stale.write_bytes(b"\0" * 8)
        monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
        monkeypatch.setattr(cli, "setup", lambda data_dir: None)
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        cli.main([command])
        assert not stale.exists(), command
    assert len(started) == 3
