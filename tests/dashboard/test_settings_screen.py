"""Settings: the form generated from the schema, validation errors naming the key,
secrets never shown, flags, schedules and activation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from mpdash.channels.models import SalesChannel
from mpdash.integration.scheduling import task_name

pytestmark = pytest.mark.django_db


def url(name, channel, **kw):
    return reverse(f"dashboard:{name}", kwargs={"slug": channel.slug, **kw})


def fresh(channel):
    return SalesChannel.objects.get(pk=channel.pk)


def test_every_schema_key_but_the_flags_gets_an_editor_of_its_type(channel, client_as):
    page = client_as("viewer").get(url("settings", channel)).content.decode()
    for key, entry in channel.schema.items():
        if key == "feature_flags":
            assert 'name="cfg-feature_flags"' not in page
            continue
        assert f'name="cfg-{key}"' in page, key
        assert entry["label"] in page
    assert 'type="password" id="cfg-password"' in page
    assert 'type="checkbox" id="cfg-use_neighborhood"' in page
    assert '<textarea id="cfg-category_ids"' in page
    assert "Units held back" in page  # the marketplace's help text


def test_a_secret_is_never_put_into_the_page_and_empty_keeps_it(channel, client_as):
    admin = client_as("admin")
    page = admin.get(url("settings", channel)).content.decode()
    assert "demo-service-key" not in page and "enc:v1:" not in page
    assert "stored — type to replace" in page
    response = admin.post(url("settings-save", channel), {"cfg-password": "", "cfg-erp_code": "HB-1"})
    assert response.status_code == 302
    assert fresh(channel).plain_config()["password"] == "demo-service-key"
    admin.post(url("settings-save", channel), {"cfg-password": "a-new-key"})
    stored = fresh(channel)
    assert stored.plain_config()["password"] == "a-new-key" and stored.config["password"].startswith("enc:v1:")


def _post_all(client, channel, **changes):
    """The form as a browser posts it: every editor with its current text, some changed."""
    from mpdash.dashboard.config_form import build_fields

    data = {}
    for f in build_fields(fresh(channel)):
        if f.data_type == "bool":
            if f.checked:
                data[f.name] = "on"
        elif not f.secret:
            data[f.name] = f.text
    data.update({f"cfg-{k}": v for k, v in changes.items()})
    return client.post(url("settings-save", channel), data)


def test_an_unchanged_form_changes_nothing(channel, client_as):
    before = fresh(channel).config
    response = _post_all(client_as("admin"), channel)
    assert response.status_code == 302
    assert fresh(channel).config == before


def test_validation_errors_name_the_key_and_nothing_is_saved(channel, client_as):
    admin = client_as("admin")
    before = fresh(channel).config
    response = _post_all(admin, channel, buffer_stock="-2", failed_integration='{"DEFAULT": ', refund_start_date="yesterday")
    assert response.status_code == 400
    page = response.content.decode()
    assert "buffer_stock: must be 0 or more" in page
    assert "failed_integration: not valid JSON" in page
    assert "refund_start_date: expected a date" in page
    assert 'value="-2"' in page  # the operator's input is kept for fixing
    assert fresh(channel).config == before
    response = _post_all(admin, channel, buffer_stock="2", refund_start_date="2024-12-01T10:00:00Z")
    assert response.status_code == 302
    assert fresh(channel).config["buffer_stock"] == 2


def test_an_active_channel_refuses_an_empty_required_key(channel_factory, client_as):
    channel = channel_factory(active=True)
    response = _post_all(client_as("admin"), channel, merchant_id="")
    assert response.status_code == 400
    assert "merchant_id: is required (Merchant Id)" in response.content.decode()


def test_typed_editors_become_typed_values(channel, client_as):
    _post_all(
        client_as("admin"), channel, category_ids="100\r\n200, 300", use_neighborhood="on", orders_refundable_days="20",
        shipping_address_label_mapping='{"DEPO-1": "Ana depo"}',
    )
    config = fresh(channel).config
    assert config["category_ids"] == ["100", "200", "300"]
    assert config["use_neighborhood"] is True
    assert config["orders_refundable_days"] == 20
    assert config["shipping_address_label_mapping"] == {"DEPO-1": "Ana depo"}


def test_a_flag_toggles_through_the_channel_validation(channel, client_as):
    admin = client_as("admin")
    assert not channel.flag_on("product_create")
    response = admin.post(url("flag-toggle", channel), {"flag": "product_create", "on": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Saved: <code>product_create</code>" in response.content
    assert fresh(channel).flag_on("product_create")
    admin.post(url("flag-toggle", channel), {"flag": "product_create"}, HTTP_HX_REQUEST="true")
    assert not fresh(channel).flag_on("product_create")
    response = admin.post(url("flag-toggle", channel), {"flag": "made_up", "on": "1"}, HTTP_HX_REQUEST="true")
    assert b"unknown flag(s) made_up" in response.content
    assert "made_up" not in fresh(channel).config["feature_flags"]


def test_turning_a_flag_on_switches_its_schedule_on(channel_factory, client_as):
    channel = channel_factory(active=True, flags=("stock",))
    task = PeriodicTask.objects.get(name=task_name(channel.pk, "price"))
    assert not task.enabled
    client_as("admin").post(url("flag-toggle", channel), {"flag": "price", "on": "1"})
    task.refresh_from_db()
    assert task.enabled


def test_schedules_show_the_default_and_take_an_interval_a_cron_or_the_default(channel, client_as):
    admin = client_as("admin")
    page = admin.get(url("settings", channel)).content.decode()
    assert "every 1 min" in page and "cron 0 6 * * *" in page
    name = task_name(channel.pk, "stock")
    assert admin.post(url("schedule-save", channel), {"flow": "stock", "mode": "interval", "value": "90"}).status_code == 302
    task = PeriodicTask.objects.get(name=name)
    assert (task.interval.every, task.crontab) == (90, None)
    assert "custom" in admin.get(url("settings", channel)).content.decode()
    assert admin.post(url("schedule-save", channel), {"flow": "stock", "mode": "cron", "value": "*/10  2-5 * * 1"}).status_code == 302
    task = PeriodicTask.objects.get(name=name)
    assert task.interval is None and (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("*/10", "2-5", "1")
    assert admin.post(url("schedule-save", channel), {"flow": "stock", "mode": "default"}).status_code == 302
    task = PeriodicTask.objects.get(name=name)
    assert (task.interval.every, task.crontab) == (60, None)


@pytest.mark.parametrize("mode, value, message", [
    ("interval", "0", "between 1 and"),
    ("interval", "soon", "whole number of seconds"),
    ("cron", "0 6 * *", "five fields"),
    ("cron", "61 6 * * *", "not a valid cron expression"),
])
def test_bad_schedules_are_refused_with_the_reason(channel, client_as, mode, value, message):
    response = client_as("admin").post(url("schedule-save", channel), {"flow": "stock", "mode": mode, "value": value})
    assert response.status_code == 400 and message in response.content.decode()
    task = PeriodicTask.objects.get(name=task_name(channel.pk, "stock"))
    assert task.interval.every == 60


def test_activation_needs_a_confirmation_and_every_required_key(channel, client_as):
    admin = client_as("admin")
    page = admin.get(url("activation", channel)).content.decode()
    assert "Yes, activate" in page and "<code>stock</code>" in page
    assert not fresh(channel).is_active  # looking at the confirmation changes nothing
    assert admin.post(url("activation", channel), {}).status_code == 302
    assert not fresh(channel).is_active  # not confirmed
    assert admin.post(url("activation", channel), {"confirm": "yes"}).status_code == 302
    assert fresh(channel).is_active
    assert PeriodicTask.objects.get(name=task_name(channel.pk, "stock")).enabled
    assert "Yes, deactivate" in admin.get(url("activation", channel)).content.decode()
    admin.post(url("activation", channel), {"confirm": "yes"})
    assert not fresh(channel).is_active
    assert not PeriodicTask.objects.get(name=task_name(channel.pk, "stock")).enabled


def test_activation_is_blocked_while_a_required_key_is_empty(channel, client_as):
    channel.update_config({"merchant_id": ""})
    channel.save()
    admin = client_as("admin")
    page = admin.get(url("activation", channel)).content.decode()
    assert "cannot be activated yet" in page and "<code>merchant_id</code>" in page
    response = admin.post(url("activation", channel), {"confirm": "yes"})
    assert response.status_code == 400
    assert not fresh(channel).is_active
