"""The whole catalog path on the Hepsiburada simulator, in-process with real HTTP:
fetch tree → fetch attributes → map → preview → create → poll → approval → on sale;
update after an edit; delete after removal from the catalog; rejection reasons;
penalties on failure and recovery once the fault is fixed."""

from __future__ import annotations

import time

import pytest

from mpdash.catalog.models import CatalogItem, Category, Product, ProductPrice, ProductStock
from mpdash.channels.mapper import preview
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteAttribute, RemoteCategory
from mpdash.integration import penalties
from mpdash.integration.dispatch import execute
from mpdash.integration.models import FailedIntegration, FlowRun, PendingChange, ProductIntegration
from mpdash.integration.product_flow import check_approvals, resend

from .product_helpers import integration, wait_approvals
from .test_sync_flow import settle
from . import product_helpers

pytestmark = pytest.mark.django_db

KADIN_GIYIM = "79673523"  # the simulator's Moda > Kadın Giyim (12 leaves keep the tests quick)
ELBISE = "82286188"  # Moda > Kadın Giyim > Elbise


@pytest.fixture
def hb_sim():
    from mpdash.marketplaces.hepsiburada.simulator import serve

    server = serve(port=0, processing_delay=0.2, approval_delay=0.4, catalog_rate_limit=0)
    yield server
    server.stop()


@pytest.fixture
def channel(channel_factory, hb_sim, no_celery):
    ch = channel_factory(
        url=hb_sim.url, active=True, flags=("product_create", "product_update", "delete_product", "stock", "price"),
        category_ids=[KADIN_GIYIM],
    )
    fi = dict(ch.config["failed_integration"])
    fi["product"] = {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
    ch.update_config({"failed_integration": fi})
    ch.save()
    return ch


@pytest.fixture
def mapped(channel):
    """Tree and attributes fetched, and the mappings an operator would make."""
    for flow in ("category_node", "category_attributes", "default_attributes"):
        [run_id] = execute(channel.pk, flow, "manual")
        run = FlowRun.objects.get(pk=run_id)
        assert run.status == "success", (flow, run.message)
    local = Category.objects.create(code="elbise", name="Elbise")
    CategoryMapping.objects.create(channel=channel, local_category=local, remote_category=RemoteCategory.objects.get(channel=channel, remote_id=ELBISE))
    for attribute, kind, source in (
        ("GarantiSuresi", "constant", "24"), ("kg", "constant", "1"), ("Cinsiyet", "constant", "Kadın"),
        ("Renk", "attribute", "renk"), ("Beden", "attribute", "beden"),
    ):
        AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type=kind, source=source)
    return local


def add_product(lists, category, sku, **attributes):
    return product_helpers.add_product(lists, category, sku, barcode=f"869{sku[-6:]:0>10}", images=2, **attributes)


def test_tree_and_attributes_are_stored(channel, mapped):
    leaf = RemoteCategory.objects.get(channel=channel, remote_id=ELBISE)
    assert leaf.is_leaf and leaf.path == "Kadın Giyim > Elbise"
    names = set(RemoteAttribute.objects.filter(category=leaf).values_list("name", flat=True))
    assert {"Renk", "Beden", "Cinsiyet"} <= names
    renk = RemoteAttribute.objects.get(category=leaf, name="Renk")
    assert renk.required and renk.variant and renk.values.filter(name="Kırmızı").exists()
    assert RemoteAttribute.objects.filter(channel=channel, category__isnull=True, remote_id="UrunAdi").exists()
    # A re-run updates in place: nothing duplicated.
    count = RemoteCategory.objects.filter(channel=channel).count()
    execute(channel.pk, "category_node", "manual")
    assert RemoteCategory.objects.filter(channel=channel).count() == count


def test_create_poll_approve_update_delete(channel, mapped, lists, hb_sim):
    product = add_product(lists, mapped, "ELB-000001")
    shown = preview(channel, product)
    assert shown["valid"], shown["errors"]
    assert shown["category"] == "Kadın Giyim > Elbise"

    [run_id] = execute(channel.pk, "product_create", "manual")
    assert integration(channel, product).state == "in_flight"
    settle()
    # Accepted: waiting for approval, or already approved on a slow machine (approval_delay is short).
    assert integration(channel, product).state in ("pending_approval", "on_sale")
    wait_approvals(channel)
    row = integration(channel, product)
    assert row.state == "on_sale" and row.created_remotely and row.accepted_version == product.version
    assert hb_sim.catalog_product(product.sku)["status"] in ("MATCHED", "CREATED")
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "success" and run.sent == 1 and run.succeeded == 1
    assert run.lines.filter(object_key=product.sku, message__icontains="on sale").exists()

    # An edit makes it pending again, and product_update (not create) sends it.
    product.name = "Keten elbise, yeni sezon"
    product.save()
    assert execute(channel.pk, "product_create", "manual")  # nothing for create
    assert PendingChange.objects.filter(channel=channel, kind="product", product=product).exists()
    [update_run] = execute(channel.pk, "product_update", "manual")
    settle()
    assert FlowRun.objects.get(pk=update_run).sent == 1
    assert not PendingChange.objects.filter(channel=channel, kind="product", product=product).exists()

    # Removed from the catalog: stock 0 on the marketplace.
    CatalogItem.objects.filter(product=product).delete()
    execute(channel.pk, "delete_product", "manual")
    settle()
    assert integration(channel, product).state == "deleted"
    assert hb_sim.listing(product.sku)["availableStock"] == 0


def test_mapping_error_is_penalised_with_the_seed_message_and_fixed_by_a_mapping(channel, mapped, lists):
    product = add_product(lists, mapped, "ELB-000002", renk="Mor Ötesi")
    [run_id] = execute(channel.pk, "product_create", "manual")
    row = integration(channel, product)
    assert row.state == "failed"
    assert "`Renk`: `Mor Ötesi` was not defined for `Elbise`" in row.reasons
    assert FailedIntegration.objects.filter(channel=channel, kind="product", object_key=product.sku).exists()
    assert FlowRun.objects.get(pk=run_id).failed == 1
    # The operator maps the value: the penalty is lifted and the product goes out.
    mapping = AttributeMapping.objects.get(channel=channel, attribute="Renk")
    mapping.value_map = {"Mor Ötesi": "Mor"}
    mapping.save()
    assert not FailedIntegration.objects.filter(channel=channel, kind="product", object_key=product.sku).exists()
    execute(channel.pk, "product_create", "manual")
    settle()
    # Accepted: waiting for approval, or already approved on a slow machine (approval_delay is short).
    assert integration(channel, product).state in ("pending_approval", "on_sale")


def test_rejection_reasons_are_kept(channel, mapped, lists, hb_sim):
    product = add_product(lists, mapped, "ELB-000003")
    execute(channel.pk, "product_create", "manual")
    settle()
    hb_sim.reject_products([product.sku], reasons=["Görsel kalitesi yetersiz"])
    wait_approvals(channel)
    row = integration(channel, product)
    assert row.state == "rejected" and any("Görsel kalitesi yetersiz" in r for r in row.reasons)


def test_marketplace_failure_penalises_then_recovers(channel, mapped, lists, hb_sim):
    product = add_product(lists, mapped, "ELB-000004")
    hb_sim.configure(fault={"mode": "5xx", "count": 1, "path": "/product/api/products/import"})
    [run_id] = execute(channel.pk, "product_create", "manual")
    assert FlowRun.objects.get(pk=run_id).status == "fail"
    penalty = FailedIntegration.objects.get(channel=channel, kind="product", object_key=product.sku)
    assert penalty.retry_count == 1
    time.sleep(1.1)  # RETRY_INTERVAL of the test channel
    execute(channel.pk, "product_create", "manual")
    settle()
    # Accepted: waiting for approval, or already approved on a slow machine (approval_delay is short).
    assert integration(channel, product).state in ("pending_approval", "on_sale")
    assert not FailedIntegration.objects.filter(channel=channel, kind="product", object_key=product.sku).exists()


def test_resend_reports_products_in_flight(channel, mapped, lists):
    product = add_product(lists, mapped, "ELB-000005")
    execute(channel.pk, "product_create", "manual")  # sent, not polled yet
    answer = resend(channel, [product.sku, "NOPE"])
    assert answer["unknown"] == ["NOPE"]
    assert answer["in_flight"][product.sku].startswith("The relevant record is processing in another queue, LocalBatchId: ")
    penalties.lift(channel)


def test_stock_waits_until_the_channel_has_created_the_product(channel, mapped, lists, hb_sim):
    product = add_product(lists, mapped, "ELB-000006")
    [early] = execute(channel.pk, "stock", "manual")
    assert FlowRun.objects.get(pk=early).selected == 0  # held, not sent and penalised
    assert PendingChange.objects.filter(channel=channel, kind="productstock", product=product).exists()
    execute(channel.pk, "product_create", "manual")
    settle()
    wait_approvals(channel)
    ProductStock.objects.filter(product=product).update(quantity=9)
    [later] = execute(channel.pk, "stock", "manual")
    settle()
    assert FlowRun.objects.get(pk=later).sent == 1
    assert hb_sim.listing(product.sku)["availableStock"] == 9


def test_compare_attributes_reports_what_changed(channel, mapped):
    from mpdash.channels.models_remote import AttributeChange, RemoteAttributeValue

    leaf = RemoteCategory.objects.get(channel=channel, remote_id=ELBISE)
    renk = RemoteAttribute.objects.get(category=leaf, name="Renk")
    # What we stored last time differs from what the marketplace says now:
    RemoteAttribute.objects.filter(pk=renk.pk).update(required=False)  # became required since
    RemoteAttributeValue.objects.create(attribute=renk, remote_id="gone-1", name="Eski Renk")  # value removed since
    RemoteAttribute.objects.create(channel=channel, category=leaf, remote_id="eski", name="Eski Özellik")  # attribute gone
    AttributeMapping.objects.create(channel=channel, attribute="Eski Özellik", source_type="constant", source="x")
    [run_id] = execute(channel.pk, "compare_attributes", "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert run.status == "success" and run.selected == 1  # only the mapped leaf
    changes = {(c.attribute_name, c.change) for c in AttributeChange.objects.filter(channel=channel)}
    assert {("Renk", "newly_required"), ("Renk", "value_removed"), ("Eski Özellik", "removed")} <= changes
    gone = AttributeChange.objects.get(channel=channel, attribute_name="Eski Özellik")
    assert gone.affected_mappings == 1
    assert not RemoteAttribute.objects.get(remote_id="eski").is_active
    assert not RemoteAttributeValue.objects.get(remote_id="gone-1").is_active
    assert run.lines.filter(message__icontains="mapping(s) now incomplete").exists()


def test_leaves_closed_to_new_products_are_left_out_of_the_attribute_fetch(channel):
    """A leaf the marketplace keeps closed (``available: false``) has no attributes there: the
    fetch leaves it out with a line saying so, instead of failing on it every run."""
    from mpdash.marketplaces.hepsiburada.catalog_data import find_category

    phones = find_category("Elektronik", "Cep Telefonu")["categoryId"]
    channel.update_config({"category_ids": [str(phones)]})
    channel.save()
    for flow in ("category_node", "category_attributes"):
        [run_id] = execute(channel.pk, flow, "manual")
    run = FlowRun.objects.get(pk=run_id)
    assert (run.status, run.failed, run.succeeded) == ("success", 0, 2), run.message
    assert run.message.endswith("; 1 closed to new products left out")
    closed = RemoteCategory.objects.get(channel=channel, name="Tuşlu Cep Telefonu")
    assert not closed.available and not RemoteAttribute.objects.filter(category=closed).exists()
    assert run.lines.filter(outcome="info", message__contains="Tuşlu Cep Telefonu: closed to new products").exists()
