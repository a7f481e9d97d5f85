"""Every admin page of the orders app renders."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from mpdash.orders.models import Order, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-pass-123")
    client.force_login(user)
    return client


def _orders_models():
    return [m for m in admin.site._registry if m._meta.app_label == "orders"]


def test_all_models_are_in_the_admin():
    names = {m.__name__ for m in _orders_models()}
    assert {
        "Country", "City", "Township", "District", "AddressMapping", "ShippingCompany", "CancellationReason",
        "Customer", "Address", "Order", "CancellationRequest", "CancellationPlan", "WebhookEndpoint", "WebhookDelivery",
    } <= names


def test_changelists_and_add_pages_render(staff, make_order):
    make_order()
    for model in _orders_models():
        opts = model._meta
        assert staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200, opts
        assert staff.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200, opts


def test_order_change_page_and_backwards_status_is_refused(staff, make_order):
    order = make_order()
    url = reverse("admin:orders_order_change", args=[order.pk])
    page = staff.get(url)
    assert page.status_code == 200 and order.number in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (dict, list))}
    data.update({"status": 300, "extra_field": "{}", "channel": order.channel_id})
    for prefix in ("items", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = staff.post(url, data)
    assert response.status_code == 200 and "status cannot move backwards" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == 400


def test_webhook_secret_is_not_shown_in_the_admin(staff):
    endpoint = WebhookEndpoint.objects.create(url="https://erp.example/h", secret="admin-hidden-secret-1", events=["*"])
    for url in (reverse("admin:orders_webhookendpoint_changelist"), reverse("admin:orders_webhookendpoint_change", args=[endpoint.pk])):
        assert "admin-hidden-secret-1" not in staff.get(url).content.decode()
