"""CSV triggers: a file whose header is ``sku``, and what to do with those products.

* ``push``: send them now, as a create or an update, whichever each needs
  (:func:`mpdash.integration.product_flow.resend`, which also lifts their penalties);
* ``lift``: lift their penalties (:func:`mpdash.integration.penalties.lift`) and run the
  flows of what was lifted;
* ``bump``: raise their pending version so the next product run sends them again; a
  product held by a penalty stays held.

Every row gets a result; the messages are the seeds' own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from celery import shared_task

from mpdash.catalog.models import CatalogItem, Product
from mpdash.integration import penalties, product_flow
from mpdash.integration.change_tracking import mark_products
from mpdash.integration.dispatch import request_flow
from mpdash.integration.models import FailedIntegration, FlowRun, PendingChange

HEADER_ERROR = "sku cannot identify please check your csv file. Header value should be set this: sku"
NOT_EXISTS = "The relevant SKU not exists in the catalog"
NOT_IN_QUEUE = "The relevant record is not in queue. The item may have been penalized or check if the product is saleable"
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# Files with more rows than this are worked through in the background, with a progress bar.
BACKGROUND_ROWS = 2_000
CHUNK = 2_000

ACTIONS = {
    "push": "Push products (create or update, now)",
    "lift": "Lift penalties",
    "bump": "Bump product version (send again with the next run)",
}


class CsvProblem(Exception):
    """The file as a whole cannot be used; nothing was done."""


@dataclass
class RowResult:
    line: int
    sku: str
    ok: bool
    message: str


def read_skus(upload) -> list[tuple[int, str]]:
    """``(line number, sku)`` of every non-empty row; the header must name a ``sku`` column."""
    if upload is None:
        raise CsvProblem("choose a CSV file")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvProblem("the file is not UTF-8 text; save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if "sku" not in header:
        raise CsvProblem(HEADER_ERROR)
    column = header.index("sku")
    rows = []
    for line, cells in enumerate(reader, start=2):
        sku = cells[column].strip() if len(cells) > column else ""
        if sku:
            rows.append((line, sku))
    if not rows:
        raise CsvProblem("the file has a sku header but no sku below it")
    if len(rows) > MAX_ROWS:
        raise CsvProblem(f"at most {MAX_ROWS} rows per file (got {len(rows)}); split it")
    return rows


def _unique(rows: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[RowResult]]:
    seen: dict[str, int] = {}
    unique, repeats = [], []
    for line, sku in rows:
        if sku in seen:
            repeats.append(RowResult(line, sku, False, f"listed again; see line {seen[sku]}"))
        else:
            seen[sku] = line
            unique.append((line, sku))
    return unique, repeats


def _in_catalog(channel, skus: list[str]) -> dict[str, int]:
    """sku → product id, for the products of the channel's catalog among ``skus``."""
    ids = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
    listed = set(
        CatalogItem.objects.filter(catalog_id=channel.catalog_id, product_id__in=ids.values()).values_list("product_id", flat=True)
    )
    return {sku: pk for sku, pk in ids.items() if pk in listed}


def _busy_batches(channel, product_ids) -> dict[int, object]:
    """product id → the batch request carrying its product record right now."""
    rows = PendingChange.objects.filter(
        channel=channel, kind="product", product_id__in=list(product_ids), batch__isnull=False
    ).select_related("batch")
    return {row.product_id: row.batch for row in rows}


def request_flows_for(channel, kinds) -> list[str]:
    """Queue the enabled flows that carry records of ``kinds``; returns their names."""
    queued = []
    for spec in channel.adapter_class.flows:
        carries = spec.kind in kinds or ("product" in kinds and spec.name in (product_flow.CREATE, product_flow.UPDATE))
        if carries and channel.flow_enabled(spec.name):
            request_flow(channel.pk, spec.name, FlowRun.Trigger.MANUAL, countdown=0)
            queued.append(spec.name)
    return queued


def push(channel, rows) -> list[RowResult]:
    outcome = product_flow.resend(channel, [sku for _, sku in rows])
    missing = set(outcome["unknown"]) | set(outcome["not_in_catalog"])
    results = []
    for line, sku in rows:
        if sku in missing:
            results.append(RowResult(line, sku, False, NOT_EXISTS))
        elif sku in outcome["in_flight"]:
            results.append(RowResult(line, sku, False, outcome["in_flight"][sku]))
        else:
            results.append(RowResult(line, sku, True, "queued: sent as a create or an update, whichever it needs"))
    return results


def lift(channel, rows) -> list[RowResult]:
    skus = [sku for _, sku in rows]
    penalised: dict[str, set[str]] = {}
    for key, kind in FailedIntegration.objects.filter(channel=channel, object_key__in=skus).values_list("object_key", "kind"):
        penalised.setdefault(key, set()).add(kind)
    products = _in_catalog(channel, skus)
    busy = _busy_batches(channel, products.values())
    penalties.lift(channel, list(penalised))
    request_flows_for(channel, set().union(*penalised.values()) if penalised else set())
    results = []
    for line, sku in rows:
        if sku in penalised:
            results.append(RowResult(line, sku, True, f"penalty lifted ({', '.join(sorted(penalised[sku]))}); sent again now"))
        elif sku not in products:
            results.append(RowResult(line, sku, False, NOT_EXISTS))
        elif products[sku] in busy:
            results.append(RowResult(line, sku, False, product_flow.in_flight_message(busy[products[sku]])))
        else:
            results.append(RowResult(line, sku, False, NOT_IN_QUEUE))
    return results


def bump(channel, rows) -> list[RowResult]:
    skus = [sku for _, sku in rows]
    products = _in_catalog(channel, skus)
    busy = _busy_batches(channel, products.values())
    held = set(
        FailedIntegration.objects.filter(channel=channel, kind="product", object_id__in=list(products.values()))
        .values_list("object_id", flat=True)
    )
    inactive = set(Product.objects.filter(pk__in=list(products.values()), is_active=False).values_list("pk", flat=True))
    results, ready = [], []
    for line, sku in rows:
        pk = products.get(sku)
        if pk is None:
            results.append(RowResult(line, sku, False, NOT_EXISTS))
        elif pk in busy:
            results.append(RowResult(line, sku, False, product_flow.in_flight_message(busy[pk])))
        elif pk in held or pk in inactive:
            results.append(RowResult(line, sku, False, NOT_IN_QUEUE))
        else:
            ready.append(pk)
            results.append(RowResult(line, sku, True, "version bumped: the next product run sends it again"))
    mark_products(channel.pk, ready, "product")
    return results


APPLY = {"push": push, "lift": lift, "bump": bump}


def run(channel, action: str, upload, *, user: str = ""):
    """Read the file and apply ``action``: results in file order, or, for a large file, the
    :class:`CsvJob` that works through it in the background. Raises CsvProblem (nothing done)."""
    if action not in APPLY:
        raise CsvProblem(f"choose what to do: {', '.join(ACTIONS.values())}")
    rows = read_skus(upload)
    if len(rows) > BACKGROUND_ROWS:
        return start_job(channel, action, rows, file_name=getattr(upload, "name", ""), user=user)
    rows, repeats = _unique(rows)
    return sorted(APPLY[action](channel, rows) + repeats, key=lambda r: r.line)


def start_job(channel, action: str, rows: list[tuple[int, str]], *, file_name: str = "", user: str = ""):
    from django.db import transaction

    from mpdash.integration.models import CsvJob

    with transaction.atomic():
        job = CsvJob.objects.create(channel=channel, action=action, rows=[list(r) for r in rows], total=len(rows),
                                    file_name=file_name[:255], requested_by=user[:150])
        transaction.on_commit(lambda: run_csv_job.delay(job.pk))
    return job


def job_folder(job) -> "Path":
    from pathlib import Path

    from django.conf import settings

    return Path(settings.DATA_DIR) / "csv_jobs" / str(job.pk)


def job_results(job):
    """The job's per-row results so far, as ``(line, sku, ok, message)``, in file order."""
    folder = job_folder(job)
    if not folder.exists():
        return
    for part in sorted(folder.glob("*.csv")):
        with part.open(newline="", encoding="utf-8") as f:
            for line, sku, ok, message in csv.reader(f):
                yield int(line), sku, ok == "1", message


@shared_task(name="mpdash.dashboard.csv_job", ignore_result=True, acks_late=True)
def run_csv_job(job_id: int) -> None:
    """A large CSV upload of the Trigger screen, worked through in the background."""
    work_job(job_id)


def work_job(job_id: int) -> None:
    """Work through a CSV job chunk by chunk, saving progress after each (resumable: a chunk
    redone after a crash rewrites its own results file)."""
    from django.utils import timezone

    from mpdash.integration.models import CsvJob

    job = CsvJob.objects.select_related("channel").filter(pk=job_id).first()
    if job is None or job.status in (CsvJob.Status.DONE, CsvJob.Status.FAILED):
        return
    CsvJob.objects.filter(pk=job.pk).update(status=CsvJob.Status.RUNNING)
    rows = [(int(line), str(sku)) for line, sku in job.rows]
    seen = {sku for _, sku in rows[: job.done]}
    folder = job_folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    succeeded, failed = job.succeeded, job.failed
    try:
        for start in range(job.done, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            fresh, repeats = [], []
            for line, sku in chunk:
                if sku in seen:
                    repeats.append(RowResult(line, sku, False, "listed again earlier in the file"))
                else:
                    seen.add(sku)
                    fresh.append((line, sku))
            done = sorted((APPLY[job.action](job.channel, fresh) if fresh else []) + repeats, key=lambda r: r.line)
            part = folder / f"{start:07d}.csv"
            with part.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows([r.line, r.sku, "1" if r.ok else "0", r.message] for r in done)
            succeeded += sum(r.ok for r in done)
            failed += sum(not r.ok for r in done)
            CsvJob.objects.filter(pk=job.pk).update(done=start + len(chunk), succeeded=succeeded, failed=failed)
    except Exception as exc:  # noqa: BLE001 - the job says what went wrong; the rows done stay done
        CsvJob.objects.filter(pk=job.pk).update(status=CsvJob.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}",
                                                finished_at=timezone.now())
        raise
    CsvJob.objects.filter(pk=job.pk).update(status=CsvJob.Status.DONE, finished_at=timezone.now())
