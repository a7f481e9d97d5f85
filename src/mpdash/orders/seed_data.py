"""Loading the seed data files of ``data/`` (used by the data migrations, so written
against the historical models they are given)."""

from __future__ import annotations

import json
from pathlib import Path

from .text import name_key

DATA = Path(__file__).with_name("data")


def read(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_geography(Country, City, Township) -> None:
    doc = read("tr_townships.json")
    spec = doc["country"]
    country, _ = Country.objects.get_or_create(
        code=spec["code"], defaults={"name": spec["name"], "name_key": name_key(spec["name"])}
    )
    for entry in doc["cities"]:
        city, _ = City.objects.get_or_create(
            country=country,
            name=entry["name"],
            defaults={"plate_code": entry["plate_code"], "name_key": name_key(entry["name"])},
        )
        have = set(Township.objects.filter(city=city).values_list("name", flat=True))
        Township.objects.bulk_create(
            [Township(city=city, name=t, name_key=name_key(t)) for t in entry["townships"] if t not in have]
        )


def load_shipping_companies(ShippingCompany) -> None:
    for entry in read("shipping_companies.json")["companies"]:
        ShippingCompany.objects.get_or_create(slug=entry["slug"], defaults=entry)


def load_cancellation_reasons(CancellationReason) -> None:
    for order, entry in enumerate(read("cancellation_reasons.json")["reasons"], start=1):
        CancellationReason.objects.get_or_create(
            cancellation_type=entry["cancellation_type"], code=entry["code"], defaults=dict(entry, sort_order=order)
        )
