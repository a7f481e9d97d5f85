"""The address reference table, Turkish normalisation, mapping and the "Address is not valid" error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mpdash.orders import addresses
from mpdash.orders.addresses import add_mapping, build_address, resolve_address
from mpdash.orders.errors import AddressNotValid
from mpdash.orders.models import AddressMapping, City, Country, District, Township
from mpdash.orders.text import name_key, tr_lower

from .conftest import ADDRESS, set_config

pytestmark = pytest.mark.django_db


def city(name):
    return City.objects.get(name=name)


# --- the seeded table ---------------------------------------------------------------------------------


def test_turkiye_has_81_cities_with_plate_codes():
    tr = Country.objects.get(code="TR")
    assert tr.name == "Türkiye"
    cities = City.objects.filter(country=tr)
    assert cities.count() == 81
    assert sorted(cities.values_list("plate_code", flat=True)) == [f"{i:02d}" for i in range(1, 82)]
    by_plate = dict(cities.values_list("plate_code", "name"))
    assert by_plate["01"] == "Adana" and by_plate["06"] == "Ankara" and by_plate["34"] == "İstanbul"
    assert by_plate["35"] == "İzmir" and by_plate["63"] == "Şanlıurfa" and by_plate["76"] == "Iğdır"
    assert by_plate["81"] == "Düzce"


def test_townships_count_and_samples():
    assert Township.objects.count() == 973
    assert Township.objects.filter(city=city("İstanbul")).count() == 39
    assert Township.objects.filter(city=city("Ankara")).count() == 25
    assert Township.objects.filter(city=city("İzmir")).count() == 30
    assert Township.objects.filter(city=city("Bayburt")).count() == 3
    assert Township.objects.filter(city=city("İstanbul"), name="Kadıköy").exists()
    assert Township.objects.filter(city=city("Samsun"), name="19 Mayıs").exists()
    # The 30 metropolitan provinces have no "Merkez" township; the 51 others have one.
    assert Township.objects.filter(name="Merkez").count() == 51
    assert not Township.objects.filter(city=city("İstanbul"), name="Merkez").exists()


def test_every_city_of_the_data_file_has_townships():
    doc = json.loads(
        (Path(addresses.__file__).with_name("data") / "tr_townships.json").read_text(encoding="utf-8")
    )
    assert len(doc["cities"]) == 81
    assert all(len(c["townships"]) == len(set(c["townships"])) > 0 for c in doc["cities"])
    assert sum(len(c["townships"]) for c in doc["cities"]) == 973


# --- normalisation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,lower", [("İSTANBUL", "istanbul"), ("ISPARTA", "ısparta"), ("  Kadıköy \t", "kadıköy"), ("IĞDIR", "ığdır")])
def test_turkish_lower_case(raw, lower):
    assert tr_lower(raw) == lower


@pytest.mark.parametrize("raw", ["İSTANBUL", "istanbul", "ISTANBUL", "Istanbul", " İstanbul  "])
def test_istanbul_in_every_spelling(channel, raw):
    assert resolve_address(channel, raw).city.name == "İstanbul"


@pytest.mark.parametrize("raw", ["Kadıköy", "KADIKÖY", "kadıköy", "KADIKOY", "kadikoy", "  Kadıköy "])
def test_kadikoy_in_every_spelling(channel, raw):
    resolved = resolve_address(channel, "istanbul", raw)
    assert (resolved.city.name, resolved.township.name) == ("İstanbul", "Kadıköy")


def test_inner_whitespace_is_collapsed(channel):
    assert resolve_address(channel, "\tKahramanmaraş  ", " TÜRKOĞLU\n").township.name == "Türkoğlu"
    assert resolve_address(channel, "Samsun", "19   Mayıs").township.name == "19 Mayıs"


def test_name_key_folds_turkish_letters():
    assert name_key("Şişli Çağlayan Göztepe Ünye İĞDIR") == "sisli caglayan goztepe unye igdir"


# --- the error ---------------------------------------------------------------------------------------------


def test_unmapped_township_message_is_exactly_the_seeds(channel):
    ist = city("İstanbul")
    with pytest.raises(AddressNotValid) as exc:
        resolve_address(channel, "İstanbul", "Merkez")
    assert str(exc.value) == (
        f"Address is not valid. channel: {channel.pk} code: Merkez model: Township city id: {ist.pk}, city name: İstanbul"
    )
    assert exc.value.model == "Township" and exc.value.code == "Merkez"


def test_channel_prefixed_code_in_the_message(channel):
    set_config(channel, use_channel_id_in_address_mapping=True)
    ist = city("İstanbul")
    with pytest.raises(AddressNotValid) as exc:
        resolve_address(channel, "İstanbul", "Merkez")
    assert str(exc.value) == (
        f"Address is not valid. channel: {channel.pk} code: {channel.pk}_Merkez model: Township "
        f"city id: {ist.pk}, city name: İstanbul"
    )


def test_unknown_city_and_strict_district_variants(channel):
    tr = Country.objects.get(code="TR")
    with pytest.raises(AddressNotValid) as exc:
        resolve_address(channel, "Gotham")
    assert str(exc.value) == (
        f"Address is not valid. channel: {channel.pk} code: Gotham model: City country id: {tr.pk}, country name: Türkiye"
    )
    kadikoy = Township.objects.get(city=city("İstanbul"), name="Kadıköy")
    with pytest.raises(AddressNotValid) as exc:
        resolve_address(channel, "İstanbul", "Kadıköy", "Nowhere Mah.", strict_district=True)
    assert str(exc.value) == (
        f"Address is not valid. channel: {channel.pk} code: Nowhere Mah. model: District "
        f"township id: {kadikoy.pk}, township name: Kadıköy"
    )
    # Not strict: an unknown district is left empty (the neighbourhood line keeps the text).
    assert resolve_address(channel, "İstanbul", "Kadıköy", "Nowhere Mah.").district is None


# --- mapping ---------------------------------------------------------------------------------------------------


def test_global_mapping_resolves_a_marketplace_name(channel):
    ist = city("İstanbul")
    eyup = Township.objects.get(city=ist, name="Eyüpsultan")
    add_mapping(channel, "township", "Eyüp", eyup, parent=ist)
    assert AddressMapping.objects.get().channel is None
    assert resolve_address(channel, "istanbul", "EYÜP").township == eyup


def test_channel_prefixed_mapping_is_per_channel(channel, other_channel):
    set_config(channel, use_channel_id_in_address_mapping=True)
    set_config(other_channel, use_channel_id_in_address_mapping=True)
    ist = city("İstanbul")
    fatih = Township.objects.get(city=ist, name="Fatih")
    mapping = add_mapping(channel, "township", "Merkez", fatih, parent=ist)
    assert mapping.channel == channel and mapping.code == f"{channel.pk}_Merkez"
    assert resolve_address(channel, "İstanbul", "MERKEZ").township == fatih
    with pytest.raises(AddressNotValid, match=f"code: {other_channel.pk}_Merkez model: Township"):
        resolve_address(other_channel, "İstanbul", "Merkez")


def test_a_prefixed_mapping_is_not_used_when_the_option_is_off(channel):
    ist = city("İstanbul")
    AddressMapping.objects.create(
        channel=channel, model="township", code=f"{channel.pk}_Merkez", parent_id=ist.pk,
        object_id=Township.objects.get(city=ist, name="Fatih").pk,
    )
    with pytest.raises(AddressNotValid):
        resolve_address(channel, "İstanbul", "Merkez")


def test_mapping_is_scoped_to_its_parent(channel):
    ist, ank = city("İstanbul"), city("Ankara")
    add_mapping(channel, "township", "Merkez", Township.objects.get(city=ist, name="Fatih"), parent=ist)
    add_mapping(channel, "township", "Merkez", Township.objects.get(city=ank, name="Çankaya"), parent=ank)
    assert resolve_address(channel, "İstanbul", "Merkez").township.name == "Fatih"
    assert resolve_address(channel, "Ankara", "Merkez").township.name == "Çankaya"
    # A non-metropolitan city's own Merkez is found by name, no mapping needed.
    assert resolve_address(channel, "Bayburt", "Merkez").township.city.name == "Bayburt"


def test_city_and_district_mappings(channel):
    tr = Country.objects.get(code="TR")
    add_mapping(channel, "city", "Istanbul (Avrupa)", city("İstanbul"), parent=tr)
    kadikoy = Township.objects.get(city=city("İstanbul"), name="Kadıköy")
    moda = District.objects.create(township=kadikoy, name="Caferağa")
    add_mapping(channel, "district", "Caferağa Mah.", moda, parent=kadikoy)
    resolved = resolve_address(channel, "ISTANBUL (AVRUPA)", "Kadıköy", "CAFERAĞA MAH.")
    assert (resolved.city.name, resolved.township, resolved.district) == ("İstanbul", kadikoy, moda)


def test_build_address_keeps_the_neighbourhood_only_when_configured(channel):
    address = build_address(channel, dict(ADDRESS))
    assert address.neighbourhood == "" and address.township.name == "Kadıköy" and address.country.code == "TR"
    set_config(channel, use_neighborhood=True)
    assert build_address(channel, dict(ADDRESS)).neighbourhood == "Caferağa Mah."


def test_inside_a_run_places_are_read_once_and_mappings_still_apply(channel, django_assert_max_num_queries):
    """A flow run resolves hundreds of addresses: cities, townships and mappings are read once
    per run (a few queries), not once per order; the results are the same as without."""
    expected = resolve_address(channel, "İstanbul", "Kadıköy")
    with addresses.lookups_cached():
        resolve_address(channel, "İstanbul", "Kadıköy")
        with django_assert_max_num_queries(0):
            for _ in range(50):
                again = resolve_address(channel, "ISTANBUL", "kadikoy")
        assert (again.city, again.township) == (expected.city, expected.township)
        with django_assert_max_num_queries(2):
            ankara = resolve_address(channel, "Ankara", "Çankaya")
        assert ankara.township.name == "Çankaya"
    # A mapping added after the run is used by the next one.
    city = City.objects.get(name="İstanbul")
    add_mapping(channel, "township", "Kadikoy Merkez", Township.objects.get(city=city, name="Kadıköy"), parent=city)
    with addresses.lookups_cached():
        assert resolve_address(channel, "İstanbul", "Kadikoy Merkez").township.name == "Kadıköy"
        with pytest.raises(AddressNotValid, match="model: Township"):
            resolve_address(channel, "İstanbul", "Nowhere")


def test_an_address_abroad_keeps_its_state_and_zip_without_turkish_tables(channel):
    address = build_address(channel, {"country": "US", "city": "Bentonville", "region": "AR", "postcode": "72716",
                                      "line": "702 SW 8th St"})
    address.save()
    address.refresh_from_db()
    assert (address.country.code, address.city.name, address.township, address.region, address.postcode) == (
        "US", "Bentonville", None, "AR", "72716")
    assert str(address) == "702 SW 8th St, Bentonville, AR"
