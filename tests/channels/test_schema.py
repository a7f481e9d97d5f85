"""Channel schema and config validation, and secrets at rest."""

import pytest

from mpdash.channels.schema import ConfigErrors, validate_config, validate_failed_integration, validate_schema
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter

SHIPPED = HepsiburadaAdapter.default_schema()


def full_config(**overrides):
    config = HepsiburadaAdapter.default_config()
    config.update(
        username="m1", password="pw", merchant_id="m1", user_agent="ua", category_ids=["1"],
        default_reason_id=1, cancellation_reason_id=1, cargo_company_mapping={"default": 1},
    )
    config.update(overrides)
    return config


def test_default_config_lists_every_flag_false():
    flags = HepsiburadaAdapter.default_config()["feature_flags"]
    assert set(flags) == {f.flag for f in HepsiburadaAdapter.flows if f.flag}
    assert not any(flags.values())
    assert {"stock", "price", "get_orders", "product_create", "send_cancel_order_items"} <= set(flags)


def test_shipped_key_cannot_be_removed_or_retyped_but_user_keys_can_be_added():
    schema = dict(SHIPPED)
    schema["store_code"] = {"key": "StoreCode", "label": "Mağaza Kodu", "required": False, "data_type": "text"}
    assert validate_schema(schema, SHIPPED) is schema
    removed = {k: v for k, v in SHIPPED.items() if k != "buffer_stock"}
    with pytest.raises(ConfigErrors) as exc:
        validate_schema(removed, SHIPPED)
    assert "buffer_stock" in exc.value.errors and "cannot be removed" in exc.value.errors["buffer_stock"]
    retyped = dict(SHIPPED, buffer_stock=dict(SHIPPED["buffer_stock"], data_type="text"))
    with pytest.raises(ConfigErrors) as exc:
        validate_schema(retyped, SHIPPED)
    assert "data_type" in exc.value.errors["buffer_stock"]
    bad_type = dict(SHIPPED, extra={"key": "extra", "label": "x", "required": False, "data_type": "float"})
    with pytest.raises(ConfigErrors) as exc:
        validate_schema(bad_type, SHIPPED)
    assert "list, text, integer, bool, json" in exc.value.errors["extra"]


def test_valid_full_config_passes_and_coerces_form_strings():
    out = validate_config(full_config(buffer_stock="3", use_neighborhood="true"), SHIPPED, HepsiburadaAdapter, require_required=True)
    assert out["buffer_stock"] == 3 and out["use_neighborhood"] is True


@pytest.mark.parametrize(
    "overrides,key,fragment",
    [
        ({"buffer_stock": "three"}, "buffer_stock", "whole number"),
        ({"buffer_stock": -1}, "buffer_stock", "0 or more"),
        ({"use_neighborhood": "maybe"}, "use_neighborhood", "true or false"),
        ({"category_ids": 5}, "category_ids", "list"),
        ({"refund_start_date": "yesterday"}, "refund_start_date", "2024-12-01T10:00:00Z"),
    ],
)
def test_type_errors_name_the_key_and_what_is_expected(overrides, key, fragment):
    with pytest.raises(ConfigErrors) as exc:
        validate_config(full_config(**overrides), SHIPPED, HepsiburadaAdapter, require_required=True)
    assert key in exc.value.errors and fragment in exc.value.errors[key]


def test_required_keys_are_enforced_only_for_an_active_channel():
    config = full_config(password="")
    validate_config(config, SHIPPED, HepsiburadaAdapter, require_required=False)
    with pytest.raises(ConfigErrors) as exc:
        validate_config(config, SHIPPED, HepsiburadaAdapter, require_required=True)
    assert "password" in exc.value.errors and "required" in exc.value.errors["password"]


def test_feature_flags_must_list_every_flow_and_only_booleans():
    flags = full_config()["feature_flags"]
    missing = {k: v for k, v in flags.items() if k != "stock"}
    with pytest.raises(ConfigErrors) as exc:
        validate_config(full_config(feature_flags=missing), SHIPPED, HepsiburadaAdapter, require_required=True)
    assert "missing: stock" in exc.value.errors["feature_flags"]
    with pytest.raises(ConfigErrors) as exc:
        validate_config(full_config(feature_flags=dict(flags, bogus=True)), SHIPPED, HepsiburadaAdapter, require_required=True)
    assert "bogus" in exc.value.errors["feature_flags"]
    with pytest.raises(ConfigErrors) as exc:
        validate_config(full_config(feature_flags=dict(flags, stock="yes")), SHIPPED, HepsiburadaAdapter, require_required=True)
    assert "stock" in exc.value.errors["feature_flags"]


def test_failed_integration_shape():
    good = HepsiburadaAdapter.default_config()["failed_integration"]
    assert validate_failed_integration(good) is None
    assert "DEFAULT is required" in validate_failed_integration({k: v for k, v in good.items() if k != "DEFAULT"})
    bad = dict(good, product={"RETRY_INTERVAL": "soon", "EXPIRATION_DATE": 1, "MAX_RETRY_COUNT": 2})
    assert "product.RETRY_INTERVAL" in validate_failed_integration(bad)
    assert "EXPIRATION_HOUR" in validate_failed_integration(dict(good, sent_to_remote={"EXPIRATION_HOUR": 0}))
    assert "not a penalty kind" in validate_failed_integration(dict(good, widget={}))


@pytest.mark.django_db
def test_secrets_are_encrypted_at_rest_masked_and_kept_when_left_masked(channel_factory):
    from django.db import connection

    channel = channel_factory(password="s3cret-service-key")
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM channels_saleschannel WHERE id = %s", [channel.pk])
        raw = cursor.fetchone()[0]
    assert "s3cret-service-key" not in str(raw) and "enc:v1:" in str(raw)
    assert channel.masked_config()["password"] == "********"
    assert channel.plain_config()["password"] == "s3cret-service-key"
    channel.update_config({"password": "********", "buffer_stock": 2})
    channel.full_clean()
    channel.save()
    channel.refresh_from_db()
    assert channel.plain_config()["password"] == "s3cret-service-key"
    assert channel.config["buffer_stock"] == 2


def test_redaction_masks_registered_secrets_and_auth_headers():
    from mpdash.redaction import redact, redact_text, register_secret

    register_secret("topsecret123")
    assert "topsecret123" not in redact_text("login failed for topsecret123")
    assert redact_text("Authorization: Basic ZGVtbzpzZWNyZXQ=") == "Authorization: Basic ********"
    assert redact({"password": "x1", "nested": [{"app_secret": "y"}], "sku": "A"}) == {
        "password": "********", "nested": [{"app_secret": "********"}], "sku": "A"
    }
