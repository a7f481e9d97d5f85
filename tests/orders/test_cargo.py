"""Cargo company mapping and tracking URLs (with the seeds' PTT and Loomis special cases)."""

from __future__ import annotations

import pytest

from mpdash.orders.cargo import map_cargo_company, tracking_url
from mpdash.orders.errors import CargoCompanyNotFound
from mpdash.orders.models import ShippingCompany

from .conftest import set_config

pytestmark = pytest.mark.django_db


def company(slug):
    return ShippingCompany.objects.get(slug=slug)


def test_turkish_carriers_are_seeded():
    slugs = set(ShippingCompany.objects.values_list("slug", flat=True))
    assert {"yurtici", "aras", "mng", "ptt", "surat", "ups", "hepsijet", "trendyol_express", "kolay_gelsin", "loomis", "horoz"} <= slugs
    assert company("surat").name == "Sürat Kargo" and company("yurtici").name == "Yurtiçi Kargo"
    for c in ShippingCompany.objects.exclude(tracking_url_template=""):
        assert "{tracking_number}" in c.tracking_url_template


def test_mapping_by_slug_id_and_default(channel):
    set_config(channel, cargo_company_mapping={"Hepsijet": "hepsijet", "ArasKargo": str(company("aras").pk), "default": company("yurtici").pk})
    assert map_cargo_company(channel, "Hepsijet") == company("hepsijet")
    assert map_cargo_company(channel, "HEPSIJET") == company("hepsijet")
    assert map_cargo_company(channel, "araskargo") == company("aras")
    assert map_cargo_company(channel, "Sürat Kargo") == company("yurtici")  # default
    assert map_cargo_company(channel, None) == company("yurtici")


def test_no_mapping_and_no_default_is_a_clear_error(channel):
    set_config(channel, cargo_company_mapping={"Hepsijet": "hepsijet"})
    with pytest.raises(CargoCompanyNotFound) as exc:
        map_cargo_company(channel, "MNG Kargo")
    assert str(exc.value) == (
        f"CargoCompany does not exist: 'MNG Kargo' is not in cargo_company_mapping of channel {channel.pk} "
        "and the mapping has no 'default' entry"
    )
    assert exc.value.field == "cargo_company"


def test_mapping_to_an_unknown_company_is_a_clear_error(channel):
    set_config(channel, cargo_company_mapping={"Hepsijet": "no-such-carrier", "default": 99999})
    with pytest.raises(CargoCompanyNotFound, match="maps 'Hepsijet' to 'no-such-carrier'"):
        map_cargo_company(channel, "Hepsijet")
    with pytest.raises(CargoCompanyNotFound, match="maps 'default' to 99999"):
        map_cargo_company(channel, "Other")


def test_tracking_url_from_the_company_template():
    assert tracking_url(company("aras"), "123456") == "https://kargotakip.araskargo.com.tr/mainpage.aspx?code=123456"
    assert tracking_url(company("trendyol_express"), "123") == ""  # no template known
    assert tracking_url(None, "123") == "" and tracking_url(company("aras"), "") == ""


def test_channel_shipping_provider_overrides_the_template(channel):
    set_config(channel, shipping_provider={"hbexpress": {"tracking_url": "https://hj.example/t/{tracking_number}"}},
               cargo_company_mapping={"hbexpress": "hepsijet", "default": 1})
    assert tracking_url(company("hepsijet"), "HJ1", channel) == "https://hj.example/t/HJ1"
    assert tracking_url(company("aras"), "9", channel).startswith("https://kargotakip.araskargo.com.tr/")


def test_ptt_barcode_and_guid(channel):
    assert tracking_url(company("ptt"), "KP123-ab-cd") == (
        "https://gonderitakip.ptt.gov.tr/Track/Verify?q=KP123&barkod=KP123&barkod_guid=ab-cd"
    )
    set_config(channel, shipping_provider={"ptt": {"tracking_url": "https://ptt.example/track?barkod=${barkod}&barkod_guid=${barkod_guid}"}})
    assert tracking_url(company("ptt"), "KP123-guid42", channel) == "https://ptt.example/track?barkod=KP123&barkod_guid=guid42"
    assert tracking_url(company("ptt"), "KP123", channel) == "https://ptt.example/track?barkod=KP123&barkod_guid="
    assert tracking_url(company("ptt"), "KP123") == "https://gonderitakip.ptt.gov.tr/Track/Verify?q=KP123"


def test_loomis_route_keyed_urls(channel):
    set_config(channel, shipping_provider={"loomis": {"tracking_url": {"tur": "https://xxx.com?tracking_number={tracking_number}"}}})
    assert tracking_url(company("loomis"), "tur-1234566", channel) == "https://xxx.com?tracking_number=1234566"
    assert tracking_url(company("loomis"), "abc-1", channel) == ""  # no URL for that route
