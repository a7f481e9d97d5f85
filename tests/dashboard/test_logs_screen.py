"""Logs: runs newest first, filters (flow, status, dates, SKU / order number), keyset
pagination that stays fast on a million log lines, and the run page."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mpdash.integration.models import BatchRequest, FlowLogLine, FlowRun

pytestmark = pytest.mark.django_db


def logs_url(channel, query=""):
    return reverse("dashboard:logs", kwargs={"slug": channel.slug}) + (f"?{query}" if query else "")


def run_ids(response) -> list[int]:
    table = response.content.decode().split('data-testid="runs"', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r">#(\d+)</a>", table)]


@pytest.fixture
def runs(channel):
    FlowRun.objects.all().delete()  # the schema_update run recorded when the channel was created
    now = timezone.now()
    made = {}
    for name, flow, status, days in (("old_stock", "stock", "success", 3), ("price", "price", "partial", 2), ("new_stock", "stock", "fail", 0)):
        made[name] = FlowRun.objects.create(channel=channel, flow=flow, status=status, started_at=now - timedelta(days=days))
    FlowLogLine.objects.bulk_create([
        FlowLogLine(run=made["old_stock"], object_key="SKU-1", outcome="success", answer={"status": "Done"}),
        FlowLogLine(run=made["price"], object_key="HB-ORDER-9", outcome="fail", message="bad price"),
        FlowLogLine(run=made["new_stock"], object_key="SKU-1", outcome="fail", message="Stock data not found"),
        FlowLogLine(run=made["new_stock"], object_key="SKU-3", outcome="success"),
    ])
    return made


def test_filters(channel, runs, client_as):
    client = client_as("viewer")
    old, price, new = runs["old_stock"].pk, runs["price"].pk, runs["new_stock"].pk
    assert run_ids(client.get(logs_url(channel))) == [new, price, old]
    assert run_ids(client.get(logs_url(channel, "flow=stock"))) == [new, old]
    assert run_ids(client.get(logs_url(channel, "status=partial"))) == [price]
    assert run_ids(client.get(logs_url(channel, "key=SKU-1"))) == [new, old]
    assert run_ids(client.get(logs_url(channel, "key=HB-ORDER-9"))) == [price]  # an order number too
    assert run_ids(client.get(logs_url(channel, "key=SKU-1&status=success"))) == [old]
    today = timezone.localdate()
    assert run_ids(client.get(logs_url(channel, f"date_from={today - timedelta(days=2)}"))) == [new, price]
    assert run_ids(client.get(logs_url(channel, f"date_to={today - timedelta(days=2)}"))) == [price, old]
    response = client.get(logs_url(channel, f"date_from={today}&date_to={today - timedelta(days=1)}"))
    assert "the From date is after the To date" in response.content.decode() and run_ids(response) == []


def test_runs_of_other_channels_are_not_shown(channel, runs, client_as, lists):
    from mpdash.channels.models import SalesChannel

    other = SalesChannel(name="Other", slug="other", marketplace="hepsiburada", **lists)
    other.save()
    foreign = FlowRun.objects.create(channel=other, flow="stock", status="success")
    client = client_as("viewer")
    assert foreign.pk not in run_ids(client.get(logs_url(channel)))
    assert client.get(reverse("dashboard:run", kwargs={"slug": channel.slug, "run_id": foreign.pk})).status_code == 404


def test_keyset_pages_walk_forward_and_back(channel, client_as):
    FlowRun.objects.all().delete()
    ids = [FlowRun.objects.create(channel=channel, flow="stock", status="success").pk for _ in range(120)][::-1]
    client = client_as("viewer")
    first = client.get(logs_url(channel))
    assert run_ids(first) == ids[:50] and "Newer" not in first.content.decode()
    second = client.get(logs_url(channel, f"before={ids[49]}"))
    assert run_ids(second) == ids[50:100]
    third = client.get(logs_url(channel, f"before={ids[99]}"))
    assert run_ids(third) == ids[100:] and "Older" not in third.content.decode()
    back = client.get(logs_url(channel, f"after={ids[100]}"))
    assert run_ids(back) == ids[50:100]
    assert f"before={ids[99]}" in back.content.decode() and f"after={ids[50]}" in back.content.decode()


def test_run_page_shows_counts_batches_and_pretty_answers(channel, runs, client_as):
    run = runs["new_stock"]
    run.finished_at, run.duration_ms, run.selected, run.failed, run.succeeded = timezone.now(), 1534, 2, 1, 1
    run.save()
    BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock", run=run, status="done",
                                remote_batch_id="up-123", item_count=2, exchange={"request": {"items": 2}, "response": {"id": "up-123"}})
    FlowLogLine.objects.create(run=run, object_key="SKU-4", outcome="success", answer={"merchantSku": "SKU-4", "status": "Success"})
    page = client_as("viewer").get(reverse("dashboard:run", kwargs={"slug": channel.slug, "run_id": run.pk})).content.decode()
    assert "Send stock" in page and "1.5 s" in page and "up-123" in page
    assert "Stock data not found" in page
    # Pretty-printed: one key per indented line (PostgreSQL's jsonb may order the keys differently).
    assert "\n  &quot;merchantSku&quot;: &quot;SKU-4&quot;" in page and "\n  &quot;status&quot;: &quot;Success&quot;" in page
    assert "hx-trigger" not in page.split('id="run-summary"', 1)[1].split(">", 1)[0]  # finished: no polling
    only_fail = client_as("viewer").get(
        reverse("dashboard:run", kwargs={"slug": channel.slug, "run_id": run.pk}) + "?outcome=fail"
    ).content.decode()
    assert "Stock data not found" in only_fail and "SKU-4" not in only_fail.split('data-testid="lines"', 1)[1]


def test_an_unfinished_run_polls_its_summary(channel, client_as):
    run = FlowRun.objects.create(channel=channel, flow="stock", status="running", started_at=timezone.now())
    client = client_as("viewer")
    summary = client.get(reverse("dashboard:run-summary", kwargs={"slug": channel.slug, "run_id": run.pk})).content.decode()
    assert 'hx-trigger="every 2s"' in summary and 'data-status="running"' in summary
    FlowRun.objects.filter(pk=run.pk).update(status="success", finished_at=timezone.now(), duration_ms=20)
    summary = client.get(reverse("dashboard:run-summary", kwargs={"slug": channel.slug, "run_id": run.pk})).content.decode()
    assert "hx-trigger" not in summary and 'data-status="success"' in summary


# --- a million log lines ------------------------------------------------------------------
RUNS, LINES_PER_RUN, SKUS = 10_000, 100, 50_000


def _fill(channel) -> int:
    """10,000 runs with 100 lines each (1,000,000 lines), written in SQL; returns the first run id."""
    now = timezone.now()
    FlowRun.objects.bulk_create(
        [FlowRun(channel=channel, flow="stock" if i % 2 else "price", status="success", started_at=now - timedelta(seconds=RUNS - i))
         for i in range(RUNS)], batch_size=2000,
    )
    first = FlowRun.objects.filter(channel=channel).order_by("id").values_list("id", flat=True)[1]  # [0]: schema_update
    total = RUNS * LINES_PER_RUN
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO integration_flowlogline (run_id, object_key, outcome, message, created_at) "
                "SELECT %s + i / %s, 'SKU-' || lpad((i %% %s)::text, 7, '0'), 'success', '', now() "
                "FROM generate_series(0, %s) AS i", [first, LINES_PER_RUN, SKUS, total - 1],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
                "INSERT INTO integration_flowlogline (run_id, object_key, outcome, message, created_at) "
                "SELECT %s + i / %s, 'SKU-' || printf('%%07d', i %% %s), 'success', '', datetime('now') FROM n",
                [total - 1, first, LINES_PER_RUN, SKUS],
            )
    return first


def test_pages_stay_fast_with_a_million_log_lines(channel, client_as):
    first = _fill(channel)
    assert FlowLogLine.objects.count() >= 1_000_000
    client = client_as("viewer")
    run_page = reverse("dashboard:run", kwargs={"slug": channel.slug, "run_id": first + RUNS // 2})
    pages = {
        "newest": logs_url(channel),
        "deep": logs_url(channel, f"before={first + 50}"),
        "by sku": logs_url(channel, "key=SKU-0012345"),
        "by sku and flow, deep": logs_url(channel, f"key=SKU-0012345&flow=price&before={first + RUNS // 2}"),
        "run": run_page,
        "run, last lines": run_page + f"?after={FlowLogLine.objects.filter(run_id=first + RUNS // 2).order_by('-id').values_list('id', flat=True)[5]}",
    }
    for name, address in pages.items():
        client.get(address)  # warm the page cache
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(address)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, name
        assert elapsed < 1.0, f"{name}: {elapsed:.2f} s"
        assert len(queries) <= 15, (name, [q["sql"] for q in queries])
        for q in queries:
            assert " OFFSET " not in q["sql"].upper(), (name, q["sql"])
    by_sku = client.get(logs_url(channel, "key=SKU-0012345"))
    # SKU-0012345 is logged by every run whose lines include i ≡ 12345 (mod 50,000): 20 runs, newest first.
    expected = sorted({first + i // LINES_PER_RUN for i in range(12345, RUNS * LINES_PER_RUN, SKUS)}, reverse=True)
    assert run_ids(by_sku) == expected
