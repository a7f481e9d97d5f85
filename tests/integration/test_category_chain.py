"""Saving a channel whose category_ids changed runs Category Node → Category Attributes →
Default Attributes on a real worker, in that order, and once even when saved again while
the chain runs."""

from __future__ import annotations

import pytest

from mpdash.channels.models import SalesChannel
from mpdash.channels.models_remote import RemoteAttribute, RemoteCategory
from mpdash.integration.models import FlowRun

from ..conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHAIN = ["category_node", "category_attributes", "default_attributes"]
KADIN_GIYIM = "79673523"


def test_saving_category_ids_runs_the_chain_once_in_order(channel_factory, sim, workers):
    workers.start("w1")
    channel = channel_factory(url=sim.url, active=False, category_ids=[])
    assert not FlowRun.objects.filter(channel=channel, flow__in=CHAIN).exists()
    for _ in range(3):  # saved several times in a row with the new roots
        fresh = SalesChannel.objects.get(pk=channel.pk)
        fresh.update_config({"category_ids": [KADIN_GIYIM]})
        fresh.save()

    def chain_done():
        runs = list(FlowRun.objects.filter(channel=channel, flow__in=CHAIN).order_by("id"))
        return runs if [r.flow for r in runs] == CHAIN and all(r.finished_at for r in runs) else None

    runs = wait_until(chain_done, 60, message=lambda: f"the chain: {list(FlowRun.objects.filter(channel=channel).values_list('flow', 'status', 'message'))}\n{workers.logs()}")
    assert [r.status for r in runs] == ["success"] * 3, [r.message for r in runs]
    assert runs[0].finished_at <= runs[1].started_at and runs[1].finished_at <= runs[2].started_at
    leaf = RemoteCategory.objects.get(channel=channel, path="Kadın Giyim > Elbise")
    assert RemoteAttribute.objects.filter(category=leaf, required=True).exists()
    assert RemoteAttribute.objects.filter(channel=channel, category__isnull=True, is_default=True).count() >= 10
