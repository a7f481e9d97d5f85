"""The flow registry: which generic flows the engine can run, and what a runner gets.

A marketplace declares its flows (name, flag, schedule) in its ``config.py``; the engine
runs a flow with the runner registered here under its name. :mod:`.runners` fills the
registry with the generic runners when the app loads (``IntegrationConfig.ready``), so
this module depends on none of them: the dispatcher, the batches and the flow modules
all import it, never each other in a circle. Flows declared by a marketplace but not
registered are not runnable yet: they get no schedule, and a trigger is refused with a
clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mpdash.marketplaces.base import MarketplaceAdapter

from .leases import Lease
from .models import FlowRun


@dataclass
class RunContext:
    """What a runner gets: the channel, its adapter, the flow's spec, the run and its lease."""

    channel: object
    adapter: object
    spec: object
    run: FlowRun
    lease: Lease
    # Queued by a change: a batch that is not full waits until due (manual, scheduled and
    # direct runs send what is ready at once).
    gather: bool = False
    # When the first batch of this run that waits for the poller went out (the run asks for
    # the poller once, when it ends; see sync_flow.run_outbound_sync).
    awaiting_poll: object = None


class StopRun(Exception):
    def __init__(self, message: str, *, failed: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.failed = failed
        self.retry_after = retry_after


# flow name -> runner(ctx) returning the run's message
RUNNERS: dict[str, Callable[[RunContext], str | None]] = {}
# flow name -> the adapter method the flow needs: a marketplace whose adapter lacks it cannot run it yet
NEEDS: dict[str, str] = {}
# batch kind -> handler(batch, results, whole_failure) keeping the flow's own state when a batch is answered
RESULT_HANDLERS: dict[str, Callable] = {}


def supported(adapter_class, flow: str) -> bool:
    """True when the marketplace's adapter implements what the flow needs."""
    method = NEEDS.get(flow)
    if method is None:
        return True
    return getattr(adapter_class, method) is not getattr(MarketplaceAdapter, method)


def runnable(flow: str, adapter_class=None) -> bool:
    return flow in RUNNERS and (adapter_class is None or supported(adapter_class, flow))
