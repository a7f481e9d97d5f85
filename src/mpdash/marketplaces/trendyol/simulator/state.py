"""The in-memory marketplace behind the Trendyol simulator.

Holds the options, the seller's products, the accepted batch requests and the approval
queue, and (:class:`OrderBook`) the shipment packages, claims and the shopper. Work is done
lazily and in order: every request (and every inspection) first carries out what has fallen
due, in time order: batches in the order they were accepted, each ``processing_delay``
seconds after acceptance, and product approvals ``approval_delay`` seconds after a create or
update was processed; then the shopper's orders (``order_rate`` per second, each placed at
the instant it fell due) and the package events (Awaiting -> Created after
``awaiting_delay``, the new packages of unsupplied, cancelled or split ones after
``repack_delay``). Results carry the logical time they fell due, so nothing depends on how
often the simulator is asked.
Time is simkit's lazy clock: every public method works inside ``with self.current()``.
Standard library only; every public method is thread-safe. The HTTP side lives in :mod:`.api`,
the order side in :mod:`.orders`.

Trendyol does not publish its failure texts; the ones here are ours, in Trendyol's
Turkish, and each names the field (``barcode``, ``listPrice``, ``attributeId``…) so that a
person can fix the product.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ...simkit import Approvals, Batch, BatchQueue, ListingStore, OptionSet, SimState, blank, is_int, is_number
from ...simkit import options as opt
from ...simkit.paging import numbered_page
from ..catalog_data import CatalogData, catalog
from ..config import (
    BARCODE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    DUPLICATE_MESSAGE,
    DUPLICATE_WINDOW_SECONDS,
    MAX_IMAGES,
    MAX_ITEMS_PER_REQUEST,
    MAX_RESULT_WINDOW,
    MAX_STOCK,
    ORDER_WINDOW_DAYS,
    LISTING_TIERS,
    PRICE_UPDATES_PER_BARCODE,
    RATE_LIMIT_SECONDS,
    TITLE_MAX_LENGTH,
    VAT_RATES,
)
from .errors import Refused
from .orders import OrderBook


CREATE = "ProductV2OnBoarding"
UPDATE = "ProductV2Update"
INVENTORY = "ProductInventoryUpdate"
ARCHIVE = "ProductArchiveUpdate"
DELETE = "ProductDeletion"
# guess: the batchRequestType Trendyol reports for content-bulk-update is not published.
CONTENT_UPDATE = "ProductV2ContentUpdate"
VARIANT_UPDATE = "ProductV2VariantUpdate"  # guess, like the one above
DELIVERY_UPDATE = "ProductV2DeliveryUpdate"  # guess, like the one above

OPTIONS = OptionSet(
    **opt.common(),
    seller_id=opt.text("123456", digits=True),
    api_key=opt.text("demo-api-key"),
    api_secret=opt.text("demo-api-secret"),
    # "documented": Trendyol's budgets at listing_tier (see api.SellerApi.rate_window); a number:
    # that many requests per rate_window seconds per seller and service group; 0/None = off
    rate_limit=opt.Option("documented", lambda v: v if v == "documented" else opt.limit(None).check(v)),
    rate_window=opt.number(float(RATE_LIMIT_SECONDS), positive=True),
    listing_tier=opt.Option(LISTING_TIERS[0], lambda v: LISTING_TIERS[LISTING_TIERS.index(str(v))]),
    price_updates_per_barcode=opt.limit(PRICE_UPDATES_PER_BARCODE),  # per minute; 0/None = off
    max_items_per_request=opt.whole(MAX_ITEMS_PER_REQUEST),
    max_images=opt.whole(MAX_IMAGES),
    # Largest request body. Trendyol documents none; 10 MiB is our guess (a gateway-style 413).
    max_body_bytes=opt.whole(10 * 1024 * 1024),
    duplicate_window=opt.number(float(DUPLICATE_WINDOW_SECONDS)),  # 0 switches the 15-minute rule off
    batch_retention=opt.number(4 * 3600.0),  # Trendyol keeps batch results for 4 hours
    archive_min_age=opt.number(24 * 3600.0),  # approved products can be deleted after a day in the archive
    # --- order side
    order_rate=opt.number(0.0),  # orders per second the shopper places (from approved, in-stock products); 0 = off
    awaiting_delay=opt.number(0.0),  # seconds a new package stays Awaiting before it becomes Created; 0 = at once
    repack_delay=opt.number(1.0),  # seconds until the new package(s) of an unsupplied, cancelled or split one appear
    shopper_seed=opt.seed(7),  # seed of the made-up customers, addresses and the shopper's choices
    max_result_window=opt.whole(MAX_RESULT_WINDOW),  # records one getShipmentPackages query reaches (page * size below it)
    # the longest date span of the stream (documented) and of getShipmentPackages (guess: the same); 0 = off
    max_order_window_days=opt.number(float(ORDER_WINDOW_DAYS)),
)

_BARCODE_RE = re.compile(r"^[0-9A-Za-zÇĞİÖŞÜçğıöşü._-]+$")
_STOCK_FIELDS = ("quantity", "salePrice", "listPrice")
_HISTORY_NAMES = {"quantity": "stock", "salePrice": "price", "listPrice": "list_price"}
# Fields a create item must carry (the v2 OpenAPI ``required`` list).
_REQUIRED_CREATE = ("barcode", "title", "productMainId", "brandId", "categoryId", "quantity", "stockCode",
                    "dimensionalWeight", "description", "listPrice", "salePrice", "vatRate", "images")
# Fields unapproved-bulk-update may change (everything but the barcode).
_UPDATABLE = ("title", "description", "productMainId", "brandId", "categoryId", "stockCode", "origin",
              "dimensionalWeight", "vatRate", "deliveryOption", "deliveryDuration", "lotNumber", "cargoProviders",
              "shipmentAddressId", "returningAddressId", "images", "attributes")
# Fields content-bulk-update changes on an approved product (partial: only those sent; the
# attributes, when sent, replace the whole list). Trendyol: "barcode, productMainId, brandId,
# categoryId and slicer/varianter attribute values cannot be updated" on approved products.
_CONTENT_UPDATABLE = ("title", "description", "images", "attributes")
_CONTENT_FIXED = ("barcode", "productMainId", "brandId", "categoryId")
# guess: fields of other services (stock/price, variant, delivery) are refused per item rather
# than ignored, so that a client sending them notices.
_CONTENT_FOREIGN = ("quantity", "salePrice", "listPrice", "stockCode", "vatRate", "dimensionalWeight",
                    "currencyType", "cargoCompanyId", "deliveryOption", "deliveryDuration", "shipmentAddressId",
                    "returningAddressId", "origin", "lotNumber")
# What variant-bulk-update and delivery-info-bulk-update change on an approved product, by
# barcode (developers.trendyol.com/docs/ürün-güncelleme-onaylı-ürün-v2, checked 2026-12-07).
_APPROVED_UPDATABLE = {VARIANT_UPDATE: ("stockCode", "vatRate", "shipmentAddressId", "returningAddressId",
                                        "dimensionalWeight", "lotNumber", "locationBasedDelivery"),
                       DELIVERY_UPDATE: ("deliveryOptions",)}
_FAST_DELIVERY_TYPES = ("SAME_DAY_SHIPPING", "FAST_DELIVERY")
_PUBLIC_HIDDEN = ("_internal",)
_NO_BARCODE = ["Zorunlu alan eksik: barcode"]  # simulator bookkeeping kept inside a product


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def batch_answer(batch: Batch) -> dict[str, Any]:
    """``GET …/batch-requests/{id}``, shaped like Trendyol's."""
    created = int(batch.accepted_at * 1000)
    if batch.results is None:
        items = []
        if batch.kind == INVENTORY:
            # No batch status for stock/price batches (documented); while they wait their
            # items say IN_PROGRESS (Trendyol uses that item status elsewhere; a guess here).
            items = [{"requestItem": _inventory_echo(i, batch.accepted_at), "status": "IN_PROGRESS",
                      "failureReasons": []} for i in batch.items]
        failed = 0
    else:
        items = copy.deepcopy(batch.results)
        failed = sum(1 for r in batch.results if r["status"] != "SUCCESS")
    answer: dict[str, Any] = {"batchRequestId": batch.id, "items": items}
    if batch.kind != INVENTORY:
        answer["status"] = "COMPLETED" if batch.results is not None else "IN_PROGRESS"
    answer.update({
        "creationDate": created,
        "lastModification": int((batch.processed_at or batch.accepted_at) * 1000),
        "sourceType": "API",
        "itemCount": len(batch.items),
        "failedItemCount": failed,
        "batchRequestType": batch.kind,
        "notes": None,
    })
    return answer


def _inventory_echo(item: dict[str, Any], accepted_at: float) -> dict[str, Any]:
    echo = {k: item[k] for k in ("barcode", *_STOCK_FIELDS) if k in item}
    echo["updateRequestDate"] = _iso(accepted_at)
    return echo


@dataclass
class _Meta:
    """What the simulator knows about a product beyond what Trendyol shows."""

    archived_at: float | None = None


class SimulatorState(OrderBook, SimState):
    """Products, batches, approvals, history and counters of the simulated seller; its
    packages and claims come from :class:`OrderBook`."""

    OPTIONS = OPTIONS

    def __init__(self, options: dict[str, Any] | None = None, clock=None):
        self.catalog: CatalogData = catalog()
        self._brand_names = dict(self.catalog.brands)
        super().__init__(options, clock)

    def clear(self) -> None:
        super().clear()
        self._products = ListingStore(key_name="barcode", batch_name="batch_request_id")  # by barcode
        self._meta: dict[str, _Meta] = {}
        self.batches = BatchQueue(self.timeline, "batch", self._process,
                                  retention=lambda: self._options["batch_retention"])
        self._approvals = Approvals(self.timeline, "approve", self._settle_approval)  # marks: (reason, detail)
        self._recent_inventory: OrderedDict[str, float] = OrderedDict()  # body -> accepted (clock instant)
        self._content_id = 10_000_000
        self._clear_orders()

    def configured(self, clean: dict[str, Any]) -> None:
        self._orders_configured(clean)

    @property
    def batches_total(self) -> int:
        return self.batches.total

    def wait_until_idle(self, timeout: float, approvals: bool = False) -> bool:
        """Block until every accepted batch (and, with ``approvals``, every pending approval)
        is carried out; False if ``timeout`` passed first."""
        kinds = ("batch", "approve") if approvals else ("batch",)
        return self.wait_until(lambda: not self.timeline.pending(kinds), lambda: self.timeline.last_due(kinds), timeout)

    # --- reference data -----------------------------------------------------------------
    def category_tree(self) -> dict[str, Any]:
        return {"categories": self.catalog.tree()}

    def category_attributes(self, category_id: int) -> dict[str, Any]:
        category = self.catalog.categories.get(category_id)
        if category is None:
            raise Refused(404, "category.not.found", f"Kategori bulunamadı (categoryId: {category_id})")
        if not category.is_leaf:
            raise Refused(400, "category.not.leaf",
                          f"Kategori en alt seviyede değil (categoryId: {category_id}, {category.name}); "
                          "özellikler yalnızca alt kategorisi olmayan kategoriler için listelenir")
        return {
            "id": category.id, "name": category.name, "displayName": category.name,
            "categoryAttributes": [
                {"allowCustom": rule.allow_custom,
                 "attribute": {"id": rule.attribute_id, "name": self.catalog.attribute_names[rule.attribute_id]},
                 "categoryId": category.id, "required": rule.required, "varianter": rule.varianter,
                 "slicer": rule.slicer, "allowMultipleAttributeValues": rule.allow_multiple}
                for rule in self.catalog.attributes[category.id]
            ],
        }

    def attribute_values(self, category_id: int, attribute_id: int, page: int, size: int) -> dict[str, Any]:
        self.category_attributes(category_id)  # 404 / 400 like above
        if attribute_id not in {r.attribute_id for r in self.catalog.attributes[category_id]}:
            raise Refused(404, "attribute.not.found",
                          f"Özellik bu kategoride tanımlı değil (categoryId: {category_id}, attributeId: {attribute_id})")
        chunk, totals = numbered_page(self.catalog.values.get(attribute_id, []), page, size)
        return {**totals, "content": [{"attributeValueId": vid, "attributeValueName": name} for vid, name in chunk]}

    def brands_page(self, page: int, size: int) -> dict[str, Any]:
        chunk = self.catalog.brands[page * size:(page + 1) * size]
        return {"brands": [{"id": bid, "name": name} for bid, name in chunk]}

    def brands_by_name(self, name: str) -> list[dict[str, Any]]:
        """Brands whose name contains ``name``, ignoring case (Turkish İ/ı folded). Trendyol's
        own matching rule is undocumented; "contains, any case" is our guess."""
        wanted = _fold(name)
        return [{"id": bid, "name": bname} for bid, bname in self.catalog.brands if wanted in _fold(bname)]

    # --- accepting batches --------------------------------------------------------------
    def accept(self, batch_type: str, seller_id: str, items: list[dict[str, Any]]) -> Batch:
        """Queue a batch behind those accepted before it. Raises :class:`Refused` when refused whole."""
        with self.lock:
            if batch_type == INVENTORY:
                self._check_duplicate(seller_id, items, self.clock.now())
            return self.batches.accept(batch_type, seller_id, items, self._options["processing_delay"],
                                       batch_id=f"{uuid.uuid4()}-{int(self.clock.epoch())}")

    def _check_duplicate(self, seller_id: str, items: list[dict[str, Any]], now: float) -> None:
        window = self._options["duplicate_window"]
        if not window:
            return
        while self._recent_inventory:
            oldest_key, at = next(iter(self._recent_inventory.items()))
            if now - at < window:
                break
            del self._recent_inventory[oldest_key]
        key = seller_id + ":" + json.dumps(items, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        if key in self._recent_inventory:
            raise Refused(400, "price.inventory.duplicate.request", DUPLICATE_MESSAGE)
        self._recent_inventory[key] = now

    def batch_answer(self, seller_id: str, batch_id: str) -> dict[str, Any] | None:
        with self.current():
            batch = self.batches.get(batch_id)
            if batch is None or batch.owner != seller_id:
                return None
            if self.clock.epoch() - batch.accepted_at > self._options["batch_retention"]:
                return None  # Trendyol shows batch results for 4 hours only
            return batch_answer(batch)

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """Everything about one batch, for inspection."""
        with self.current():
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            return {"id": batch.id, "type": batch.kind, "items": copy.deepcopy(batch.items),
                    "results": copy.deepcopy(batch.results), "accepted_at": batch.accepted_at,
                    "processed_at": batch.processed_at}

    # --- processing ---------------------------------------------------------------------
    def _process(self, batch: Batch, at: float) -> list[dict[str, Any]]:
        handler = {CREATE: self._create, UPDATE: self._update, INVENTORY: self._inventory,
                   ARCHIVE: self._archive, DELETE: self._delete, CONTENT_UPDATE: self._content_update,
                   VARIANT_UPDATE: self._approved_update, DELIVERY_UPDATE: self._approved_update}[batch.kind]
        counts: dict[str, int] = {}
        for item in batch.items:
            if batch.kind == CONTENT_UPDATE:
                key = f"content:{item.get('contentId')}" if is_int(item.get("contentId")) else None
            else:
                key = item.get("barcode") if isinstance(item.get("barcode"), str) else None
            if key:
                counts[key] = counts.get(key, 0) + 1
        results = []
        for item in batch.items:
            reasons, echo = handler(batch, item, at, counts)
            result = {"requestItem": echo, "status": "FAILED" if reasons else "SUCCESS", "failureReasons": reasons}
            if batch.kind == ARCHIVE:
                result["batchRequestLogId"] = str(uuid.uuid4())
            results.append(result)
        return results

    def _product_echo(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"product": copy.deepcopy(item), "barcode": item.get("barcode")}

    def _create(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = self._product_echo(item)
        reasons = [f"Zorunlu alan eksik: {name}" for name in _REQUIRED_CREATE if blank(item.get(name))]
        barcode = item.get("barcode")
        if isinstance(barcode, str) and barcode:
            if counts.get(barcode, 0) > 1:
                reasons.append(f"Aynı istekte tekrarlanan barcode: {barcode}")
            if barcode in self._products:
                reasons.append(f"Bu barcode ile kayıtlı bir ürün zaten var: {barcode}")
        reasons += self._check_content(item)
        if not reasons:
            self._store_new(item, at, batch)
        return _unique(reasons), echo

    def _known(self, item: dict[str, Any]) -> tuple[str, dict[str, Any] | None, list[str]]:
        """The item's barcode, its product and, when either is missing, the reason."""
        barcode = item.get("barcode")
        if blank(barcode) or not isinstance(barcode, str):
            return barcode, None, list(_NO_BARCODE)
        product = self._products.get(barcode)
        return barcode, product, [] if product is not None else [f"Ürün bulunamadı (barcode: {barcode})"]

    def _update(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = self._product_echo(item)
        barcode, product, missing = self._known(item)
        if missing:
            return missing, echo
        if product["approved"]:
            return [(f"Onaylı ürün bu servisle güncellenemez (barcode: {barcode}); onaylı ürünler "
                     "content-bulk-update ve variant-bulk-update ile güncellenir")], echo
        if counts.get(barcode, 0) > 1:
            return [f"Aynı istekte tekrarlanan barcode: {barcode}"], echo
        merged = {**self._wire_view(product), **{k: v for k, v in item.items() if k in _UPDATABLE}}
        reasons = [f"Zorunlu alan eksik: {name}" for name in item if name in _UPDATABLE and blank(item[name])
                   and name in _REQUIRED_CREATE]
        reasons += self._check_content(merged)
        if reasons:
            return _unique(reasons), echo
        self._apply_content(product, merged)
        product["rejected"] = False
        product["rejectReasonDetails"] = []
        product["lastUpdateDate"] = int(at * 1000)
        product["version"] += 1
        self._products.record(batch.id, "updated", barcode, None, batch.accepted_at, at)
        self._schedule_approval(barcode, batch)
        return [], echo

    def _content_update(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        """content-bulk-update: an approved product's content, keyed by ``contentId``. Partial
        (only the fields sent change), but ``attributes``, when sent, must hold all of them.
        The change is applied at once and the product stays approved and on sale."""
        echo = {"product": copy.deepcopy(item), "contentId": item.get("contentId")}
        content_id = item.get("contentId")
        if blank(content_id):
            return ["Zorunlu alan eksik: contentId"], echo
        if not is_int(content_id):
            return [f"contentId bir tam sayı olmalıdır: {content_id!r}"], echo
        products = [p for p in self._products.values() if p.get("productContentId") == content_id]
        if not products:
            return [f"Ürün bulunamadı (contentId: {content_id})"], echo
        if counts.get(f"content:{content_id}", 0) > 1:
            return [f"Aynı istekte tekrarlanan contentId: {content_id}"], echo
        if not all(p["approved"] for p in products):
            return [(f"Onaysız ürün bu servisle güncellenemez (contentId: {content_id}); onaysız ürünler "
                     "unapproved-bulk-update ile güncellenir")], echo
        reasons = []
        product = products[0]
        view = self._wire_view(product)
        for name in _CONTENT_FIXED:
            if name in item and item[name] != view.get(name):
                reasons.append(f"Onaylı üründe {name} güncellenemez (contentId: {content_id})")
        for name in _CONTENT_FOREIGN:
            if name in item:
                reasons.append(f"{name} bu servisle güncellenemez (contentId: {content_id}); stok ve fiyat "
                               "price-and-inventory, diğer alanlar variant-bulk-update ile güncellenir")
        changes = {k: item[k] for k in _CONTENT_UPDATABLE if k in item}
        if not changes:
            reasons.append(f"Güncellenecek bir alan gönderilmedi (contentId: {content_id}): title, description, "
                           "images veya attributes")
        reasons += [f"Zorunlu alan eksik: {name}" for name in changes if blank(changes[name])]
        merged = {**view, **changes}
        reasons += self._check_content(merged)
        if "attributes" in changes and isinstance(changes["attributes"], list):
            reasons += self._check_fixed_attributes(product, changes["attributes"])
        if reasons:
            return _unique(reasons), echo
        for target in products:
            self._apply_content(target, changes)
            target["lastUpdateDate"] = int(at * 1000)
            target["version"] += 1
            self._products.record(batch.id, "content_updated", target["barcode"], sorted(changes), batch.accepted_at, at)
        return [], echo

    def _approved_update(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        """variant-bulk-update or delivery-info-bulk-update: an approved product's variant
        fields or delivery options, by barcode; only the fields sent change (guess: the guide
        allows partial items, the reference says otherwise). Fields of other services are refused."""
        echo, fields = self._product_echo(item), _APPROVED_UPDATABLE[batch.kind]
        barcode, product, missing = self._known(item)
        if missing:
            return missing, echo
        if not product["approved"]:
            return [f"Onaysız ürün bu servisle güncellenemez (barcode: {barcode}); unapproved-bulk-update kullanın"], echo
        if counts.get(barcode, 0) > 1:
            return [f"Aynı istekte tekrarlanan barcode: {barcode}"], echo
        reasons = [f"{name} bu servisle güncellenemez (barcode: {barcode})" for name in item
                   if name != "barcode" and name not in fields]
        changes = {k: item[k] for k in fields if k in item}
        if not changes:
            reasons.append(f"Güncellenecek bir alan gönderilmedi (barcode: {barcode}): {', '.join(fields)}")
        options = changes.get("deliveryOptions", {})
        if batch.kind == DELIVERY_UPDATE and changes:
            duration, fast = (options.get(k) if isinstance(options, dict) else None
                              for k in ("deliveryDuration", "fastDeliveryType"))
            if not is_int(duration) or duration < 0:
                reasons.append(f"deliveryOptions.deliveryDuration 0 veya daha büyük bir tam sayı olmalıdır: {duration!r}")
            if fast is not None and (fast not in _FAST_DELIVERY_TYPES or duration != 1):
                reasons.append(f"fastDeliveryType {', '.join(_FAST_DELIVERY_TYPES)} olabilir ve deliveryDuration 1 ister")
            changes = {"deliveryOption": options}
        else:
            reasons += self._check_content({**self._wire_view(product), **changes})
        if reasons:
            return _unique(reasons), echo
        self._apply_content(product, changes)
        product.update({k: changes[k] for k in ("locationBasedDelivery",) if k in changes})
        product["lastUpdateDate"] = int(at * 1000)
        product["version"] += 1
        self._products.record(batch.id, "updated", barcode, sorted(item), batch.accepted_at, at)
        return [], echo

    def _check_fixed_attributes(self, product: dict[str, Any], attributes: list[Any]) -> list[str]:
        """Slicer and varianter values of an approved product cannot change."""
        category_id = product.get("pimCategoryId")
        rules = self.catalog.attributes.get(category_id, []) if is_int(category_id) else []
        fixed = {r.attribute_id for r in rules if r.slicer or r.varianter}

        def values(entries: list[Any]) -> dict[int, tuple]:
            out: dict[int, tuple] = {}
            for entry in entries or []:
                if not isinstance(entry, dict) or entry.get("attributeId") not in fixed:
                    continue
                ids = entry.get("attributeValueIds")
                if ids is None and "attributeValueId" in entry:
                    ids = [entry["attributeValueId"]]
                custom = entry.get("attributeValue", entry.get("customAttributeValue"))
                out[entry["attributeId"]] = (tuple(sorted(ids or [])), custom)
            return out

        old, new = values(product["_internal"]["attributes"]), values(attributes)
        names = self.catalog.attribute_names
        return [f"Onaylı üründe slicer/varianter özellik değeri güncellenemez: {names.get(aid, aid)} (attributeId: {aid})"
                for aid in sorted(fixed) if aid in new and new[aid] != old.get(aid)]

    def _inventory(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = _inventory_echo(item, batch.accepted_at)
        barcode, product, missing = self._known(item)
        if missing:
            return missing, echo
        if not any(name in item for name in _STOCK_FIELDS):
            return ["quantity, salePrice veya listPrice alanlarından en az biri gönderilmelidir"], echo
        reasons = _stock_reasons(item["quantity"]) if "quantity" in item else []
        prices = {name: item[name] for name in ("salePrice", "listPrice") if name in item}
        valid = {name: float(value) for name, value in prices.items() if is_number(value) and value > 0}
        reasons += _price_reasons(valid.get("salePrice", product["salePrice"]),
                                  valid.get("listPrice", product["listPrice"]), prices, compare=bool(valid))
        if reasons:
            return reasons, echo
        for name in _STOCK_FIELDS:
            if name in item:
                value = int(item[name]) if name == "quantity" else float(item[name])
                product[name] = value
                self._products.record(batch.id, _HISTORY_NAMES[name], barcode, value, batch.accepted_at, at)
        product["lastUpdateDate"] = int(at * 1000)
        _refresh_on_sale(product)
        return [], echo

    def _archive(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = {k: item.get(k) for k in ("barcode", "archived")}
        barcode, product, missing = self._known(item)
        if missing == _NO_BARCODE:
            return missing, echo
        if not isinstance(item.get("archived"), bool):
            return [f"archived true veya false olmalıdır (barcode: {barcode})"], echo
        if missing:
            return missing, echo
        archived = item["archived"]
        if product["archived"] != archived:
            product["archived"] = archived
            product["archivedDate"] = int(at * 1000) if archived else None
            self._meta[barcode].archived_at = at if archived else None
            product["lastUpdateDate"] = int(at * 1000)
            self._products.record(batch.id, "archived", barcode, archived, batch.accepted_at, at)
        _refresh_on_sale(product)
        return [], echo

    def _delete(self, batch: Batch, item: dict[str, Any], at: float, counts: dict[str, int]):
        echo = {"barcode": item.get("barcode")}
        barcode, product, missing = self._known(item)
        if missing:
            return missing, echo
        if product["approved"]:
            archived_at = self._meta[barcode].archived_at
            if archived_at is None or at - archived_at < self._options["archive_min_age"]:
                return [f"Onaylı ürünler ancak arşivde bir günden fazla kaldıktan sonra silinebilir (barcode: {barcode})"], echo
        self._remove(barcode)
        self._products.record(batch.id, "deleted", barcode, None, batch.accepted_at, at)
        return [], echo

    # --- product content ----------------------------------------------------------------
    def _check_content(self, item: dict[str, Any]) -> list[str]:
        """Everything wrong with a product's content (create, or the merged result of an update)."""
        reasons: list[str] = []
        options = self._options
        barcode = item.get("barcode")
        if isinstance(barcode, str) and barcode:
            if len(barcode) > BARCODE_MAX_LENGTH:
                reasons.append(f"barcode en fazla {BARCODE_MAX_LENGTH} karakter olabilir: {barcode}")
            if not _BARCODE_RE.match(barcode.replace(" ", "")):
                reasons.append(f"barcode yalnızca harf, rakam ve . - _ karakterlerini içerebilir: {barcode}")
        elif barcode is not None and not isinstance(barcode, str):
            reasons.append("barcode metin olmalıdır")
        title = item.get("title")
        if isinstance(title, str) and len(title) > TITLE_MAX_LENGTH:
            reasons.append(f"title en fazla {TITLE_MAX_LENGTH} karakter olabilir ({len(title)} karakter gönderildi)")
        description = item.get("description")
        if isinstance(description, str) and len(description) > DESCRIPTION_MAX_LENGTH:
            reasons.append(f"description en fazla {DESCRIPTION_MAX_LENGTH} karakter olabilir")
        brand_id = item.get("brandId")
        if brand_id is not None and (not is_int(brand_id) or brand_id not in self._brand_names):
            reasons.append(f"Marka bulunamadı (brandId: {brand_id})")
        category_id = item.get("categoryId")
        category = self.catalog.categories.get(category_id) if is_int(category_id) else None
        if category_id is not None and category is None:
            reasons.append(f"Kategori bulunamadı (categoryId: {category_id})")
        elif category is not None and not category.is_leaf:
            reasons.append(f"Kategori en alt seviyede değil (categoryId: {category_id}, {category.name}); ürünler yalnızca "
                           "alt kategorisi olmayan kategorilere eklenebilir")
        if item.get("quantity") is not None:
            reasons += _stock_reasons(item["quantity"])
        sale, list_price = item.get("salePrice"), item.get("listPrice")
        reasons += _price_reasons(sale, list_price, {k: v for k, v in (("salePrice", sale), ("listPrice", list_price))
                                                     if v is not None})
        vat = item.get("vatRate")
        if vat is not None and (not is_int(vat) or vat not in VAT_RATES):
            reasons.append("KDV alanına (vatRate) 0, 1, 10 veya 20 değerlerinden birisini girebilirsiniz! "
                           f"Gönderilen: {vat!r}")
        weight = item.get("dimensionalWeight")
        if weight is not None and (not is_number(weight) or weight < 0):
            reasons.append(f"dimensionalWeight 0 veya daha büyük bir sayı olmalıdır: {weight!r}")
        reasons += self._check_images(item.get("images"), options["max_images"])
        if category is not None and category.is_leaf:
            reasons += self._check_attributes(category.id, item.get("attributes"))
        return reasons

    @staticmethod
    def _check_images(images: Any, most: int) -> list[str]:
        if images is None:
            return []
        if not isinstance(images, list):
            return ["images bir liste olmalıdır: [{\"url\": \"https://...\"}]"]
        reasons = []
        if len(images) > most:
            reasons.append(f"En fazla {most} görsel gönderilebilir; {len(images)} görsel gönderildi (images)")
        for number, image in enumerate(images):
            url = image.get("url") if isinstance(image, dict) else None
            if not isinstance(url, str) or not url.startswith("https://"):
                reasons.append(f"Görsel adresi https:// ile başlamalıdır (images[{number}].url)")
        return reasons

    def _check_attributes(self, category_id: int, attributes: Any) -> list[str]:
        rules = {r.attribute_id: r for r in self.catalog.attributes[category_id]}
        names = self.catalog.attribute_names
        if attributes is None:
            attributes = []
        if not isinstance(attributes, list):
            return ["attributes bir liste olmalıdır"]
        reasons: list[str] = []
        given: set[int] = set()
        for entry in attributes:
            if not isinstance(entry, dict) or not is_int(entry.get("attributeId")):
                reasons.append(f"attributeId eksik veya geçersiz: {entry!r}")
                continue
            aid = entry["attributeId"]
            rule = rules.get(aid)
            if rule is None:
                reasons.append(f"Özellik bu kategoride tanımlı değil (attributeId: {aid}, categoryId: {category_id})")
                continue
            name = names[aid]
            ids = entry.get("attributeValueIds")
            if ids is None and "attributeValueId" in entry:  # the singular form Trendyol echoes
                ids = [entry["attributeValueId"]]
            custom = entry.get("attributeValue", entry.get("customAttributeValue"))
            if ids is not None and not isinstance(ids, list):
                reasons.append(f"attributeValueIds bir liste olmalıdır ({name}, attributeId: {aid})")
                continue
            ids = ids or []
            if not ids and blank(custom):
                reasons.append(f"Özellik değeri eksik: {name} (attributeId: {aid})")
                continue
            if len(ids) > 1 and not rule.allow_multiple:
                reasons.append(f"{name} (attributeId: {aid}) birden fazla değer alamaz")
            known = self.catalog.value_ids(aid)
            for vid in ids:
                if not is_int(vid) or vid not in known:
                    reasons.append(f"Geçersiz özellik değeri: {vid!r} değeri {name} (attributeId: {aid}) için tanımlı değil")
            if not blank(custom) and not rule.allow_custom:
                reasons.append(f"{name} (attributeId: {aid}) için serbest değer girilemez; attributeValueIds ile "
                               "tanımlı bir değer seçilmelidir")
            given.add(aid)
        for aid, rule in rules.items():
            if rule.required and aid not in given:
                reasons.append(f"Zorunlu özellik eksik: {names[aid]} (attributeId: {aid})")
        return reasons

    def _stored_attributes(self, attributes: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """Attributes as the product filters show them: one entry per value."""
        out = []
        for entry in attributes or []:
            aid = entry["attributeId"]
            name = self.catalog.attribute_names.get(aid, str(aid))
            ids = entry.get("attributeValueIds")
            if ids is None and "attributeValueId" in entry:
                ids = [entry["attributeValueId"]]
            value_names = dict(self.catalog.values.get(aid, []))
            for vid in ids or []:
                out.append({"attributeId": aid, "attributeName": name, "attributeValueId": vid,
                            "attributeValue": value_names.get(vid)})
            custom = entry.get("attributeValue", entry.get("customAttributeValue"))
            if not blank(custom):
                out.append({"attributeId": aid, "attributeName": name, "attributeValue": custom})
        return out

    def _wire_view(self, product: dict[str, Any]) -> dict[str, Any]:
        """A stored product as the create item it came from (for merging an update)."""
        view = {k: product.get(k) for k in ("barcode", "title", "productMainId", "brandId", "stockCode",
                                             "dimensionalWeight", "description", "vatRate", "quantity", "listPrice",
                                             "salePrice")}
        view["categoryId"] = product.get("pimCategoryId")
        view["images"] = copy.deepcopy(product.get("images") or [])
        view["attributes"] = copy.deepcopy(product["_internal"]["attributes"])
        return view

    def _apply_content(self, product: dict[str, Any], item: dict[str, Any]) -> None:
        for name in ("title", "productMainId", "stockCode", "description", "dimensionalWeight", "vatRate",
                     "currencyType", "cargoCompanyId", "shipmentAddressId", "returningAddressId", "lotNumber", "origin"):
            if name in item:
                product[name] = item[name]
        if "brandId" in item:
            product["brandId"] = item["brandId"]
            product["brand"] = self._brand_names.get(item["brandId"])
        if "categoryId" in item:
            product["pimCategoryId"] = item["categoryId"]
            category = self.catalog.categories.get(item["categoryId"])
            product["categoryName"] = category.name if category else None
        delivery = item.get("deliveryOption") or {}
        if isinstance(delivery, dict) and "deliveryDuration" in delivery:
            product["deliveryDuration"] = delivery["deliveryDuration"]
        elif "deliveryDuration" in item:
            product["deliveryDuration"] = item["deliveryDuration"]
        if "images" in item:
            product["images"] = [{"url": image["url"]} for image in item["images"]]
        if "attributes" in item:
            product["_internal"]["attributes"] = copy.deepcopy(item["attributes"] or [])
            product["attributes"] = self._stored_attributes(item["attributes"])
        self._index_stock_code(product)

    def _store_new(self, item: dict[str, Any], at: float, batch: Batch | None) -> dict[str, Any]:
        barcode = item["barcode"]
        product: dict[str, Any] = {
            "id": uuid.uuid4().hex, "approved": False, "archived": False, "rejected": False, "blacklisted": False,
            "locked": False, "onSale": False, "barcode": barcode, "stockCode": None, "productMainId": None,
            "title": None, "description": None, "brand": None, "brandId": None, "categoryName": None,
            "pimCategoryId": None, "quantity": 0, "salePrice": None, "listPrice": None, "vatRate": None,
            "dimensionalWeight": None, "currencyType": "TRY", "cargoCompanyId": None, "deliveryDuration": None,
            "images": [], "attributes": [], "rejectReasonDetails": [], "productContentId": None,
            "platformListingId": None, "supplierId": int(self._options["seller_id"]), "stockUnitType": "Adet",
            "hasActiveCampaign": False, "archivedDate": None, "createDateTime": int(at * 1000),
            "lastUpdateDate": int(at * 1000), "version": 1, "_internal": {"attributes": []},
        }
        self._products[barcode] = product
        self._meta[barcode] = _Meta()
        self._apply_content(product, item)
        for name in _STOCK_FIELDS:
            if is_number(item.get(name)):
                product[name] = int(item[name]) if name == "quantity" else float(item[name])
        if batch is not None:
            self._products.record(batch.id, "created", barcode, None, batch.accepted_at, at)
            self._schedule_approval(barcode, batch)
        return product

    def _index_stock_code(self, product: dict[str, Any]) -> None:
        barcode = product["barcode"]
        old = product["_internal"].get("indexed_stock_code")
        if old is not None and old != product.get("stockCode"):
            self._products.unalias("stockCode", old, barcode)
        code = product.get("stockCode")
        if code is not None:
            self._products.alias("stockCode", code, barcode)
        product["_internal"]["indexed_stock_code"] = code

    def _remove(self, barcode: str) -> None:
        product = self._products.remove(barcode)
        self._meta.pop(barcode, None)
        self._approvals.cancel(barcode)
        if product.get("stockCode") is not None:
            self._products.unalias("stockCode", product["stockCode"], barcode)

    # --- approval -----------------------------------------------------------------------
    def _schedule_approval(self, barcode: str, batch: Batch) -> None:
        self._approvals.schedule(barcode, batch.due + self._options["approval_delay"])

    def _settle_approval(self, barcode: str, instant: float) -> None:
        product = self._products.get(barcode)
        if product is None or product["approved"]:
            return  # deleted, or already settled
        at = self.clock.epoch(instant)
        marked = self._approvals.take_mark(barcode)
        if marked is not None:
            reason, detail = marked
            product["rejected"] = True
            product["rejectReasonDetails"] = [{"rejectReason": reason, "rejectReasonDetail": detail}]
            self._products.record(None, "rejected", barcode, reason, None, at)
        else:
            self._approve(product)
            product["rejected"] = False
            product["rejectReasonDetails"] = []
            self._products.record(None, "approved", barcode, True, None, at)
        product["lastUpdateDate"] = int(at * 1000)
        _refresh_on_sale(product)

    def _approve(self, product: dict[str, Any]) -> None:
        self._content_id += 1
        product.update(approved=True, productContentId=self._content_id,
                       platformListingId=uuid.uuid5(uuid.NAMESPACE_URL, product["barcode"]).hex)

    def mark_rejection(self, barcode: str, reason: str, detail: str = "") -> None:
        """Reject ``barcode`` when its approval falls due (now, if it is already waiting)."""
        if not isinstance(barcode, str) or not barcode:
            raise ValueError("reject needs a barcode")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("reject needs a reason, e.g. 'Zorunlu Ürün Özellik Değeri Eksik/Yanlış'")
        with self.current():
            product = self._products.get(barcode)
            if product is not None and product["approved"]:
                raise ValueError(f"product {barcode} is already approved; only products awaiting approval can be rejected")
            self._approvals.mark(barcode, (reason.strip(), detail or ""))

    # --- reading products ---------------------------------------------------------------
    def filter_products(self, page: int, size: int, filters: dict[str, Any]) -> dict[str, Any]:
        with self.current():
            if "barcode" in filters:
                candidates = [self._products[filters["barcode"]]] if filters["barcode"] in self._products else []
            elif "stockCode" in filters:
                candidates = [self._products[b] for b in self._products.find("stockCode", filters["stockCode"])]
            else:
                candidates = list(self._products.values())
            flags = {k: v for k, v in filters.items() if k in ("approved", "onSale", "rejected", "archived")}
            if "productMainId" in filters:
                candidates = [p for p in candidates if p.get("productMainId") == filters["productMainId"]]
            if flags:
                candidates = [p for p in candidates if all(p[k] == v for k, v in flags.items())]
            chunk, totals = numbered_page(candidates, page, size)
            return {**totals, "content": [_public(p) for p in chunk]}

    def filter_approved(self, page: int, size: int, filters: dict[str, Any],
                        token: str | None = None) -> dict[str, Any]:
        """filterApprovedProducts v2: approved products grouped by content, each content with
        its variants; ``nextPageToken`` names the following page (our token's contents are
        our own, opaque to the caller, as Trendyol's are)."""
        if token is not None:
            page = _token_page(token)
        answer = self.filter_products(0, 10**9, {**filters, "approved": True})
        contents: dict[Any, dict[str, Any]] = {}
        for product in answer["content"]:
            content = contents.setdefault(product.get("productContentId"), {
                "contentId": product.get("productContentId"), "productMainId": product.get("productMainId"),
                "title": product.get("title"), "brand": {"id": product.get("brandId")},
                "category": {"id": product.get("categoryId")}, "variants": []})
            content["variants"].append({
                "barcode": product["barcode"], "stockCode": product.get("stockCode"),
                "onSale": product.get("onSale"), "archived": product.get("archived"),
                "blacklisted": product.get("blacklisted"), "locked": product.get("locked"),
                "price": {"salePrice": product.get("salePrice"), "listPrice": product.get("listPrice")},
                "stock": {"quantity": product.get("quantity")}})
        chunk, totals = numbered_page(list(contents.values()), page, size)
        following = _page_token(page + 1) if page + 1 < totals["totalPages"] else None
        return {**totals, "nextPageToken": following, "content": chunk}

    def filter_unapproved(self, page: int, size: int, filters: dict[str, Any]) -> dict[str, Any]:
        """filterUnapprovedProducts v2: flat items, products waiting for approval or rejected."""
        return self.filter_products(page, size, {**filters, "approved": False})

    def product(self, barcode: str) -> dict[str, Any] | None:
        with self.current():
            found = self._products.get(barcode)
            return _public(found) if found else None

    def all_products(self) -> list[dict[str, Any]]:
        with self.current():
            return [_public(p) for p in self._products.values()]

    def product_count(self) -> int:
        with self.lock:
            return len(self._products)

    def add_products(self, items: list[dict[str, Any]]) -> int:
        """Create or overwrite products directly (approved unless ``approved`` is false)."""
        if not isinstance(items, list):
            raise ValueError("products must be a list of objects")  # noqa: TRY004 (answered as a 400)
        leaf = self.catalog.leaves()[0]
        brand_id = self.catalog.brands[0][0]
        with self.lock:
            at = self.clock.epoch()
            for raw in items:
                if not isinstance(raw, dict) or not isinstance(raw.get("barcode"), str) or not raw["barcode"]:
                    raise ValueError(f"each product needs a non-empty barcode: {raw!r}")
                barcode = raw["barcode"]
                if barcode in self._products:
                    self._remove(barcode)
                sale = float(raw.get("salePrice", 100.0))
                item = {"barcode": barcode, "title": raw.get("title") or f"Ürün {barcode}",
                        "productMainId": raw.get("productMainId") or barcode, "brandId": raw.get("brandId", brand_id),
                        "categoryId": raw.get("categoryId", leaf), "stockCode": raw.get("stockCode", barcode),
                        "description": raw.get("description") or "", "vatRate": raw.get("vatRate", 20),
                        "dimensionalWeight": raw.get("dimensionalWeight", 1), "quantity": int(raw.get("quantity", 0)),
                        "salePrice": sale, "listPrice": float(raw.get("listPrice", sale)),
                        "images": raw.get("images") or [{"url": f"https://cdn.example.com/{barcode}.jpg"}]}
                item["attributes"] = raw.get("attributes") or self._default_attributes(item["categoryId"])
                product = self._store_new(item, at, None)
                if raw.get("approved", True):
                    self._approve(product)
                if raw.get("rejected"):
                    product["approved"] = False
                    product["rejected"] = True
                    product["rejectReasonDetails"] = [{"rejectReason": str(raw.get("rejectReason") or "Reddedildi"),
                                                       "rejectReasonDetail": ""}]
                if raw.get("archived"):
                    product["archived"] = True
                    product["archivedDate"] = int(at * 1000)
                    self._meta[barcode].archived_at = at - float(raw.get("archivedSecondsAgo", 0))
                _refresh_on_sale(product)
        return len(items)

    def _default_attributes(self, category_id: Any) -> list[dict[str, Any]]:
        """Valid values for a seeded product's required attributes (the first allowed value)."""
        rules = self.catalog.attributes.get(category_id, []) if is_int(category_id) else []
        out = []
        for rule in rules:
            if not rule.required:
                continue
            values = self.catalog.values.get(rule.attribute_id)
            if values:
                out.append({"attributeId": rule.attribute_id, "attributeValueIds": [values[0][0]]})
            else:
                out.append({"attributeId": rule.attribute_id, "attributeValue": "Belirtilmemiş"})
        return out

    # --- history ------------------------------------------------------------------------
    def history(self, barcode: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        with self.current():
            return self._products.history(barcode, start)


def _page_token(page: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"page": page}).encode()).decode()


def _token_page(token: str) -> int:
    try:
        page = json.loads(base64.urlsafe_b64decode(token.encode()))["page"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"nextPageToken geçersiz: {token}") from exc
    if not isinstance(page, int) or page < 0:
        raise ValueError(f"nextPageToken geçersiz: {token}")
    return page


def _public(product: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in product.items() if k not in _PUBLIC_HIDDEN}


def _refresh_on_sale(product: dict[str, Any]) -> None:
    """On sale: approved and not archived, locked or blacklisted (stock 0 stays "on sale",
    just not buyable, as on Trendyol where onSale is the seller's listing state)."""
    product["onSale"] = bool(product["approved"] and not product["archived"] and not product["locked"]
                             and not product["blacklisted"])


def _stock_reasons(quantity: Any) -> list[str]:
    if not is_int(quantity) or quantity < 0:
        return [f"quantity 0 veya daha büyük bir tam sayı olmalıdır: {quantity!r}"]
    return [f"quantity en fazla {MAX_STOCK} olabilir: {quantity}"] if quantity > MAX_STOCK else []


def _price_reasons(sale: Any, list_price: Any, sent: dict[str, Any], *, compare: bool = True) -> list[str]:
    """Each ``sent`` price above 0 and, with ``compare``, the list price not below the sale price."""
    reasons = [f"{name} sıfırdan büyük bir sayı olmalıdır: {value!r}" for name, value in sent.items()
               if not is_number(value) or value <= 0]
    if compare and is_number(sale) and is_number(list_price) and list_price < sale:
        reasons.append(f"listPrice ({_money(list_price)}) salePrice ({_money(sale)}) değerinden küçük olamaz")
    return reasons


def _money(value: float) -> str:
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(value)


def _unique(reasons: list[str]) -> list[str]:
    return list(dict.fromkeys(reasons))


def _fold(text: str) -> str:
    return str(text).replace("İ", "i").replace("I", "ı").lower().replace("ı", "i").strip()
