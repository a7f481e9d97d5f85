"""One run of a (channel, flow) at a time, across every worker on every machine.

A run holds a lease on the flow's :class:`FlowState` row, taken and renewed with
conditional UPDATEs that work the same on SQLite and PostgreSQL (no long transaction is
held while the run talks to the marketplace). A worker that dies simply stops renewing;
after ``MPDASH_FLOW_LEASE_SECONDS`` another worker may take over.

A request that finds the lease taken sets ``rerun_requested``; the holder sees it when
it tries to release and runs again, so concurrent requests coalesce into the running
one and none is lost.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import FlowState

def worker_name() -> str:
    """host:pid of this process, read when asked: a pool process forked after import has its own pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class LeaseLost(Exception):
    """Another worker took the lease over (this one stalled past the lease time)."""


def flow_state(channel_id: int, flow: str) -> FlowState:
    state, _ = FlowState.objects.get_or_create(channel_id=channel_id, flow=flow)
    return state


class Lease:
    def __init__(self, channel_id: int, flow: str, seconds: float | None = None):
        self.channel_id = channel_id
        self.flow = flow
        self.seconds = seconds if seconds is not None else settings.MPDASH_FLOW_LEASE_SECONDS
        self.token = f"{worker_name()}:{uuid.uuid4().hex[:12]}"
        self.state_id = flow_state(channel_id, flow).pk

    def _rows(self):
        return FlowState.objects.filter(pk=self.state_id)

    def try_acquire(self) -> bool:
        now = timezone.now()
        taken = (
            self._rows()
            .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))
            .update(lease_owner=self.token, lease_expires_at=now + timedelta(seconds=self.seconds), rerun_requested=False)
        )
        return taken == 1

    def acquire_or_request_rerun(self) -> bool:
        """Take the lease, or leave a rerun request for the holder. True if taken."""
        if self.try_acquire():
            return True
        self._rows().update(rerun_requested=True)
        # The holder may have released between our two steps: try once more.
        return self.try_acquire()

    def renew(self) -> None:
        now = timezone.now()
        if self._rows().filter(lease_owner=self.token).update(lease_expires_at=now + timedelta(seconds=self.seconds)) != 1:
            raise LeaseLost(f"lease on {self.flow} of channel {self.channel_id} was taken over")

    def release(self) -> bool:
        """Release the lease. Returns False (lease kept) when a rerun was requested meanwhile."""
        released = (
            self._rows()
            .filter(lease_owner=self.token, rerun_requested=False)
            .update(lease_owner="", lease_expires_at=None, last_run_at=timezone.now())
        )
        if released == 1:
            return True
        if self._rows().filter(lease_owner=self.token).update(rerun_requested=False) == 1:
            self.renew()
            return False
        return True  # the lease was lost; nothing to release

    def force_release(self) -> None:
        self._rows().filter(lease_owner=self.token).update(lease_owner="", lease_expires_at=None)
