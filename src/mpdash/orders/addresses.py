"""Resolving the place names of a marketplace address to our country/city/township/district.

Each level is tried in turn: first an :class:`AddressMapping` (per channel, with codes
prefixed ``{channel_id}_``, when the channel config ``use_channel_id_in_address_mapping`` is
on; global otherwise), then our own names, compared after Turkish case and whitespace
normalisation (see :mod:`mpdash.orders.text`). A level that does not resolve raises
:class:`AddressNotValid` with the message the seeds document, e.g.
``Address is not valid. channel: 137 code: 137_Merkez model: Township city id: 34, city name: İstanbul``.
"""

from __future__ import annotations

import contextlib
import contextvars
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


# Lookups made while a flow run reads a page of orders: the same few cities and townships
# come back in every order, so within a run each is looked up once. Only found places are
# kept (a mapping added meanwhile is seen by the next run), and only inside the block.
_CACHE: contextvars.ContextVar[dict | None] = contextvars.ContextVar("mpdash_address_cache", default=None)


@contextlib.contextmanager
def lookups_cached():
    token = _CACHE.set({})
    try:
        yield
    finally:
        _CACHE.reset(token)


def cached(key: tuple, compute, *, keep_none: bool = False):
    """``compute()`` once per key inside :func:`lookups_cached` (None results are kept only
    with ``keep_none``: a place not found is then not looked up again in this run)."""
    cache = _CACHE.get()
    if cache is None:
        return compute()
    if key in cache:
        return cache[key]
    value = compute()
    if value is not None or keep_none:
        cache[key] = value
    return value


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
    return _pick(list(queryset.filter(name_key=name_key(value))), value)


def _pick(candidates: list, value: str):
    """One of the rows sharing ``value``'s name key: the only one, else the one spelled exactly."""
    if len(candidates) == 1:
        return candidates[0]
    wanted = squash(value).casefold()
    exact = [c for c in candidates if c.name.casefold() == wanted]
    return exact[0] if len(exact) == 1 else None


def _resolve(channel, model: str, target_model, value: str, parent, children) -> Any:
    """``children``: a callable giving the queryset of the parent's children (built only when needed)."""
    key = ("place", getattr(channel, "pk", None), per_channel(channel), model, squash(value), parent.pk)
    # Our district table is partial: a district not found is remembered for the run too.
    found = cached(key, lambda: _lookup(channel, model, target_model, value, parent, children()),
                   keep_none=model == "district")
    if found is not None:
        return found
    code = mapping_code(channel, value)
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


def _run_index(channel, model: str, parent):
    """Inside :func:`lookups_cached`: the address mappings of the channel and the children of
    ``parent`` by name key, read once per run (a few hundred rows) instead of once per order."""
    cache = _CACHE.get()
    if cache is None or model not in ("city", "township"):
        return None
    scope = ("mappings", getattr(channel, "pk", None), per_channel(channel))
    if scope not in cache:
        qs = AddressMapping.objects.all()
        qs = qs.filter(channel=channel) if per_channel(channel) else qs.filter(channel__isnull=True)
        cache[scope] = {(m, key, parent_id): object_id for m, key, parent_id, object_id in
                        qs.values_list("model", "code_key", "parent_id", "object_id")}
    children_key = ("children", model, parent.pk)
    if children_key not in cache:
        rows = City.objects.filter(country=parent) if model == "city" else Township.objects.filter(city=parent)
        index: dict[str, list] = {}
        for row in rows:
            index.setdefault(row.name_key, []).append(row)
        cache[children_key] = index
    return cache[scope], cache[children_key]


def _lookup(channel, model: str, target_model, value: str, parent, children) -> Any:
    code = mapping_code(channel, value)
    indexed = _run_index(channel, model, parent)
    if indexed is not None:
        mappings, by_key = indexed
        object_id = mappings.get((model, name_key(code), parent.pk))
        if object_id is None:
            object_id = mappings.get((model, name_key(code), 0))
        if object_id is not None:
            found = next((row for rows in by_key.values() for row in rows if row.pk == object_id), None)
            if found is None:
                found = target_model.objects.filter(pk=object_id).first()
            if found is not None:
                return found
        return _pick(by_key.get(name_key(value), []), value)
    object_id = _mapped(channel, model, code, parent)
    if object_id is not None:
        found = children.filter(pk=object_id).first() or target_model.objects.filter(pk=object_id).first()
        if found is not None:
            return found
    return _by_name(children, value)


def resolve_country(code_or_name: str | None) -> Country:
    """Our country for an ISO code or a name. A two-letter code we have no row for (a
    micro-export order's DE, NL, AZ...) gets one: only Türkiye has reference data to check."""
    value = squash(code_or_name) or DEFAULT_COUNTRY
    country = cached(("country", value.casefold()), lambda: Country.objects.filter(code__iexact=value).first()
                     or _by_name(Country.objects.all(), value))
    if country is None and len(value) == 2 and value.isalpha() and value.isascii():
        country, _ = Country.objects.get_or_create(code=value.upper(), defaults={"name": value.upper()})
    if country is None:
        raise AddressNotValid(f"Address is not valid. country: {value} is not known", model="Country", code=value)
    return country


def has_reference_data(country: Country) -> bool:
    """True for a country whose cities and townships we hold (Türkiye), whose names are checked."""
    return bool(cached(("reference", country.pk), lambda: Township.objects.filter(city__country=country).exists(),
                       keep_none=True))


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
    if not has_reference_data(country_obj):
        # Abroad (micro-export): no table to check names against; the city is kept by name and
        # the finer levels stay text on the address.
        name = squash(city_name) or "-"
        city = City.objects.filter(country=country_obj, name_key=name_key(name)).first()
        if city is None:
            city, _ = City.objects.get_or_create(country=country_obj, name=name)
        return ResolvedAddress(country_obj, city, None, None)
    city = _resolve(channel, "city", City, city_name or "", country_obj, lambda: City.objects.filter(country=country_obj))
    township = None
    if squash(township_name):
        township = _resolve(channel, "township", Township, township_name, city, lambda: Township.objects.filter(city=city))
    district = None
    if township is not None and squash(district_name):
        try:
            district = _resolve(
                channel, "district", District, district_name, township, lambda: District.objects.filter(township=township)
            )
        except AddressNotValid:
            if strict_district:
                raise
    return ResolvedAddress(country_obj, city, township, district)


ADDRESS_FIELDS = (
    "title", "first_name", "last_name", "email", "phone", "neighbourhood", "line", "region", "postcode", "company_name",
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
    if resolved.township is None and not has_reference_data(resolved.country):
        names = {k: data[k] for k in ("township", "district") if data.get(k)}
        if names:
            values["extra_field"] = {**(values.get("extra_field") or {}), **names}
    return Address(
        customer=customer,
        country=resolved.country,
        city=resolved.city,
        township=resolved.township,
        district=resolved.district,
        **values,
    )
