"""Celery tasks of the integration app. Each is a thin entry into plain functions that the tests call too.

A task that the engine queues itself lives beside the code it runs and queues, so the
engine never imports this module: ``run_flow`` in :mod:`.dispatch`, ``poll_batch`` and
``poll_open_batches`` in :mod:`.batches`, ``check_product_approvals`` in
:mod:`.product_flow`. This module names them all for Celery's autodiscovery and holds
the tasks only beat starts.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import batches, runs
from .batches import poll_batch, poll_batches, poll_open_batches
from .dispatch import run_flow
from .models import FlowRun, FlowState
from .product_flow import check_product_approvals

__all__ = ["check_product_approvals", "poll_batch", "poll_batches", "poll_open_batches", "recover", "run_flow"]

logger = logging.getLogger("mpdash.integration.tasks")


@shared_task(name="mpdash.recover", ignore_result=True)
def recover() -> int:
    """Free records of batches interrupted by a dead worker, and close runs it left open."""
    recovered = batches.recover_interrupted()
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.MPDASH_FLOW_LEASE_SECONDS)
    for run in FlowRun.objects.filter(phase="sending", started_at__lt=cutoff, finished_at__isnull=True):
        state = FlowState.objects.filter(channel_id=run.channel_id, flow=run.flow).first()
        if state and state.lease_owner == run.worker and state.lease_expires_at and state.lease_expires_at > timezone.now():
            continue
        FlowRun.objects.filter(pk=run.pk, phase="sending").update(phase="awaiting")
        runs.finish_if_complete(run.pk, message="interrupted: the worker stopped during the run", failed=True)
    return recovered
