"""The Dashboard shows the last reconciliation's figures with their definitions and links to
the SKUs behind them; Reports lists those SKUs and exports them as CSV."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mpdash.integration.models import Reconciliation, ReconciliationLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(channel_factory):
    channel = channel_factory()
    rec = Reconciliation.objects.create(channel=channel, figures={
        "total_skus": 10, "on_sale": 7, "sellable": 9, "sku_difference": 2, "price_difference": 1, "price_corrected": 1,
        "total_stock": 100, "total_stock_on_sale": 80, "stock_difference": 20, "stock_difference_skus": 1,
        "stock_corrected": 1})
    ReconciliationLine.objects.bulk_create([
        ReconciliationLine(reconciliation=rec, sku="A-1", kind="not_on_sale", reason="no image; not listed on the marketplace"),
        ReconciliationLine(reconciliation=rec, sku="A-2", kind="price", local_value="100.00", remote_value="90.00", corrected=True),
        ReconciliationLine(reconciliation=rec, sku="A-3", kind="stock", local_value="9", remote_value="3", corrected=True),
    ])
    return channel


def test_figures_with_definitions_and_links(client_as, report):
    client = client_as("viewer")
    html = client.get(reverse("dashboard:channel", kwargs={"slug": report.slug})).content.decode()
    assert 'data-figure="sku_difference"' in html and "Sellable here (price and stock) but not on sale there" in html
    assert f'/channels/{report.slug}/reports/?kind=not_on_sale">2</a>' in html
    assert "Reconcile now" not in html  # a viewer cannot start flows


def test_reports_list_and_export(client_as, report):
    client = client_as("viewer")
    url = reverse("dashboard:reports", kwargs={"slug": report.slug})
    html = client.get(url).content.decode()
    assert "A-1" in html and "no image; not listed on the marketplace" in html and "A-2" not in html
    html = client.get(url + "?kind=price").content.decode()
    assert "A-2" in html and "90.00" in html
    response = client.get(url + "?kind=stock&format=csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines() == ["sku,kind,ours,marketplace,reason,queued_again", "A-3,stock,9,3,,yes"]


def test_without_a_reconciliation_the_page_says_what_to_do(client_as, channel_factory):
    channel = channel_factory()
    client = client_as("operator")
    html = client.get(reverse("dashboard:channel", kwargs={"slug": channel.slug})).content.decode()
    assert "No reconciliation yet" in html and "Reconcile now" in html
