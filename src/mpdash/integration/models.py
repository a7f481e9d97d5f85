"""Flow engine state: who is running what, what is pending, what was sent, what failed."""

from __future__ import annotations

import uuid

from django.db import models


class FlowState(models.Model):
    """One row per (channel, flow): the cross-worker lease and the dispatch marker.

    The lease makes "one run of a (channel, flow) at a time" hold across all workers and
    machines; ``rerun_requested`` lets a second request coalesce into the running one.
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="flow_states")
    flow = models.CharField(max_length=64)
    lease_owner = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    rerun_requested = models.BooleanField(default=False)
    # Set when an event-triggered run has been queued and not yet started; older than a
    # minute counts as lost (e.g. a worker died holding the message) and may be re-queued.
    dispatch_requested_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "flow"], name="uniq_flow_state")]


class FlowRun(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting"
        RUNNING = "running"
        SUCCESS = "success"
        PARTIAL = "partial"
        FAIL = "fail"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        EVENT = "event"
        MANUAL = "manual"
        EXTERNAL = "external"
        SYSTEM = "system"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="flow_runs")
    flow = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.SCHEDULE)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.IntegerField(null=True, blank=True)
    selected = models.IntegerField(default=0)
    sent = models.IntegerField(default=0)
    succeeded = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    message = models.TextField(blank=True)
    worker = models.CharField(max_length=128, blank=True, help_text="Lease token of the worker that ran it")
    # "sending" while the worker selects and sends; "awaiting" once every request is out
    # and the run waits for the marketplace's asynchronous answers; "" when finished.
    phase = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["channel", "flow", "-id"], name="flowrun_channel_flow"),
            models.Index(fields=["status", "-id"], name="flowrun_status"),
        ]

    def __str__(self) -> str:
        return f"{self.flow} #{self.pk} ({self.status})"


class FlowLogLine(models.Model):
    """One record's outcome within a run (the Log screen's rows)."""

    class Outcome(models.TextChoices):
        SENT = "sent"
        SUCCESS = "success"
        FAIL = "fail"
        SKIPPED = "skipped"
        INFO = "info"

    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="lines")
    object_key = models.CharField(max_length=128, blank=True, db_index=True, help_text="SKU or order number")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    message = models.TextField(blank=True)
    answer = models.JSONField(null=True, blank=True, help_text="The marketplace's answer (excerpt, secrets redacted)")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class BatchRequest(models.Model):
    """One request to a marketplace carrying many records."""

    class Status(models.TextChoices):
        INITIALIZED = "initialized"
        SENT_TO_REMOTE = "sent_to_remote"
        ONGOING = "ongoing"
        DONE = "done"
        FAIL = "fail"

    OPEN_STATUSES = (Status.SENT_TO_REMOTE, Status.ONGOING)

    local_batch_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="batches")
    flow = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)
    run = models.ForeignKey(FlowRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="batches")
    # 255: one update may be several of the marketplace's requests, their ids joined (up to four today)
    remote_batch_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INITIALIZED)
    item_count = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    polls = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    exchange = models.JSONField(null=True, blank=True, help_text="Request/response excerpt of the send")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "channel"], name="batch_status_channel")]


class BatchItem(models.Model):
    batch = models.ForeignKey(BatchRequest, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=128)
    pending_version = models.IntegerField()
    sent = models.JSONField(null=True, blank=True)


class PendingChange(models.Model):
    """A (channel, product, kind) whose current value has not reached the marketplace yet.

    Written by database triggers on every price/stock write, so repeated changes
    coalesce into one row whose ``version`` grows. ``available_at`` is when the record
    may be sent (a penalty pushes it later; NULL means held until lifted); ``batch`` is
    set while a request carrying it is in flight.
    """

    # No index of its own on channel: both composite indexes below begin with it (one index
    # fewer to maintain on every change marked: a fifth of the marking INSERT's time on PostgreSQL).
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    version = models.IntegerField(default=1)
    changed_at = models.DateTimeField()
    available_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(BatchRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "product", "kind"], name="uniq_pending_change")]
        indexes = [
            # What a sync run reads: a channel's records of a kind not in flight, oldest change
            # first (``sync_flow.ready_rows``): read in order and stopped at the batch size,
            # instead of every ready row sorted (78 ms → 2 ms a batch with 100,000 ready on
            # PostgreSQL). Records held by a penalty are skipped by ``available_at``.
            models.Index(fields=["channel", "kind", "changed_at", "id"], condition=models.Q(batch__isnull=True),
                         name="pending_ready_in_order"),
        ]


class FailedIntegration(models.Model):
    """A penalty: one object that failed, and when (if ever) it may be tried again.

    ``settings`` is a snapshot of the channel's failed_integration entry for this kind at
    the first failure; later config changes apply to records created after them.
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="penalties")
    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    object_key = models.CharField(max_length=128, db_index=True, help_text="SKU or order number")
    retry_count = models.IntegerField(default=1)
    settings = models.JSONField()
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()
    next_retry_at = models.DateTimeField(null=True, blank=True)
    expiration_date = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind", "object_id"], name="uniq_penalty"),
        ]


class ProductIntegration(models.Model):
    """Where one product stands on one channel's marketplace."""

    class State(models.TextChoices):
        NEW = "new", "not sent yet"
        IN_FLIGHT = "in_flight", "sent, waiting for the marketplace"
        PENDING_APPROVAL = "pending_approval", "waiting for approval"
        ON_SALE = "on_sale", "on sale"
        REJECTED = "rejected", "rejected by the marketplace"
        FAILED = "failed", "failed (penalised)"
        DELETED = "deleted", "taken off sale"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="product_integrations")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="integrations")
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW, db_index=True)
    remote_sku = models.CharField(max_length=128, blank=True)
    remote_category = models.ForeignKey(
        "channels.RemoteCategory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Product.version last accepted by the marketplace (None: never), and last sent.
    accepted_version = models.IntegerField(null=True, blank=True)
    sent_version = models.IntegerField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="The marketplace's or the Mapper's reasons")
    last_batch = models.ForeignKey(BatchRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_remotely = models.BooleanField(default=False, help_text="The marketplace has the product (create done)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "product"], name="uniq_product_integration")]
        indexes = [models.Index(fields=["channel", "state"], name="product_integration_state")]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.channel_id}: {self.state}"


class InboundCursor(models.Model):
    """How far an inbound flow (get_orders, get_cancel_orders, ...) has read a channel.

    ``high_water`` only moves after every page of a window was stored, so a crash between
    storing records and moving the cursor re-reads the window: records are stored
    idempotently, so nothing is lost and nothing is duplicated.
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="inbound_cursors")
    flow = models.CharField(max_length=64)
    high_water = models.DateTimeField(null=True, blank=True)
    last_sweep_at = models.DateTimeField(null=True, blank=True, help_text="Last reconciliation sweep")
    last_floor_at = models.DateTimeField(null=True, blank=True, help_text="Last re-read of the seed's window (hourly)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "flow"], name="uniq_inbound_cursor")]


class InboundItem(models.Model):
    """A record read from a marketplace that could not be stored yet (e.g. an unmapped
    township). Kept with the marketplace's data so it is retried under its penalty
    whatever the cursor does; deleted once stored."""

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="inbound_items")
    flow = models.CharField(max_length=64)
    key = models.CharField(max_length=128, help_text="Package id, claim id, ...")
    payload = models.JSONField()
    error = models.TextField(blank=True)
    available_at = models.DateTimeField(null=True, blank=True, help_text="Next try; empty: held (penalty expired)")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "flow", "key"], name="uniq_inbound_item")]
        indexes = [models.Index(fields=["channel", "flow", "available_at"], name="inbound_item_ready")]


class TriggerRequest(models.Model):
    """Work handed to a flow from outside (``POST /flow-trigger/{channel}/{flow}``), e.g. an
    OMS asking for a package split. The caller gets ``correlation_id`` back at once and can
    follow the request by it; the flow takes queued requests one by one."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        DONE = "done"
        FAILED = "failed"

    correlation_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="trigger_requests")
    flow = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    result = models.TextField(blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["channel", "flow", "status"], name="trigger_request_queue")]


class Reconciliation(models.Model):
    """One comparison of a channel's catalog with what its marketplace has on sale.

    ``figures`` holds the Dashboard's numbers (see :mod:`mpdash.integration.reconcile`);
    the lines are the SKUs behind them. A channel keeps its last few reconciliations.
    """

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="reconciliations")
    run = models.ForeignKey(FlowRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]


class ReconciliationLine(models.Model):
    class Kind(models.TextChoices):
        NOT_ON_SALE = "not_on_sale", "sellable here, not on sale there"
        PRICE = "price", "price difference"
        STOCK = "stock", "stock difference"

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    local_value = models.CharField(max_length=64, blank=True)
    remote_value = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    corrected = models.BooleanField(default=False, help_text="Queued to be sent again")

    class Meta:
        ordering = ["kind", "sku"]
        indexes = [models.Index(fields=["reconciliation", "kind", "sku"], name="reconciliation_line_kind")]


class CsvJob(models.Model):
    """A large CSV of SKUs (push, lift, bump) worked through in the background, with progress.

    The SKUs are stored with the job, so a worker restart resumes it where it was; the
    per-row results are kept for download.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.CASCADE, related_name="csv_jobs")
    action = models.CharField(max_length=16)
    file_name = models.CharField(max_length=255, blank=True)
    rows = models.JSONField(help_text="[line, sku] pairs, in file order")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    error = models.TextField(blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100
