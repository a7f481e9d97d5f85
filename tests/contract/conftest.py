"""Fixtures of the contract suite: every test that takes ``marketplace`` runs once per
registered marketplace, against that marketplace's simulator through its driver."""

from __future__ import annotations

import time

import pytest

from mpdash.marketplaces import registry

from ..integration.conftest import erp  # noqa: F401 (the ERP client fixture, shared)
from .driver import Driver, MissingDriver, driver_class

# Every penalised record may be retried at once: the scenarios converge without waiting.
FAST_PENALTY = {"RETRY_INTERVAL": 0, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 50}


def pytest_generate_tests(metafunc):
    if "marketplace" in metafunc.fixturenames:
        names = sorted(registry.MARKETPLACES)
        metafunc.parametrize("marketplace", names, ids=names)


@pytest.fixture
def driver(marketplace) -> Driver:
    try:
        return driver_class(marketplace)()
    except MissingDriver as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def sim(driver):
    server = driver.start()
    yield server
    driver.stop(server)


def require(driver: Driver, *steps: str) -> None:
    """Skip, naming the marketplace and its reason, when the driver declares a step unsupported."""
    for step in steps:
        if step in driver.unsupported:
            pytest.skip(f"{driver.name} does not support {step}: {driver.unsupported[step]}")


@pytest.fixture
def make_channel(driver, sim, lists, no_celery):
    """``make_channel(*flows, **config)``: an active channel of this marketplace on ``sim``
    with only ``flows`` on, fast penalties for every kind, and local reason ids."""
    from mpdash.channels.models import SalesChannel
    from mpdash.orders.models import CancellationReason

    from ..conftest import ensure_reference_data

    def make(*flows: str, **config):
        company = ensure_reference_data()
        channel = SalesChannel(name=f"{driver.name} contract", slug=f"{driver.name}-contract", marketplace=driver.name, **lists)
        channel.save()
        wanted = flag_names(driver.name, flows)
        unknown = wanted - set(channel.config["feature_flags"])
        assert not unknown, f"{driver.name} has no feature flags {sorted(unknown)}"
        flags = {f: f in wanted for f in channel.config["feature_flags"]}
        fi = dict(channel.config["failed_integration"])
        for kind in ("productstock", "productprice", "product", "order", "DEFAULT"):
            fi[kind] = dict(FAST_PENALTY)

        def reason(kind, code):
            return CancellationReason.objects.get(cancellation_type=kind, code=code).pk

        channel.update_config({
            **driver.channel_config(sim), "feature_flags": flags, "failed_integration": fi,
            "cargo_company_mapping": {"default": company},
            "cancellation_reason_id": reason("cancel", "marketplace_cancelled"),
            "default_reason_id": reason("refund", "marketplace_refund"), **config,
        })
        channel.is_active = True
        channel.full_clean()
        channel.save()
        return channel

    return make


def flag_names(marketplace: str, flows) -> set[str]:
    """The feature flags turning ``flows`` on: a generic flow's name becomes the marketplace's
    own flag for it (N11: ``stock`` -> ``send_updated_product_stock``); a generic flow the
    marketplace does not declare (Walmart has no return rejection) is left out; anything else is kept as a
    flag name, so that a typo still fails."""
    from mpdash.integration.flows import RUNNERS

    adapter = registry.adapter_class(marketplace)
    out = set()
    for name in flows:
        spec = adapter.flow(name)
        if spec is not None and spec.flag:
            out.add(spec.flag)
        elif not (spec is None and name in RUNNERS and adapter.flow_by_flag(name) is None):
            out.add(name)
    return out


PRODUCT_FLOWS = ("product_create", "product_update", "delete_product", "stock", "price")


@pytest.fixture
def mapped(driver, sim, make_channel):
    """(channel, local category): the catalog path's channel, tree and mappings done."""
    require(driver, "products")
    channel = make_channel(*PRODUCT_FLOWS)
    return channel, driver.map_catalog(channel, sim)


def settle(timeout: float = 15.0) -> None:
    """Poll every open batch until none is left (what the poll task does in production)."""
    from mpdash.integration import batches
    from mpdash.integration.models import BatchRequest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_batches = list(BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES).select_related("channel", "run"))
        if not open_batches:
            return
        for batch in open_batches:
            batches.poll(batch)
        time.sleep(0.05)
    raise AssertionError("batches still open after %.0f s" % timeout)


def run(channel, flow: str):
    """Run ``flow`` in this process, as a worker would; its FlowRun."""
    from mpdash.integration.dispatch import execute
    from mpdash.integration.models import FlowRun

    ids = execute(channel.pk, flow, "manual")
    assert ids, f"{flow} did not run (flag off or channel inactive?)"
    return FlowRun.objects.get(pk=ids[-1])


def lines_of(flow_run) -> list[tuple[str, str, str]]:
    return list(flow_run.lines.values_list("object_key", "outcome", "message"))
