"""Resolving the place names of a marketplace address to our country/city/township/district.

Each level is tried in turn: first an :class:`AddressMapping` (per channel, with codes
prefixed ``{channel_id}_``, when the channel config ``use_channel_id_in_address_mapping`` is
on; global otherwise), then our own names, compared after Turkish case and whitespace
normalisation (see :mod:`mpdash.orders.text`). A level that does not resolve raises
:class:`AddressNotValid` with the message the seeds document, e.g.
``Address is not valid. channel: 137 code: 137_Merkez model: Township city id: 34, city name: İstanbul``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import AddressNotValid
from .models import Address, AddressMapping, City, Country, Customer, District, Township
from .text import name_key, squash

DEFAULT_COUNTRY = "TR"
MESSAGE = "Address is not valid. channel: {channel} code: {code} model: {model} {parent} id: {parent_id}, {parent} name: {parent_name}"


@dataclass(frozen=True)
class ResolvedAddress:
    country: Country
    city: City
    township: Township | None
    district: District | None


def per_channel(channel) -> bool:
    return bool(channel is not None and (channel.config or {}).get("use_channel_id_in_address_mapping"))


def mapping_code(channel, value: str) -> str:
    """The mapping code of a marketplace value: ``{channel_id}_{value}`` for per-channel mapping."""
    value = squash(value)
    return f"{channel.pk}_{value}" if per_channel(channel) else value


def add_mapping(channel, model: str, code: str, target, *, parent=None) -> AddressMapping:
    """Map a marketplace value (unprefixed) to ``target``; per channel when the channel says so."""
    scoped = per_channel(channel)
    mapping, _ = AddressMapping.objects.update_or_create(
        channel=channel if scoped else None,
        model=model,
        parent_id=parent.pk if parent is not None else 0,
        code_key=name_key(mapping_code(channel, code)),
        defaults={"code": mapping_code(channel, code), "object_id": target.pk},
    )
    return mapping


def _mapped(channel, model: str, code: str, parent) -> int | None:
    qs = AddressMapping.objects.filter(model=model, code_key=name_key(code), parent_id__in=[parent.pk, 0])
    qs = qs.filter(channel=channel) if per_channel(channel) else qs.filter(channel__isnull=True)
    # A mapping for this very parent wins over one valid under any parent.
    row = qs.order_by("-parent_id").values_list("object_id", flat=True).first()
    return row


def _by_name(queryset, value: str):
    """The row whose name matches ``value``; an exact Turkish-case match wins over an ASCII-folded one."""
    candidates = list(queryset.filter(name_key=name_key(value)))
    if len(candidates) == 1:
        return candidates[0]
    wanted = squash(value).casefold()
    exact = [c for c in candidates if c.name.casefold() == wanted]
    return exact[0] if len(exact) == 1 else None


def _resolve(channel, model: str, target_model, value: str, parent, children) -> Any:
    code = mapping_code(channel, value)
    object_id = _mapped(channel, model, code, parent)
    if object_id is not None:
        found = children.filter(pk=object_id).first() or target_model.objects.filter(pk=object_id).first()
        if found is not None:
            return found
    found = _by_name(children, value)
    if found is not None:
        return found
    parent_label = {"city": "country", "township": "city", "district": "township"}[model]
    raise AddressNotValid(
        MESSAGE.format(
            channel=getattr(channel, "pk", None),
            code=code,
            model=model.capitalize(),
            parent=parent_label,
            parent_id=parent.pk,
            parent_name=parent.name,
        ),
        model=model.capitalize(),
        code=code,
    )


def resolve_country(code_or_name: str | None) -> Country:
    value = squash(code_or_name) or DEFAULT_COUNTRY
    country = Country.objects.filter(code__iexact=value).first() or _by_name(Country.objects.all(), value)
    if country is None:
        raise AddressNotValid(f"Address is not valid. country: {value} is not known", model="Country", code=value)
    return country


def resolve_address(
    channel,
    city_name: str,
    township_name: str | None = None,
    district_name: str | None = None,
    *,
    country: str | Country | None = None,
    strict_district: bool = False,
) -> ResolvedAddress:
    """Our city, township and district for a marketplace address.

    An empty township or district resolves to ``None``. A district that does not resolve
    is left empty (our district table may be partial; the neighbourhood line keeps the
    text) unless ``strict_district`` is set, in which case it raises like the other levels.
    """
    country_obj = country if isinstance(country, Country) else resolve_country(country)
    city = _resolve(channel, "city", City, city_name or "", country_obj, City.objects.filter(country=country_obj))
    township = None
    if squash(township_name):
        township = _resolve(channel, "township", Township, township_name, city, Township.objects.filter(city=city))
    district = None
    if township is not None and squash(district_name):
        try:
            district = _resolve(
                channel, "district", District, district_name, township, District.objects.filter(township=township)
            )
        except AddressNotValid:
            if strict_district:
                raise
    return ResolvedAddress(country_obj, city, township, district)


ADDRESS_FIELDS = (
    "title", "first_name", "last_name", "email", "phone", "neighbourhood", "line", "postcode", "company_name",
    "tax_office", "tax_number", "e_bill_taxpayer", "identity_number", "extra_field",
)


def build_address(channel, data: dict[str, Any], *, customer: Customer | None = None) -> Address:
    """An unsaved :class:`Address` from marketplace data (place names resolved; raises AddressNotValid).

    ``data`` keys: ``country`` (code or name, default TR), ``city``, ``township``,
    ``district`` (names), and any of :data:`ADDRESS_FIELDS`. The neighbourhood line is
    kept only when the channel config ``use_neighborhood`` is on.
    """
    resolved = resolve_address(
        channel, data.get("city") or "", data.get("township"), data.get("district"), country=data.get("country")
    )
    values = {k: data[k] for k in ADDRESS_FIELDS if data.get(k) is not None}
    if not (channel.config or {}).get("use_neighborhood"):
        values.pop("neighbourhood", None)
    return Address(
        customer=customer,
        country=resolved.country,
        city=resolved.city,
        township=resolved.township,
        district=resolved.district,
        **values,
    )
