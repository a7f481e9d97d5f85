"""Every marketplace's demo declaration (registry.DEMOS) against its adapter, and made into a
channel on its real simulator by mpdash.demo_channels, in-process (tests/test_demo.py runs
the whole ``mpdash demo``)."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from mpdash import demo_channels
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteBrand, RemoteCategory
from mpdash.demo import create_demo_catalog
from mpdash.integration.scheduling import task_name
from mpdash.marketplaces import registry
from mpdash.marketplaces.demo import DemoChannel, FirstBrand, Reason, SimUrl
from mpdash.orders.models import CancellationReason

DEMOS = list(registry.DEMOS)


@pytest.mark.parametrize("marketplace", DEMOS)
def test_the_declaration_names_only_what_the_adapter_has(marketplace):
    demo = registry.demo(marketplace)
    adapter = registry.adapter_class(marketplace)
    assert isinstance(demo, DemoChannel)
    flows = {f.name for f in adapter.flows}
    assert set(demo.flags) <= {f.flag for f in adapter.flows if f.flag}
    assert set(demo.config) <= {f.key for f in adapter.schema}
    assert set(demo.schedules) <= flows
    if demo.catalog_path is not None:
        assert set(demo.catalog_path.read_flows) <= flows


@pytest.mark.django_db
@pytest.mark.parametrize("marketplace", DEMOS)
def test_set_up_makes_the_declared_channel_on_the_simulator_and_again_the_same(marketplace, no_celery):
    demo = registry.demo(marketplace)
    lists = create_demo_catalog(60)
    server = registry.simulator_factory(marketplace)(port=0, **demo.simulator_options)
    try:
        said: list[str] = []
        channel = demo_channels.set_up(marketplace, demo, lists, server.url, log=said.append)
        again = demo_channels.set_up(marketplace, demo, lists, server.url, log=said.append)
    finally:
        server.stop()
    assert again.pk == channel.pk
    channel.refresh_from_db()
    assert channel.is_active and channel.slug == demo.slug and channel.name == demo.name
    assert channel.marketplace == marketplace
    if demo.catalog is None:
        assert channel.catalog == lists["catalog"]
    else:
        assert channel.catalog.code == demo.catalog.code
        assert channel.catalog.items.count() == lists["catalog"].items.filter(product__category__code=demo.catalog.category).count() > 0

    config = channel.plain_config()
    for key, value in demo.config.items():
        if isinstance(value, SimUrl):
            assert config[key] == server.url + value.path
        elif isinstance(value, Reason):
            reason = CancellationReason.objects.get(pk=config[key])
            assert (reason.cancellation_type, reason.code) == (value.cancellation_type, value.code)
        else:
            assert config[key] == value, key
    flags = config["feature_flags"]
    assert all(flags[flag] for flag in demo.flags)
    if demo.only_these_flags:
        assert {flag for flag, on in flags.items() if on} == set(demo.flags)
    for kind in demo.penalised_kinds:
        assert config["failed_integration"][kind] == demo.penalty
    for flow, seconds in demo.schedules.items():
        assert PeriodicTask.objects.get(name=task_name(channel.pk, flow)).interval.every == seconds

    if demo.seed_listings is not None:
        assert any(f"{lists['price_list'].prices.count()} listings seeded" in line for line in said), said
    if demo.catalog_path is not None:
        assert RemoteCategory.objects.filter(channel=channel).exists()
        for local_code, remote_id in demo.catalog_path.category_mappings:
            mapping = CategoryMapping.objects.get(channel=channel, local_category__code=local_code)
            assert mapping.remote_category.remote_id == remote_id
        for attribute, kind, source in demo.catalog_path.attribute_mappings:
            mapping = AttributeMapping.objects.get(channel=channel, remote_category=None, attribute=attribute)
            if isinstance(source, FirstBrand):
                source = RemoteBrand.objects.filter(channel=channel).order_by("remote_id").first().remote_id
            assert (mapping.source_type, mapping.source) == (kind, source)
        assert any("products to create" in line for line in said), said
