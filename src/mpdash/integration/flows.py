"""The flow registry: which generic flows the engine can run, and how.

A marketplace declares its flows (name, flag, schedule) in its ``config.py``; this maps
a flow name to the generic code that runs it. Flows declared by a marketplace but not
listed here are not runnable yet: they get no schedule, and a trigger is refused
with a clear message.
"""

from __future__ import annotations

from .sync_flow import run_outbound_sync

RUNNERS = {
    "stock": run_outbound_sync,
    "price": run_outbound_sync,
}


def runnable(flow: str) -> bool:
    return flow in RUNNERS
