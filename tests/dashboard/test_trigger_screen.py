"""Trigger: running a flow now (and watching its run), and the CSV actions with their
per-row results in the seeds' words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mpdash.dashboard.csv_actions import HEADER_ERROR, NOT_EXISTS, NOT_IN_QUEUE
from mpdash.integration import penalties
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowRun, PendingChange

from ..conftest import make_products

pytestmark = pytest.mark.django_db


def url(name, channel, **kw):
    return reverse(f"dashboard:{name}", kwargs={"slug": channel.slug, **kw})


def upload(client, channel, action, text, name="skus.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(url("upload-csv", channel), {"action": action, "file": SimpleUploadedFile(name, data, "text/csv")})


def results(response) -> dict[str, tuple[bool, str]]:
    """sku → (ok, message) of its first row."""
    out: dict[str, tuple[bool, str]] = {}
    for r in response.context["csv_results"]:
        out.setdefault(r.sku, (r.ok, r.message))
    return out


# --- run now ----------------------------------------------------------------------------
def test_run_now_queues_a_manual_run_and_the_watch_follows_it(channel_factory, client_as, no_celery,
                                                               django_capture_on_commit_callbacks):
    channel = channel_factory(active=True, flags=("stock",))
    no_celery.clear()
    client = client_as("operator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("run-now", channel, flow="stock"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 1s"' in page
    assert [(name, k["kwargs"]) for name, _, k in no_celery] == [
        ("run_flow", {"channel_id": channel.pk, "flow": "stock", "trigger": "manual"})
    ]
    after = response.context["after"]
    run = FlowRun.objects.create(channel=channel, flow="stock", status="running", trigger="manual", started_at=timezone.now())
    watch = url("watch", channel, flow="stock") + f"?after={after}&since=0"
    page = client.get(watch).content.decode()
    assert f"run #{run.pk}" in page and 'data-status="running"' in page and "every 1s" in page
    FlowRun.objects.filter(pk=run.pk).update(status="success", finished_at=timezone.now(), duration_ms=40, message="1 request(s) sent")
    page = client.get(watch).content.decode()
    assert 'data-status="success"' in page and "hx-trigger" not in page and "1 request(s) sent" in page


def test_without_htmx_run_now_redirects_to_the_watching_page(channel_factory, client_as, no_celery):
    channel = channel_factory(active=True, flags=("stock",))
    response = client_as("operator").post(url("run-now", channel, flow="stock"))
    assert response.status_code == 302 and "?watch=stock&after=" in response["Location"]
    assert "hx-trigger=\"load\"" in client_as("viewer").get(response["Location"]).content.decode()


def test_a_flow_that_cannot_run_says_why(channel, client_as, no_celery):
    response = client_as("operator").post(url("run-now", channel, flow="stock"))
    assert response.status_code == 409
    assert "channel hb is inactive; activate it first" in response.content.decode()
    page = client_as("operator").get(url("trigger", channel)).content.decode()
    assert "activate it first" in page and 'data-testid="run-category_node"' in page  # maintenance flows run while inactive
    assert not no_celery


def test_a_run_slow_to_start_hints_at_the_worker(channel, client_as):
    page = client_as("viewer").get(url("watch", channel, flow="stock") + "?after=999999&since=1").content.decode()
    assert "Is a worker running" in page


# --- CSV -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, message", [
    ("code\nA-1\n", HEADER_ERROR),
    ("", HEADER_ERROR),
    ("SKU;name\n", "no sku below it"),
    (b"\xff\xfesku\n", "not UTF-8"),
])
def test_a_bad_file_is_refused_whole(channel, client_as, text, message):
    response = upload(client_as("operator"), channel, "push", text)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_push_sends_products_now_and_reports_each_row(channel_factory, lists, client_as, no_celery):
    channel = channel_factory(active=True, flags=("product_create", "product_update"))
    products = make_products(lists, 3)
    busy = BatchRequest.objects.create(channel=channel, flow="product_create", kind="product", status="sent_to_remote")
    PendingChange.objects.update_or_create(
        channel=channel, product=products[2], kind="product", defaults={"changed_at": timezone.now(), "batch": busy}
    )
    text = f"sku\n{products[0].sku}\n{products[1].sku}\nNOPE\n{products[2].sku}\n{products[0].sku}\n"
    response = upload(client_as("operator"), channel, "push", text)
    assert response.status_code == 200
    got = results(response)
    assert got[products[0].sku][0] and got[products[1].sku][0]
    assert got["NOPE"] == (False, NOT_EXISTS)
    assert got[products[2].sku] == (False, f"The relevant record is processing in another queue, LocalBatchId: {busy.local_batch_id}")
    lines = [r.line for r in response.context["csv_results"]]
    assert lines == [2, 3, 4, 5, 6] and response.context["csv_results"][-1].message == "listed again; see line 2"


def test_lift_frees_penalised_records_and_says_which_had_none(channel_factory, lists, client_as, no_celery):
    channel = channel_factory(active=True, flags=("stock",))
    products = make_products(lists, 3, prefix="L")
    penalties.penalise(channel, "productstock", [(products[0].pk, products[0].sku, "Stock data not found")])
    assert PendingChange.objects.get(channel=channel, product=products[0], kind="productstock").available_at > timezone.now()
    no_celery.clear()
    response = upload(client_as("operator"), channel, "lift", f"sku\n{products[0].sku}\n{products[1].sku}\nNOPE\n")
    got = results(response)
    assert got[products[0].sku] == (True, "penalty lifted (productstock); sent again now")
    assert got[products[1].sku] == (False, NOT_IN_QUEUE)
    assert got["NOPE"] == (False, NOT_EXISTS)
    assert not FailedIntegration.objects.filter(channel=channel).exists()
    assert PendingChange.objects.get(channel=channel, product=products[0], kind="productstock").available_at <= timezone.now()


def test_bump_marks_products_pending_but_leaves_penalised_ones_held(channel, lists, client_as):
    products = make_products(lists, 3, prefix="B")
    penalties.penalise(channel, "product", [(products[1].pk, products[1].sku, "`Renk` attribute is required")])
    products[2].is_active = False
    products[2].save()
    PendingChange.objects.filter(channel=channel, kind="product").exclude(product=products[1]).delete()
    response = upload(client_as("operator"), channel, "bump", f"sku\n{products[0].sku}\n{products[1].sku}\n{products[2].sku}\n")
    got = results(response)
    assert got[products[0].sku][0]
    assert got[products[1].sku] == (False, NOT_IN_QUEUE)  # penalised: stays held until lifted
    assert got[products[2].sku] == (False, NOT_IN_QUEUE)  # not saleable
    pending = dict(PendingChange.objects.filter(channel=channel, kind="product").values_list("product_id", "version"))
    assert pending[products[0].pk] == 1 and products[2].pk not in pending
    held = PendingChange.objects.get(channel=channel, kind="product", product=products[1])
    assert held.version == 1 and (held.available_at is None or held.available_at > timezone.now() + timedelta(minutes=1))


def test_semicolon_files_and_a_sku_column_among_others_work(channel, lists, client_as):
    products = make_products(lists, 1, prefix="S")
    response = upload(client_as("operator"), channel, "bump", f"\ufeffName;SKU\nA dress;{products[0].sku}\n")
    assert results(response) == {products[0].sku: (True, "version bumped: the next product run sends it again")}


def test_a_100000_row_file_runs_in_the_background_with_progress_and_results(channel, lists, client_as, monkeypatch,
                                                                              django_capture_on_commit_callbacks, settings,
                                                                              tmp_path):
    from mpdash.dashboard import csv_actions
    from mpdash.dashboard.tasks import run_csv_job
    from mpdash.integration.models import CsvJob

    settings.DATA_DIR = tmp_path
    queued = []
    monkeypatch.setattr(run_csv_job, "delay", lambda job_id: queued.append(job_id))
    products = make_products(lists, 3000, prefix="BIG")
    PendingChange.objects.filter(channel=channel, kind="product").delete()
    lines = ["sku"] + [p.sku for p in products] + [f"NOPE-{i:06d}" for i in range(96_999)] + [products[0].sku]
    client = client_as("operator")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, channel, "bump", "\n".join(lines) + "\n", name="big.csv")
    assert response.status_code == 302 and "?job=" in response["Location"]
    job = CsvJob.objects.get()
    assert queued == [job.pk] and job.total == 100_000 and job.status == "queued"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="csv-job"' in page and "0 of 100000 rows" in page and 'hx-trigger="every 1s"' in page
    # The worker takes it; a crash half way would resume from the last chunk saved.
    real_chunk = csv_actions.CHUNK
    calls = {"n": 0}
    original = csv_actions.APPLY["bump"]

    def crash_once(ch, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker lost")
        return original(ch, rows)

    monkeypatch.setitem(csv_actions.APPLY, "bump", crash_once)
    with pytest.raises(RuntimeError):
        csv_actions.work_job(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.done == 2 * real_chunk and "worker lost" in job.error
    job.status = "running"
    job.save()
    csv_actions.work_job(job.pk)  # resumed from row 4,000
    job.refresh_from_db()
    assert job.status == "done" and job.done == 100_000
    assert (job.succeeded, job.failed) == (3000, 97_000)
    fragment = client.get(url("csv-job", channel, job_id=job.pk)).content.decode()
    assert "100000 of 100000 rows (100%)" in fragment and "hx-trigger" not in fragment
    body = b"".join(client.get(url("csv-job-results", channel, job_id=job.pk)).streaming_content).decode().splitlines()
    assert body[0] == "line,sku,result,message" and len(body) == 100_001
    assert body[1] == f"2,{products[0].sku},ok,version bumped: the next product run sends it again"
    assert body[-1] == f"100001,{products[0].sku},error,listed again earlier in the file"
    assert body[3001] == f"3002,NOPE-000000,error,{NOT_EXISTS}"
    assert PendingChange.objects.filter(channel=channel, kind="product").count() == 3000
