"""Editing a channel in the Django admin: config validated, secrets kept masked."""

from __future__ import annotations

import json

import pytest

from mpdash.channels.models import SalesChannel


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def _form_data(channel: SalesChannel, **config_changes) -> dict:
    config = channel.masked_config()
    config.update(config_changes)
    return {
        "name": channel.name, "slug": channel.slug, "marketplace": channel.marketplace,
        "catalog": channel.catalog_id, "price_list": channel.price_list_id, "stock_list": channel.stock_list_id,
        "is_active": "on" if channel.is_active else "", "config": json.dumps(config), "schema": json.dumps(channel.schema),
    }


def test_change_form_shows_secrets_masked(admin_client, channel_factory):
    channel = channel_factory()
    page = admin_client.get(f"/admin/channels/saleschannel/{channel.pk}/change/").content.decode()
    assert "demo-service-key" not in page
    assert "password" in page


def test_bad_config_value_is_refused_naming_the_key(admin_client, channel_factory):
    channel = channel_factory()
    resp = admin_client.post(
        f"/admin/channels/saleschannel/{channel.pk}/change/", _form_data(channel, buffer_stock="lots")
    )
    assert resp.status_code == 200  # the form again, with the error
    assert "buffer_stock" in resp.content.decode()
    channel.refresh_from_db()
    assert channel.config.get("buffer_stock") in (None, 0)


def test_missing_flag_is_refused(admin_client, channel_factory):
    channel = channel_factory()
    flags = dict(channel.config["feature_flags"])
    del flags["stock"]
    resp = admin_client.post(f"/admin/channels/saleschannel/{channel.pk}/change/", _form_data(channel, feature_flags=flags))
    assert resp.status_code == 200
    assert "stock" in resp.content.decode() and "feature_flags" in resp.content.decode()


def test_valid_edit_saves_and_keeps_the_masked_secret(admin_client, channel_factory):
    channel = channel_factory()
    resp = admin_client.post(f"/admin/channels/saleschannel/{channel.pk}/change/", _form_data(channel, buffer_stock=3))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.config["buffer_stock"] == 3
    assert channel.plain_config()["password"] == "demo-service-key"
    assert str(channel.config["password"]).startswith("enc:v1:")  # still encrypted at rest


def test_mapping_and_remote_catalog_pages_open(admin_client, channel_factory):
    from mpdash.channels.models_mapping import AttributeMapping
    from mpdash.channels.models_remote import RemoteCategory

    channel = channel_factory()
    RemoteCategory.objects.create(channel=channel, remote_id="10", name="Elbise", path="Giyim > Elbise", is_leaf=True)
    AttributeMapping.objects.create(channel=channel, attribute="Renk", source_type="attribute", source="renk")
    for page in ("remotecategory", "remoteattribute", "remotebrand", "categorymapping", "attributemapping", "attributechange"):
        resp = admin_client.get(f"/admin/channels/{page}/")
        assert resp.status_code == 200, page
    assert "Giyim &gt; Elbise" in admin_client.get("/admin/channels/remotecategory/").content.decode()
    for page in ("productintegration", "inboundcursor", "inbounditem"):
        assert admin_client.get(f"/admin/integration/{page}/").status_code == 200, page


def test_attribute_mapping_template_validated_in_admin(admin_client, channel_factory):
    channel = channel_factory()
    resp = admin_client.post("/admin/channels/attributemapping/add/", {
        "channel": channel.pk, "attribute": "UrunAdi", "source_type": "template", "source": "{nme}", "value_map": "{}",
    })
    assert resp.status_code == 200 and "unknown placeholder" in resp.content.decode()
