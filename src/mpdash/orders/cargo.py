"""Cargo companies: marketplace carrier names → our shipping companies, and tracking URLs."""

from __future__ import annotations

from typing import Any

from .errors import CargoCompanyNotFound
from .models import ShippingCompany
from .text import name_key

DEFAULT_KEY = "default"


def _company(value: Any) -> ShippingCompany | None:
    """A mapping value: a shipping company id (int or digits) or slug."""
    from .addresses import cached

    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, (int, str)):
        return cached(("shipping_company", str(value).strip()), lambda: _company_lookup(value))
    return None


def _company_lookup(value: Any) -> ShippingCompany | None:
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return ShippingCompany.objects.filter(pk=int(value)).first()
    if isinstance(value, str):
        return ShippingCompany.objects.filter(slug=value.strip()).first()
    return None


def map_cargo_company(channel, marketplace_name: str | None) -> ShippingCompany:
    """Our shipping company for a marketplace carrier name, through the channel config
    ``cargo_company_mapping`` (name → our company id or slug, ``default`` as the fallback).

    Names are compared case- and Turkish-letter-insensitively. Raises
    :class:`CargoCompanyNotFound` when neither the name nor ``default`` is mapped to an
    existing company.
    """
    mapping = (channel.config or {}).get("cargo_company_mapping") or {}
    if not isinstance(mapping, dict):
        raise CargoCompanyNotFound(f"cargo_company_mapping of channel {channel.pk} is not a JSON object")
    wanted = name_key(marketplace_name)
    keyed = {name_key(str(k)): v for k, v in mapping.items()}
    for key, source in ((wanted, "mapping"), (DEFAULT_KEY, "default")):
        if not key or key not in keyed:
            continue
        company = _company(keyed[key])
        if company is None:
            raise CargoCompanyNotFound(
                f"CargoCompany does not exist: cargo_company_mapping of channel {channel.pk} maps "
                f"{(marketplace_name if source == 'mapping' else DEFAULT_KEY)!r} to {keyed[key]!r}, "
                "which is not a shipping company id or slug"
            )
        return company
    raise CargoCompanyNotFound(
        f"CargoCompany does not exist: {marketplace_name!r} is not in cargo_company_mapping of channel "
        f"{channel.pk} and the mapping has no {DEFAULT_KEY!r} entry"
    )


def _provider_entry(channel, company: ShippingCompany) -> tuple[str, Any] | None:
    """The channel's ``shipping_provider`` entry for the company: by slug, or by a marketplace
    name that ``cargo_company_mapping`` maps to it."""
    config = (channel.config or {}) if channel is not None else {}
    providers = config.get("shipping_provider") or {}
    if not isinstance(providers, dict) or not providers:
        return None
    keyed = {name_key(k): (k, v) for k, v in providers.items()}
    names = [company.slug, company.name]
    for marketplace_name, value in (config.get("cargo_company_mapping") or {}).items():
        if marketplace_name != DEFAULT_KEY and str(value) in (str(company.pk), company.slug):
            names.append(marketplace_name)
    for name in names:
        hit = keyed.get(name_key(name))
        if hit and isinstance(hit[1], dict) and hit[1].get("tracking_url"):
            return hit[0], hit[1]["tracking_url"]
    return None


def tracking_url(company: ShippingCompany | None, tracking_number: str, channel=None) -> str:
    """The tracking page URL of a shipment, or "" when no template is known.

    The template comes from the channel config ``shipping_provider`` when it has an entry
    for the company, else from the company. Special cases, as the seeds define them:

    - **PTT**: the number is ``<barcode>-<guid>``; a template with ``{barkod}`` /
      ``{barkod_guid}`` (or ``${barkod}`` / ``${barkod_guid}``) gets both, and a template
      without them gets ``barkod=<barcode>&barkod_guid=<guid>`` appended to its query;
    - **Loomis**: the provider's ``tracking_url`` is an object keyed by the part before the
      "-" (``"tur-1234566"`` → key ``tur``); its template gets the part after the "-".
    """
    number = (tracking_number or "").strip()
    if company is None or not number:
        return ""
    entry = _provider_entry(channel, company)
    key, template = entry if entry else (company.slug, company.tracking_url_template)
    kind = name_key(f"{company.slug} {key}")
    if isinstance(template, dict) or "loomis" in kind:
        prefix, dash, rest = number.partition("-")
        if isinstance(template, dict):
            template = {name_key(k): v for k, v in template.items()}.get(name_key(prefix), "")
        if dash:
            number = rest
    if not template or not isinstance(template, str):
        return ""
    if "ptt" in kind.split() or company.slug == "ptt":
        return _ptt_url(template, number)
    return template.replace("{tracking_number}", number)


def _ptt_url(template: str, number: str) -> str:
    barcode, dash, guid = number.partition("-")
    if "barkod" in template:
        for placeholder, value in (("${barkod_guid}", guid), ("{barkod_guid}", guid), ("${barkod}", barcode), ("{barkod}", barcode)):
            template = template.replace(placeholder, value)
        return template.replace("{tracking_number}", barcode)
    if not dash:
        return template.replace("{tracking_number}", number)
    base = template.replace("{tracking_number}", barcode)
    return f"{base}{'&' if '?' in base else '?'}barkod={barcode}&barkod_guid={guid}"
