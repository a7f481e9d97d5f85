"""Bulk upserts of the catalog, shared by the REST API and the CSV import.

One code path writes products, prices, stocks and catalog items in bulk, whoever calls
it: rows are validated first (``prepare_*``), then written (``write_*``) with a few
queries per chunk — existing rows are looked up by key in chunks, new ones go in with
``bulk_create``, changed ones with one prepared ``UPDATE`` run over all of them
(``executemany``; no per-row ``save()``); a row whose values equal the stored ones is
counted as *unchanged* and not written (so it marks nothing pending). Change
tracking is done by database triggers; after a write the flows of the affected price
and stock lists are asked to run (``notify_list_changed``, on commit) so changes reach
the marketplaces within seconds.

Upsert semantics (API and CSV alike)
    A row is keyed by its SKU (and its list or catalog). A field left out of a row keeps
    its stored value on an update and takes its default on a create; ``null`` clears a
    nullable field (``retail_price``, ``category``). In a CSV file an **empty cell means
    "left out"**. A new product needs a ``name``; prices need ``price`` and stocks
    ``quantity`` on every row. A new price row takes the currency of its price list and
    a tax rate of 20 unless the row says otherwise. A key (SKU + list) given twice in one
    request or file is an error on the later row.

Two error policies
    * The REST API is **all-or-nothing** (:func:`bulk_upsert`): if any row is invalid the
      answer lists every bad row (``row`` is the index in the JSON list) and nothing is
      written; an API client fixes the rows and sends the request again.
    * The CSV import (:func:`import_csv`, ``mpdash import`` and ``manage.py
      import_catalog``) is **"good rows land, bad rows are listed"**: an operator's file
      of thousands of rows is not blocked by one typo. The file is read in chunks of
      :data:`CHUNK_SIZE` rows, each validated and written in its own transaction; every
      rejected row is reported with its line number in the file (the header is line 1),
      its column and what to write instead. A problem with the file itself — missing or
      unknown columns, an unknown ``--price-list``/``--stock-list``/``--catalog`` — is
      reported before anything is written, and nothing is written.

CSV columns
    * products: ``sku,name,base_code,description,product_type,is_active,category,images,attributes``
      (``sku`` and ``name`` required; ``images`` is ``|``-separated URLs, ``attributes`` a
      JSON object, ``category`` a category code — created, named after its code, when missing;
      ``--catalog CODE`` adds every imported product to that catalog).
    * prices: ``sku,price,retail_price,currency,tax_rate`` plus the list, from
      ``--price-list CODE`` or a ``price_list`` column (the column wins where filled).
    * stocks: ``sku,quantity,maximumPurchasableQuantity`` plus the list, from
      ``--stock-list CODE`` or a ``stock_list`` column; ``maximumPurchasableQuantity`` is
      kept in the stock row's ``extra`` (other ``extra`` keys are left alone).
    Column names are matched case-insensitively; the delimiter may be ``,`` ``;`` or a tab;
    the file is read as UTF-8 (a BOM is fine). Decimals use a dot: ``129.90``.
"""

from __future__ import annotations

import csv
import functools
import gc
import json
import logging
import re
import sys
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any, Iterable, Iterator

from django.db import connections, router, transaction
from django.utils import timezone

from mpdash.sql_keys import among

from .models import Catalog, CatalogItem, Category, PriceList, Product, ProductPrice, ProductStock, StockList

logger = logging.getLogger("mpdash.catalog.importer")

CHUNK_SIZE = 10_000  # CSV rows per transaction (each marks its changes in one go)
LOOKUP_CHUNK = 500  # keys per IN (...) lookup
WRITE_BATCH = 500  # rows per INSERT / UPDATE statement
UNKNOWN_SKU = "The relevant SKU not exists in the catalog"
DEFAULT_TAX_RATE = Decimal("20")

__all__ = [
    "CHUNK_SIZE",
    "Counts",
    "ImportResult",
    "RowError",
    "bulk_upsert",
    "import_csv",
    "prepare",
    "write",
]


# --- results ----------------------------------------------------------------------------


@dataclass
class RowError:
    """One problem in one row: ``row`` is the list index (API) or the file line (CSV)."""

    row: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        if self.row is None:
            return f"{self.field}: {self.message}"
        return f"line {self.row}, column {self.field}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "Counts") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportResult(Counts):
    """What a CSV import did. ``errors`` lists the rejected rows (or the file problem)."""

    kind: str = ""
    rows: int = 0  # data rows read
    errors: list[RowError] = field(default_factory=list)
    aborted: bool = False  # the file or an option was wrong: nothing was written
    catalog_added: int = 0  # products newly added to --catalog

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})

    def summary(self) -> str:
        text = f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}"
        if self.catalog_added:
            text += f", added to catalog {self.catalog_added}"
        return text


# --- value parsing ---------------------------------------------------------------------------


class _Bad(Exception):
    """A field's value is wrong; the message says what to write instead."""


_MISSING = object()
_TRUE = {"true", "1", "yes", "y", "on", "evet"}
_FALSE = {"false", "0", "no", "n", "off", "hayir", "hayır"}


def _text(value: Any, max_length: int, *, required: bool = False) -> str:
    if isinstance(value, bool) or value is None:
        if required or value is not None:
            raise _Bad("must be text" if value is not None else "is required")
        return ""
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise _Bad(f"must be text, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise _Bad("is required")
    if len(value) > max_length:
        raise _Bad(f"is {len(value)} characters long; at most {max_length} are allowed")
    return value


@functools.lru_cache(maxsize=None)
def _plain_number(max_digits: int, places: int):
    """A pattern of the plain numbers within ``max_digits``/``places`` ("129.90", "7"), and the quantum."""
    return re.compile(rf"\d{{1,{max_digits - places}}}(?:\.\d{{1,{places}}})?").fullmatch, Decimal(1).scaleb(-places)


def _decimal(value: Any, *, max_digits: int, places: int, minimum: Decimal | None = None, maximum: Decimal | None = None) -> Decimal:
    if type(value) in (str, int, float):
        # The common value (a plain number of the right size), taken without the checks below.
        raw = value if type(value) is str else str(value)
        plain, quantum = _plain_number(max_digits, places)
        if plain(raw):
            number = Decimal(raw).quantize(quantum)
            if (minimum is None or number >= minimum) and (maximum is None or number <= maximum):
                return number
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise _Bad(f"must be a number such as 129.90, got {type(value).__name__}")
    raw = str(value).strip()
    try:
        number = Decimal(raw)
    except InvalidOperation:
        hint = " (use a dot as the decimal separator)" if "," in raw else ""
        raise _Bad(f"must be a number such as 129.90{hint}, got {raw!r}") from None
    if not number.is_finite():
        raise _Bad(f"must be a number such as 129.90, got {raw!r}")
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum) if number.adjusted() < max_digits + 1 else number
    if rounded != number:
        raise _Bad(f"has more than {places} decimal places: {raw!r}")
    if abs(rounded) >= Decimal(10) ** (max_digits - places):
        raise _Bad(f"is too large: {raw!r} (at most {max_digits - places} digits before the decimal point)")
    if minimum is not None and rounded < minimum:
        raise _Bad(f"must be {minimum} or more, got {raw}")
    if maximum is not None and rounded > maximum:
        raise _Bad(f"must be {maximum} or less, got {raw}")
    return rounded


def _int(value: Any, *, minimum: int | None = 0) -> int:
    if isinstance(value, bool):
        raise _Bad(f"must be a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        raw = value.strip()
        if raw.lstrip("+-").isdigit():
            value = int(raw)
    if not isinstance(value, int):
        shown = value if isinstance(value, (str, float, int)) else type(value).__name__
        raise _Bad(f"must be a whole number{'' if minimum is None else f' ≥ {minimum}'}, got {shown!r}")
    if minimum is not None and value < minimum:
        raise _Bad(f"must be {minimum} or more, got {value}")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        raw = value.strip().lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
    raise _Bad(f"must be true or false, got {value!r}")


def _json_object(value: Any) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise _Bad(f'is not valid JSON ({exc.msg}); write an object such as {{"color": "red"}}') from None
    if not isinstance(value, dict):
        raise _Bad(f'must be a JSON object such as {{"color": "red"}}, got {type(value).__name__}')
    return value


def _images(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in value.split("|") if part.strip()]
    if not isinstance(value, list):
        raise _Bad("must be a list of image URLs")
    for url in value:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
            raise _Bad(f"{url!r} is not an http(s) URL; separate several URLs with |")
    return value


def _currency(value: Any) -> str:
    code = _text(value, 3, required=True).upper()
    if len(code) != 3 or not code.isalpha():
        raise _Bad(f"must be a 3-letter currency code such as TRY, got {value!r}")
    return code


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _ids_by(model, key: str, values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for chunk in _chunks(sorted(set(values)), KEYS_CHUNK):
        out.update(among(model.objects.all(), key, chunk).values_list(key, "id"))
    return out


KEYS_CHUNK = 10_000  # keys per lookup passed as one parameter (see mpdash.sql_keys)


class _RowParser:
    """Collects field errors of one row while its values are parsed."""

    def __init__(self, row_no: int, raw: Any, allowed: Iterable[str], errors: list[RowError]):
        self.row_no = row_no
        self.errors = errors
        self.before = len(errors)
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if not isinstance(raw, dict):
            self.fail("non_field_errors", f"must be a JSON object, got {type(raw).__name__}")
            return
        allowed = tuple(allowed)
        for key in raw:
            if key not in allowed:
                self.fail(str(key), f"unknown field; the fields are: {', '.join(allowed)}")

    @property
    def ok(self) -> bool:
        return len(self.errors) == self.before

    def fail(self, field_name: str, message: str) -> None:
        self.errors.append(RowError(self.row_no, field_name, message))

    def get(self, key: str, parse, *, required: bool = False, nullable: bool = False, default: Any = _MISSING) -> Any:
        if key not in self.raw:
            if required:
                self.fail(key, "is required")
            return default
        value = self.raw[key]
        if value is None and nullable:
            return None
        try:
            return parse(value)
        except _Bad as exc:
            self.fail(key, str(exc))
            return _MISSING


# --- prepared rows ---------------------------------------------------------------------------


@dataclass
class _Row:
    row: int
    sku: str
    values: dict[str, Any]
    list_code: str = ""
    list_id: int | None = None
    product_id: int | None = None
    extra_patch: dict[str, Any] | None = None
    category_code: Any = _MISSING  # products: code, None (clear) or _MISSING (keep)


@dataclass
class Prepared:
    kind: str
    rows: list[_Row]
    create_categories: bool = False
    catalog_id: int | None = None


def _resolve_skus(rows: list[_Row], errors: list[RowError]) -> list[_Row]:
    ids = _ids_by(Product, "sku", (r.sku for r in rows))
    good = []
    for r in rows:
        r.product_id = ids.get(r.sku)
        if r.product_id is None:
            errors.append(RowError(r.row, "sku", UNKNOWN_SKU))
        else:
            good.append(r)
    return good


def _resolve_lists(rows: list[_Row], model, field_name: str, errors: list[RowError]) -> list[_Row]:
    ids = dict(model.objects.filter(code__in={r.list_code for r in rows}).values_list("code", "id"))
    good = []
    for r in rows:
        r.list_id = ids.get(r.list_code)
        if r.list_id is None:
            label = field_name.replace("_", " ")
            errors.append(RowError(r.row, field_name, f"no {label} with code {r.list_code!r}"))
        else:
            good.append(r)
    return good


def _dedupe(rows: list[_Row], key, errors: list[RowError], seen: dict | None, what: str) -> list[_Row]:
    seen = {} if seen is None else seen
    good = []
    for r in rows:
        k = key(r)
        if k in seen:
            errors.append(RowError(r.row, "sku", f"duplicate: row {seen[k]} already sets {what}; keep one of the two"))
        else:
            seen[k] = r.row
            good.append(r)
    return good


# --- prices ------------------------------------------------------------------------------------

PRICE_FIELDS = ("sku", "price_list", "price", "retail_price", "currency", "tax_rate")


_SIMPLE_PRICE_KEYS = frozenset(("sku", "price_list", "price", "retail_price"))
_ZERO = Decimal("0")


def _simple_price_row(raw: Any, price_list: str | None):
    """``(sku, list code, values)`` of a row that the full parser would take as it is, else None."""
    if type(raw) is not dict or not raw.keys() <= _SIMPLE_PRICE_KEYS or "price" not in raw:
        return None
    sku, code = raw.get("sku"), raw.get("price_list", price_list)
    if type(sku) is not str or not 0 < len(sku) <= 128 or sku != sku.strip():
        return None
    if type(code) is not str or not 0 < len(code) <= 64 or ("price_list" in raw and code != code.strip()):
        return None
    try:
        values = {"price": _decimal(raw["price"], max_digits=14, places=2, minimum=_ZERO)}
        if "retail_price" in raw:
            retail = raw["retail_price"]
            if retail is not None:
                retail = _decimal(retail, max_digits=14, places=2, minimum=_ZERO)
                if retail < values["price"]:
                    return None  # the full parser says what is wrong
            values["retail_price"] = retail
    except _Bad:
        return None
    return sku, code, values


def prepare_prices(numbered_rows: Iterable[tuple[int, Any]], *, price_list: str | None = None, seen: dict | None = None):
    """Validate price rows ``(row_no, dict)``; returns ``(Prepared, errors)``."""
    errors: list[RowError] = []
    rows: list[_Row] = []
    for row_no, raw in numbered_rows:
        simple = _simple_price_row(raw, price_list)
        if simple is not None:  # the common row, checked without the general parser
            rows.append(_Row(row_no, simple[0], simple[2], list_code=simple[1]))
            continue
        p = _RowParser(row_no, raw, PRICE_FIELDS, errors)
        if not p.raw and not p.ok:
            continue
        sku = p.get("sku", lambda v: _text(v, 128, required=True), required=True)
        code = p.get("price_list", lambda v: _text(v, 64, required=True), default=price_list or _MISSING)
        if code is _MISSING and "price_list" not in p.raw:
            p.fail("price_list", "is required (the code of a price list)")
        values: dict[str, Any] = {}
        price = p.get("price", lambda v: _decimal(v, max_digits=14, places=2, minimum=Decimal("0")), required=True)
        values["price"] = price
        retail = p.get("retail_price", lambda v: _decimal(v, max_digits=14, places=2, minimum=Decimal("0")), nullable=True)
        if retail is not _MISSING:
            values["retail_price"] = retail
            if retail is not None and isinstance(price, Decimal) and retail < price:
                p.fail("retail_price", f"must be at least the price ({price}), got {retail}")
        currency = p.get("currency", _currency)
        if currency is not _MISSING:
            values["currency"] = currency
        tax = p.get("tax_rate", lambda v: _decimal(v, max_digits=5, places=2, minimum=Decimal("0"), maximum=Decimal("100")))
        if tax is not _MISSING:
            values["tax_rate"] = tax
        if p.ok:
            rows.append(_Row(row_no, sku, values, list_code=code))
    rows = _resolve_lists(rows, PriceList, "price_list", errors)
    rows = _resolve_skus(rows, errors)
    rows = _dedupe(rows, lambda r: (r.list_id, r.product_id), errors, seen, "this SKU in this price list")
    return Prepared("prices", rows), errors


def write_prices(prepared: Prepared) -> Counts:
    """Like :func:`write_stocks`: plain tuples in, one prepared UPDATE, marked in bulk."""
    from mpdash.integration.change_tracking import marked_in_bulk

    counts = Counts()
    now = timezone.now()
    currencies = dict(PriceList.objects.filter(id__in={r.list_id for r in prepared.rows}).values_list("id", "currency"))
    by_list: dict[int, list[_Row]] = defaultdict(list)
    for r in prepared.rows:
        by_list[r.list_id].append(r)
    connection = connections[router.db_for_write(ProductPrice)]
    columns = ("price", "retail_price", "currency", "tax_rate")
    fields = [ProductPrice._meta.get_field(c) for c in columns]
    stamp = ProductPrice._meta.get_field("modified_at").get_db_prep_save(now, connection)
    for list_id, rows in by_list.items():
        existing: dict[int, tuple] = {}
        for chunk in _chunks([r.product_id for r in rows], KEYS_CHUNK):
            existing.update(
                (found[0], found[1:])
                for found in among(ProductPrice.objects.filter(price_list_id=list_id), "product_id", chunk).values_list(
                    "product_id", "id", *columns
                )
            )
        to_create, to_update = [], []
        for r in rows:
            found = existing.get(r.product_id)
            if found is None:
                values = {"currency": currencies[list_id], "tax_rate": DEFAULT_TAX_RATE, "retail_price": None, **r.values}
                to_create.append(ProductPrice(price_list_id=list_id, product_id=r.product_id, **values))
                continue
            old = dict(zip(columns, found[1:]))
            new = {**old, **r.values}
            if new == old:
                counts.unchanged += 1
                continue
            # Plain values: both backends bind Decimal and text as they are.
            to_update.append([new[c] for c in columns] + [stamp, found[0]])
        ProductPrice.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
        if to_update:
            table = connection.ops.quote_name(ProductPrice._meta.db_table)
            sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
            with marked_in_bulk("productprice") as mark, connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # One statement over arrays instead of a round trip per row.
                    types = [f.db_type(connection) for f in fields]
                    arrays = ", ".join(f"%s::{t}[]" for t in types)
                    assign = ", ".join(f"{connection.ops.quote_name(f.column)} = v.{f.column}" for f in fields)
                    cursor.execute(
                        f"UPDATE {table} AS r SET {assign}, modified_at = %s FROM unnest({arrays}, %s::bigint[])"
                        f" AS v({', '.join(f.column for f in fields)}, id) WHERE r.id = v.id",
                        [stamp, *([row[i] for row in to_update] for i in range(len(fields))), [row[-1] for row in to_update]],
                    )
                else:
                    cursor.executemany(f"UPDATE {table} SET {sets}, modified_at = %s WHERE id = %s", to_update)
                mark([row[-1] for row in to_update])
        counts.created += len(to_create)
        counts.updated += len(to_update)
        if to_create or to_update:
            _notify_on_commit("productprice", list_id, len(to_create) + len(to_update))
    return counts


def _bulk_update(model, objs: list, field_names: list[str]) -> None:
    """``UPDATE … WHERE id = %s`` run with executemany: linear in the number of rows.

    (``QuerySet.bulk_update`` builds one CASE per column whose size grows with the batch,
    which makes 10,000 rows take seconds on SQLite.) Change tracking triggers fire as for
    any UPDATE.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in field_names]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, WRITE_BATCH * 4):
            cursor.executemany(
                sql, [[f.get_db_prep_save(getattr(o, f.attname), connection) for f in fields] + [o.pk] for o in chunk]
            )


def _apply(obj, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _notify_on_commit(kind: str, list_id: int, changed: int | None = None) -> None:
    from mpdash.integration.dispatch import notify_list_changed

    transaction.on_commit(partial(notify_list_changed, kind, list_id, changed), robust=True)


# --- stocks ------------------------------------------------------------------------------------

STOCK_FIELDS = ("sku", "stock_list", "quantity", "extra", "maximumPurchasableQuantity")


_SIMPLE_STOCK_KEYS = frozenset(("sku", "stock_list", "quantity"))


def _simple_stock_row(raw: Any, stock_list: str | None):
    """``(sku, list code, quantity)`` of a row that the full parser would take as it is (sku
    and list code clean text within their lengths, quantity a whole number ≥ 0, as JSON or
    CSV digits), else None: the full parser then checks it and names what is wrong."""
    if type(raw) is not dict or not raw.keys() <= _SIMPLE_STOCK_KEYS:
        return None
    sku, quantity = raw.get("sku"), raw.get("quantity")
    code = raw.get("stock_list", stock_list)
    if type(sku) is not str or not 0 < len(sku) <= 128 or sku != sku.strip():
        return None
    if type(code) is not str or not 0 < len(code) <= 64 or ("stock_list" in raw and code != code.strip()):
        return None
    if type(quantity) is str and quantity.isascii() and quantity.isdigit():
        quantity = int(quantity)
    if type(quantity) is not int or quantity < 0:
        return None
    return sku, code, quantity


def prepare_stocks(numbered_rows: Iterable[tuple[int, Any]], *, stock_list: str | None = None, seen: dict | None = None):
    """Validate stock rows ``(row_no, dict)``; returns ``(Prepared, errors)``.

    ``extra`` replaces the stored object; ``maximumPurchasableQuantity`` sets that one key.
    """
    errors: list[RowError] = []
    rows: list[_Row] = []
    for row_no, raw in numbered_rows:
        simple = _simple_stock_row(raw, stock_list)
        if simple is not None:  # the common row, checked without the general parser
            rows.append(_Row(row_no, simple[0], {"quantity": simple[2]}, list_code=simple[1]))
            continue
        p = _RowParser(row_no, raw, STOCK_FIELDS, errors)
        if not p.raw and not p.ok:
            continue
        sku = p.get("sku", lambda v: _text(v, 128, required=True), required=True)
        code = p.get("stock_list", lambda v: _text(v, 64, required=True), default=stock_list or _MISSING)
        if code is _MISSING and "stock_list" not in p.raw:
            p.fail("stock_list", "is required (the code of a stock list)")
        values: dict[str, Any] = {"quantity": p.get("quantity", _int, required=True)}
        extra = p.get("extra", _json_object)
        if extra is not _MISSING:
            values["extra"] = extra
        patch = None
        mpq = p.get("maximumPurchasableQuantity", _int, nullable=True)
        if mpq is not _MISSING:
            patch = {"maximumPurchasableQuantity": mpq}
        if p.ok:
            rows.append(_Row(row_no, sku, values, list_code=code, extra_patch=patch))
    rows = _resolve_lists(rows, StockList, "stock_list", errors)
    rows = _resolve_skus(rows, errors)
    rows = _dedupe(rows, lambda r: (r.list_id, r.product_id), errors, seen, "this SKU in this stock list")
    return Prepared("stocks", rows), errors


def _patched_extra(base: dict, patch: dict | None) -> dict:
    if not patch:
        return base
    out = dict(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def write_stocks(prepared: Prepared) -> Counts:
    """Insert new stock rows, update changed ones: existing rows are read as plain tuples
    and changed ones updated with one prepared statement, marked pending in bulk
    (``change_tracking.marked_in_bulk``) rather than by a trigger per row."""
    from mpdash.integration.change_tracking import marked_in_bulk

    counts = Counts()
    now = timezone.now()
    by_list: dict[int, list[_Row]] = defaultdict(list)
    for r in prepared.rows:
        by_list[r.list_id].append(r)
    connection = connections[router.db_for_write(ProductStock)]
    extra_field = ProductStock._meta.get_field("extra")
    stamp = ProductStock._meta.get_field("modified_at").get_db_prep_save(now, connection)
    for list_id, rows in by_list.items():
        existing: dict[int, tuple] = {}
        for chunk in _chunks([r.product_id for r in rows], KEYS_CHUNK):
            existing.update(
                (pid, (pk, quantity))
                for pid, pk, quantity in among(ProductStock.objects.filter(stock_list_id=list_id), "product_id", chunk).values_list(
                    "product_id", "id", "quantity"
                )
            )
        # ``extra`` is read only for the rows that set it (decoding JSON per row is costly).
        extras: dict[int, dict] = {}
        for chunk in _chunks([r.product_id for r in rows if "extra" in r.values or r.extra_patch], KEYS_CHUNK):
            extras.update(among(ProductStock.objects.filter(stock_list_id=list_id), "product_id", chunk).values_list("product_id", "extra"))
        to_create, quantity_only, with_extra = [], [], []
        for r in rows:
            found = existing.get(r.product_id)
            values = r.values
            if found is None:
                extra = _patched_extra(values.get("extra", {}), r.extra_patch)
                to_create.append(ProductStock(stock_list_id=list_id, product_id=r.product_id, quantity=values["quantity"], extra=extra))
                continue
            pk, quantity = found
            old_extra = extra = extras.get(r.product_id)
            if "extra" in values or r.extra_patch:
                extra = _patched_extra(values.get("extra", old_extra or {}), r.extra_patch)
            if extra != old_extra:
                with_extra.append((values["quantity"], extra_field.get_db_prep_save(extra, connection), stamp, pk))
            elif values["quantity"] != quantity:
                quantity_only.append((values["quantity"], stamp, pk))
            else:
                counts.unchanged += 1
        ProductStock.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
        if quantity_only or with_extra:
            with marked_in_bulk("productstock") as mark, connection.cursor() as cursor:
                table = connection.ops.quote_name(ProductStock._meta.db_table)
                if quantity_only and connection.vendor == "postgresql":
                    # One statement over arrays instead of a round trip per row.
                    cursor.execute(
                        f"UPDATE {table} AS r SET quantity = v.quantity, modified_at = %s"
                        " FROM unnest(%s::bigint[], %s::integer[]) AS v(id, quantity) WHERE r.id = v.id",
                        [stamp, [row[2] for row in quantity_only], [row[0] for row in quantity_only]],
                    )
                elif quantity_only:
                    cursor.executemany(f"UPDATE {table} SET quantity = %s, modified_at = %s WHERE id = %s", quantity_only)
                if with_extra:
                    cursor.executemany(f"UPDATE {table} SET quantity = %s, extra = %s, modified_at = %s WHERE id = %s", with_extra)
                mark([row[-1] for row in quantity_only] + [row[-1] for row in with_extra])
        changed = len(to_create) + len(quantity_only) + len(with_extra)
        counts.created += len(to_create)
        counts.updated += len(quantity_only) + len(with_extra)
        if changed:
            _notify_on_commit("productstock", list_id, changed)
    return counts


# --- products ----------------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "sku", "name", "base_code", "description", "product_type", "is_active", "category", "images", "attributes",
)
_PRODUCT_TYPES = tuple(Product.ProductType.values)


def _product_type(value: Any) -> str:
    raw = _text(value, 16, required=True).lower()
    if raw not in _PRODUCT_TYPES:
        raise _Bad(f"must be one of {', '.join(_PRODUCT_TYPES)}, got {value!r}")
    return raw


def prepare_products(
    numbered_rows: Iterable[tuple[int, Any]],
    *,
    create_categories: bool = False,
    catalog: str | None = None,
    seen: dict | None = None,
):
    """Validate product rows ``(row_no, dict)``; returns ``(Prepared, errors)``.

    ``category`` is a category code; unknown codes are errors unless ``create_categories``.
    """
    errors: list[RowError] = []
    rows: list[_Row] = []
    catalog_id = None
    if catalog:
        catalog_id = Catalog.objects.filter(code=catalog).values_list("id", flat=True).first()
        if catalog_id is None:
            return Prepared("products", []), [RowError(None, "catalog", f"no catalog with code {catalog!r}")]
    for row_no, raw in numbered_rows:
        p = _RowParser(row_no, raw, PRODUCT_FIELDS, errors)
        if not p.raw and not p.ok:
            continue
        sku = p.get("sku", lambda v: _text(v, 128, required=True), required=True)
        values: dict[str, Any] = {}
        for key, parse in (
            ("name", lambda v: _text(v, 512, required=True)),
            ("base_code", lambda v: _text(v, 128)),
            ("description", lambda v: _text(v, 1_000_000)),
            ("product_type", _product_type),
            ("is_active", _bool),
            ("images", _images),
            ("attributes", _json_object),
        ):
            value = p.get(key, parse)
            if value is not _MISSING:
                values[key] = value
        category = p.get("category", lambda v: _text(v, 128, required=True), nullable=True)
        if p.ok:
            rows.append(_Row(row_no, sku, values, category_code=category))
    # Categories named by code must exist, unless the caller creates them.
    if not create_categories:
        codes = {r.category_code for r in rows if isinstance(r.category_code, str)}
        known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        kept = []
        for r in rows:
            if isinstance(r.category_code, str) and r.category_code not in known:
                errors.append(RowError(r.row, "category", f"no category with code {r.category_code!r}"))
            else:
                kept.append(r)
        rows = kept
    rows = _dedupe(rows, lambda r: r.sku, errors, seen, "this SKU")
    ids = _ids_by(Product, "sku", (r.sku for r in rows))
    kept = []
    for r in rows:
        r.product_id = ids.get(r.sku)
        if r.product_id is None and "name" not in r.values:
            errors.append(RowError(r.row, "name", "is required for a new product (this SKU is not in the catalog yet)"))
        else:
            kept.append(r)
    return Prepared("products", kept, create_categories=create_categories, catalog_id=catalog_id), errors


def _category_ids(codes: set[str], create: bool) -> dict[str, int]:
    ids = _ids_by(Category, "code", codes)
    missing = codes - set(ids)
    if missing and create:
        Category.objects.bulk_create([Category(code=c, name=c) for c in sorted(missing)], batch_size=WRITE_BATCH, ignore_conflicts=True)
        ids.update(_ids_by(Category, "code", missing))
    return ids


def write_products(prepared: Prepared) -> Counts:
    counts = Counts()
    now = timezone.now()
    rows = prepared.rows
    codes = {r.category_code for r in rows if isinstance(r.category_code, str)}
    categories = _category_ids(codes, prepared.create_categories) if codes else {}
    existing: dict[str, Product] = {}
    for chunk in _chunks([r.sku for r in rows if r.product_id is not None], LOOKUP_CHUNK):
        existing.update((o.sku, o) for o in Product.objects.filter(sku__in=chunk))
    to_create, to_update = [], []
    for r in rows:
        values = dict(r.values)
        if r.category_code is not _MISSING:
            values["category_id"] = categories[r.category_code] if r.category_code is not None else None
        obj = existing.get(r.sku)
        if obj is None:
            to_create.append(Product(sku=r.sku, **values))
        elif _apply(obj, values):
            obj.modified_at = now
            to_update.append(obj)
        else:
            counts.unchanged += 1
    Product.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
    _bulk_update(
        Product,
        to_update,
        ["name", "base_code", "description", "product_type", "is_active", "attributes", "category", "images", "modified_at"],
    )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return counts


# --- catalog items -------------------------------------------------------------------------------

CATALOG_ITEM_FIELDS = ("catalog", "sku")


def prepare_catalog_items(numbered_rows: Iterable[tuple[int, Any]], *, catalog: str | None = None, seen: dict | None = None):
    errors: list[RowError] = []
    rows: list[_Row] = []
    for row_no, raw in numbered_rows:
        p = _RowParser(row_no, raw, CATALOG_ITEM_FIELDS, errors)
        if not p.raw and not p.ok:
            continue
        sku = p.get("sku", lambda v: _text(v, 128, required=True), required=True)
        code = p.get("catalog", lambda v: _text(v, 64, required=True), default=catalog or _MISSING)
        if code is _MISSING and "catalog" not in p.raw:
            p.fail("catalog", "is required (the code of a catalog)")
        if p.ok:
            rows.append(_Row(row_no, sku, {}, list_code=code))
    rows = _resolve_lists(rows, Catalog, "catalog", errors)
    rows = _resolve_skus(rows, errors)
    rows = _dedupe(rows, lambda r: (r.list_id, r.product_id), errors, seen, "this SKU in this catalog")
    return Prepared("catalog_items", rows), errors


def add_to_catalog(catalog_id: int, product_ids: Iterable[int]) -> Counts:
    """Add products to a catalog; products already in it count as unchanged."""
    counts = Counts()
    product_ids = list(dict.fromkeys(product_ids))
    present: set[int] = set()
    for chunk in _chunks(product_ids, LOOKUP_CHUNK):
        present.update(CatalogItem.objects.filter(catalog_id=catalog_id, product_id__in=chunk).values_list("product_id", flat=True))
    new = [CatalogItem(catalog_id=catalog_id, product_id=pid) for pid in product_ids if pid not in present]
    CatalogItem.objects.bulk_create(new, batch_size=WRITE_BATCH)
    counts.created = len(new)
    counts.unchanged = len(product_ids) - len(new)
    if new:
        # The triggers marked the new items pending for the catalog's channels; make them travel now.
        from mpdash.channels.models import SalesChannel

        for price_list_id, stock_list_id in (
            SalesChannel.objects.filter(catalog_id=catalog_id, is_active=True).values_list("price_list_id", "stock_list_id").distinct()
        ):
            _notify_on_commit("productprice", price_list_id)
            _notify_on_commit("productstock", stock_list_id)
    return counts


def write_catalog_items(prepared: Prepared) -> Counts:
    counts = Counts()
    by_catalog: dict[int, list[int]] = defaultdict(list)
    for r in prepared.rows:
        by_catalog[r.list_id].append(r.product_id)
    for catalog_id, product_ids in by_catalog.items():
        counts.add(add_to_catalog(catalog_id, product_ids))
    return counts


# --- one entry for every kind ------------------------------------------------------------------

_PREPARE = {
    "products": prepare_products,
    "prices": prepare_prices,
    "stocks": prepare_stocks,
    "catalog_items": prepare_catalog_items,
}
_WRITE = {
    "products": write_products,
    "prices": write_prices,
    "stocks": write_stocks,
    "catalog_items": write_catalog_items,
}


def prepare(kind: str, numbered_rows: Iterable[tuple[int, Any]], **options) -> tuple[Prepared, list[RowError]]:
    """Validate rows of ``kind`` (products, prices, stocks, catalog_items)."""
    return _PREPARE[kind](numbered_rows, **options)


def write(prepared: Prepared) -> Counts:
    """Write validated rows; call inside a transaction."""
    return _WRITE[prepared.kind](prepared)


@contextmanager
def collector_paused():
    """Python's cycle collector off for one bulk write: its rows are hundreds of thousands of
    live objects, and each collection of the oldest generation walks all of them again (a
    third of the time of 100,000 rows). The few cycles made meanwhile are collected after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def bulk_upsert(kind: str, rows: list[Any], **options) -> tuple[Counts | None, list[RowError]]:
    """All-or-nothing upsert (the REST API's policy): every row is validated first; with
    any error nothing is written and ``(None, errors)`` comes back, else ``(counts, [])``.
    ``row`` in the errors is the index in ``rows``."""
    with transaction.atomic(), collector_paused():
        prepared, errors = prepare(kind, enumerate(rows), **options)
        if errors:
            errors.sort(key=lambda e: (e.row if e.row is not None else -1))
            return None, errors
        return write(prepared), []


# --- CSV import ----------------------------------------------------------------------------------

KIND_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required columns, optional columns)
    "products": (("sku", "name"), ("base_code", "description", "product_type", "is_active", "category", "images", "attributes")),
    "prices": (("sku", "price"), ("retail_price", "currency", "tax_rate", "price_list")),
    "stocks": (("sku", "quantity"), ("maximumPurchasableQuantity", "stock_list")),
}
_LIST_OPTION = {"prices": ("price_list", "--price-list"), "stocks": ("stock_list", "--stock-list")}


def _read_header(fh) -> tuple[csv.reader, list[str]]:
    first = fh.readline()
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    fh.seek(0)
    reader = csv.reader(fh, delimiter=delimiter)
    header = next(reader, None) or []
    return reader, [h.strip() for h in header]


def _check_header(kind: str, header: list[str], list_option: str | None) -> tuple[list[str], str | None]:
    """Map the header to canonical column names, or explain what is wrong with it."""
    required, optional = KIND_COLUMNS[kind]
    canonical = {c.lower(): c for c in (*required, *optional)}
    columns, unknown, seen, dupes = [], [], set(), []
    for h in header:
        name = canonical.get(h.lower())
        if name is None:
            unknown.append(h or "(empty)")
        elif name in seen:
            dupes.append(name)
        seen.add(name or h)
        columns.append(name or h)
    missing = [c for c in required if c not in seen]
    if kind in _LIST_OPTION:
        col, opt = _LIST_OPTION[kind]
        if col not in seen and not list_option:
            missing.append(f"{col} (or give {opt} CODE)")
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if dupes:
        problems.append(f"column(s) given twice: {', '.join(dupes)}")
    if problems:
        expected = ",".join((*required, *optional))
        return columns, f"{'; '.join(problems)}. The header of a {kind} file is: {expected}. Nothing was imported."
    return columns, None


def _count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return max(sum(1 for _ in fh) - 1, 0)


def import_csv(
    kind: str,
    path: str | Path,
    *,
    price_list: str | None = None,
    stock_list: str | None = None,
    catalog: str | None = None,
    progress: bool = False,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import ``products``, ``prices`` or ``stocks`` from the CSV file at ``path``.

    Good rows land, bad rows are listed (see the module docstring): each chunk of
    ``chunk_size`` rows is validated and written in its own transaction. ``progress``
    shows a tqdm bar on stderr. Returns an :class:`ImportResult`; a problem with the file
    or an option comes back as ``aborted`` with one error, and nothing is written.
    """
    if kind not in KIND_COLUMNS:
        raise ValueError(f"unknown import kind {kind!r}; use one of {', '.join(KIND_COLUMNS)}")
    result = ImportResult(kind=kind)
    path = Path(path)

    def abort(field_name: str, message: str) -> ImportResult:
        result.errors.append(RowError(None, field_name, message))
        result.aborted = True
        return result

    if catalog and kind != "products":
        return abort("--catalog", "applies to products only; add products to a catalog with a products import")
    if price_list and kind != "prices":
        return abort("--price-list", "applies to prices only")
    if stock_list and kind != "stocks":
        return abort("--stock-list", "applies to stocks only")
    for option, model, value in (("--price-list", PriceList, price_list), ("--stock-list", StockList, stock_list), ("--catalog", Catalog, catalog)):
        if value and not model.objects.filter(code=value).exists():
            known = ", ".join(model.objects.order_by("code").values_list("code", flat=True)[:20]) or "none yet"
            return abort(option, f"no {model._meta.verbose_name} with code {value!r} (known: {known})")
    if not path.is_file():
        return abort("file", f"{path} does not exist or is not a file")

    options: dict[str, Any] = {"seen": {}}
    if kind == "products":
        options.update(create_categories=True, catalog=catalog)
    elif kind == "prices":
        options["price_list"] = price_list
    else:
        options["stock_list"] = stock_list

    fh = open(path, newline="", encoding="utf-8-sig")
    try:
        fh.readline()
        fh.seek(0)
    except UnicodeDecodeError:
        fh.close()
        return abort("file", "is not UTF-8 text; save it as 'CSV UTF-8' and try again")
    with fh:
        reader, header = _read_header(fh)
        columns, problem = _check_header(kind, header, price_list or stock_list)
        if problem:
            return abort("header", problem)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=_count_lines(path), unit="rows", desc=f"import {kind}", file=sys.stderr, dynamic_ncols=True)
        try:
            chunk: list[tuple[int, dict[str, Any]]] = []
            line = reader.line_num
            try:
                for record in reader:
                    start, line = line + 1, reader.line_num
                    if not any(cell.strip() for cell in record):
                        continue  # blank line
                    result.rows += 1
                    if len(record) != len(columns):
                        result.errors.append(
                            RowError(start, "row", f"has {len(record)} cells but the header has {len(columns)}; check the delimiters and quotes")
                        )
                        continue
                    row = {c: cell for c, v in zip(columns, record) if (cell := v.strip())}
                    chunk.append((start, row))
                    if len(chunk) >= chunk_size:
                        _import_chunk(kind, chunk, options, result)
                        if bar is not None:
                            bar.update(len(chunk))
                        chunk = []
            except UnicodeDecodeError:
                result.errors.append(RowError(line + 1, "file", "is not UTF-8 text from here on; save the file as 'CSV UTF-8'"))
            except csv.Error as exc:
                result.errors.append(RowError(line + 1, "file", f"cannot be read as CSV: {exc}"))
            if chunk:
                _import_chunk(kind, chunk, options, result)
                if bar is not None:
                    bar.update(len(chunk))
        finally:
            if bar is not None:
                bar.close()
    result.errors.sort(key=lambda e: (e.row if e.row is not None else -1))
    return result


def _import_chunk(kind: str, chunk: list[tuple[int, dict[str, Any]]], options: dict[str, Any], result: ImportResult) -> None:
    with transaction.atomic(), collector_paused():
        prepared, errors = prepare(kind, chunk, **options)
        result.errors.extend(errors)
        result.add(write(prepared))
        if kind == "products" and prepared.catalog_id:
            ids = _ids_by(Product, "sku", (r.sku for r in prepared.rows))
            result.catalog_added += add_to_catalog(prepared.catalog_id, ids.values()).created
