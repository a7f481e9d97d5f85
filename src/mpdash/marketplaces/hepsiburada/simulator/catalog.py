"""The catalog (mpop) side of the Hepsiburada simulator: imported products, their imports and
update requests, and Hepsiburada's approval.

An import is validated ``processing_delay`` seconds after upload (a simkit batch); a valid
product waits ``approval_delay`` seconds and is then MATCHED (it becomes a listing at once,
under the same lock) or BLOCKED when a control call marked it for rejection.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from typing import Any

from ...simkit import Approvals, Batch, BatchQueue, blank
from .. import catalog_data
from .state import now_iso

WAITING, MATCHED, BLOCKED = "WAITING", "MATCHED", "BLOCKED"
PRODUCT_STATUSES = ("WAITING", "IN_EXTERNAL_PROGRESS", "PRE_MATCHED", "MATCHED", "REJECTED",
                    "MATCHED_WITH_STAGED", "MISSING_INFO", "CREATED", "BLOCKED")
# guess: Hepsiburada's real reasons are free Turkish text written by its content team.
DEFAULT_REJECT_REASON = "Product images do not meet Hepsiburada's content rules"
PHOTO_LIMIT_TEXT = "The number of photos for the products to be sent must not exceed {limit}"  # the setup guide's rule
_IMAGE_KEY = re.compile(r"^image(\d+)$", re.IGNORECASE)


def parse_price(value: Any) -> float | None:
    """A positive amount from a number or a text such as "130,50" / "1.234,50" / "99.9"; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if "," in text and "." in text:  # Turkish thousands separator: 1.234,50
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def parse_stock(value: Any) -> int | None:
    """A whole number >= 0 from a number or a digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer():
        return int(value) if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _image_urls(attributes: dict[str, Any]) -> list[str]:
    numbered = []
    for key, value in attributes.items():
        match = _IMAGE_KEY.match(str(key))
        if match and not blank(value):
            numbered.append((int(match.group(1)), str(value)))
    return [url for _, url in sorted(numbered)]


def _sku_of(raw: Any) -> str | None:
    attrs = raw.get("attributes") if isinstance(raw, dict) else None
    sku = attrs.get("merchantSku") if isinstance(attrs, dict) else None
    if isinstance(sku, bool) or not isinstance(sku, (str, int)) or blank(sku):
        return None
    return str(sku)


def _values_of(value: Any, multi: bool) -> list[str]:
    """The values an attribute entry carries. guess: a multi-value attribute takes a comma-separated text."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if not blank(v)]
    text = str(value).strip()
    return [part.strip() for part in text.split(",") if part.strip()] if multi else [text]


class CatalogState:
    """The catalog half of :class:`SimulatorState` (a mixin: it uses its lock, options and listings)."""

    CATALOG_EVENTS = ("import", "update", "decide")

    def _clear_catalog(self) -> None:
        self._products: dict[str, dict[str, Any]] = {}  # merchantSku -> product
        self._imports = BatchQueue(self.timeline, "import", self._process_import)
        self._updates = BatchQueue(self.timeline, "update", self._process_update)
        self._decisions = Approvals(self.timeline, "decide", self._decide)  # rejection marks: reasons

    def wait_until_catalog_settled(self, timeout: float = 10.0) -> bool:
        """Block until no import, update or approval is pending (or ``timeout`` passes)."""
        kinds = self.CATALOG_EVENTS
        return self.wait_until(lambda: not self.timeline.pending(kinds), lambda: self.timeline.last_due(kinds), timeout)

    # --- imports ----------------------------------------------------------------------
    def accept_import(self, merchant_id: str, items: list[Any], fail_whole: bool = False) -> Batch:
        return self._imports.accept("import", merchant_id, items, self._options["processing_delay"],
                                    fail_whole=fail_whole, created_at=now_iso())

    def _process_import(self, imp: Batch, at: float) -> list[dict[str, Any]]:
        outcomes = []
        seen: set[str] = set()
        for number, raw in enumerate(imp.items, start=1):
            sku = _sku_of(raw)
            duplicate = sku is not None and sku in seen
            if sku is not None:
                seen.add(sku)
            outcome = {"itemOrderID": number, "merchantSku": sku}
            try:
                errors, validation = self._validate_import_item(imp, raw, duplicate)
                if not errors and not validation:
                    self._store_product(imp, raw)
            except Exception as exc:  # a simulator bug must not stop the clock
                errors, validation = [f"Simulator error while validating this product: {exc!r}"], []
            if errors or validation:
                outcome.update(importStatus="FAILED", errors=errors, validation=validation)
            else:
                outcome.update(importStatus="SUCCESS", errors=[], validation=[])
            outcomes.append(outcome)
        return outcomes

    def _validate_import_item(
        self, imp: Batch, raw: Any, duplicate: bool
    ) -> tuple[list[str], list[dict[str, str]]]:
        """(import messages, validation results) that make Hepsiburada refuse one product.

        "<attribute> attribute is required" is the setup guide's text and "<attr> : <value> was
        not defined for <set> attribute set" the channel app's; the photo limit is the guide's
        rule. guess: the wording of the category, price, stock and file-level messages.
        """
        if imp.extra["fail_whole"]:
            return ["Hepsiburada could not process this file (simulated failure); upload it again"], []
        if not isinstance(raw, dict):
            return ["Each element of the file must be a JSON object with categoryId, merchant and attributes"], []
        errors: list[str] = []
        validation: list[dict[str, str]] = []
        attrs = raw.get("attributes")
        if not isinstance(attrs, dict):
            return ["attributes must be a JSON object of attribute id -> value"], []
        sku = _sku_of(raw)
        if str(raw.get("merchant") or "").lower() != imp.owner.lower():
            errors.append(f"merchant {raw.get('merchant')!r} does not match the merchant of these credentials")
        if duplicate:
            errors.append(f"merchantSku {sku} appears more than once in this file")
        existing = self._products.get(sku) if sku is not None else None
        # guess: a product already on sale is changed by the update service, not by importing it again.
        if existing is not None and existing["status"] == MATCHED:
            errors.append(f"merchantSku {sku} is already on sale as {existing['hbSku']}; "
                          "change it with the product update service")
        category_id = raw.get("categoryId")
        node = catalog_data.category(category_id)
        if node is None:
            errors.append(f"Category {category_id} not found")
        elif not node["leaf"]:
            errors.append(f"Category {category_id} ({node['name']}) is not a leaf category; "
                          "products can only be created under leaf categories")
        elif not catalog_data.can_take_products(node):
            errors.append(f"Category {category_id} ({node['name']}) does not accept products "
                          f"(status {node['status']}, available {str(node['available']).lower()}); "
                          "choose a leaf category with status ACTIVE and available true")
        else:
            definition = catalog_data.category_attributes(node["categoryId"]) or {}
            every = [*definition.get("baseAttributes", []), *definition.get("attributes", []),
                     *definition.get("variantAttributes", [])]
            for attribute in every:
                value = attrs.get(attribute["id"])
                if blank(value):
                    if attribute["mandatory"]:
                        validation.append({"attributeName": attribute["id"],
                                           "message": f"{attribute['name']} attribute is required"})
                    continue
                if attribute["type"] != "enum":
                    continue
                allowed = catalog_data.allowed_values(attribute["id"])
                for one in _values_of(value, attribute["multiValue"]):
                    if one not in allowed:
                        validation.append({
                            "attributeName": attribute["id"],
                            "message": f"{attribute['name']} : {one} was not defined for {node['name']} attribute set",
                        })
        images = _image_urls(attrs)
        if len(images) > catalog_data.MAX_IMAGES:
            errors.append(PHOTO_LIMIT_TEXT.format(limit=catalog_data.MAX_IMAGES) + f" ({len(images)} sent)")
        if not blank(attrs.get("price")) and parse_price(attrs["price"]) is None:
            validation.append({"attributeName": "price", "message": f"price: {attrs['price']!r} is not a valid "
                               "price; send a positive amount such as \"130,50\""})
        if not blank(attrs.get("stock")) and parse_stock(attrs["stock"]) is None:
            validation.append({"attributeName": "stock", "message": f"stock: {attrs['stock']!r} is not a valid "
                               "stock; send a whole number of 0 or more"})
        return errors, validation

    def _store_product(self, imp: Batch, raw: dict[str, Any]) -> None:
        """A valid product waits for approval (a re-import replaces a waiting or blocked one)."""
        attrs = raw["attributes"]
        sku = _sku_of(raw)
        node = catalog_data.category(raw["categoryId"])
        previous = self._products.get(sku)
        product = {
            "merchantSku": sku, "merchant": imp.owner, "categoryId": node["categoryId"],
            "categoryName": node["name"], "status": WAITING,
            "hbSku": previous["hbSku"] if previous else None,
            "barcode": attrs.get("Barcode"), "productName": attrs.get("UrunAdi"),
            "description": attrs.get("UrunAciklamasi"), "brand": attrs.get("Marka"),
            "variantGroupId": attrs.get("VaryantGroupID"), "tax": attrs.get("tax_vat_rate"),
            "images": _image_urls(attrs), "attributes": copy.deepcopy(attrs),
            "price": parse_price(attrs.get("price")), "stock": parse_stock(attrs.get("stock")) or 0,
            "rejectReasonsMessages": [], "trackingId": imp.id, "createdAt": now_iso(),
        }
        self._decisions.schedule(sku, imp.due + self._options["approval_delay"])
        self._products[sku] = product

    def _decide(self, sku: str, instant: float) -> None:
        product = self._products.get(sku)
        if product is None or product["status"] != WAITING:
            return  # decided by hand
        reasons = self._decisions.take_mark(sku)
        if reasons is not None:
            self._block(product, reasons)
        else:
            self._match(product)

    def _match(self, product: dict[str, Any]) -> None:
        """Approved: the product gets its hepsiburadaSku and becomes a listing with the imported price and stock."""
        hb_sku = product["hbSku"] or self._next_hb_sku()
        product.update(status=MATCHED, hbSku=hb_sku, rejectReasonsMessages=[])
        self._put_listing({"merchantSku": product["merchantSku"], "hepsiburadaSku": hb_sku,
                           "price": product["price"] or 0.0, "availableStock": product["stock"]})

    @staticmethod
    def _block(product: dict[str, Any], reasons: list[str]) -> None:
        product.update(status=BLOCKED, rejectReasonsMessages=list(reasons) or [DEFAULT_REJECT_REASON])

    def import_status(self, merchant_id: str, tracking_id: str) -> list[dict[str, Any]] | None:
        """The items of ``GET /product/api/products/status/{trackingId}`` (None when unknown)."""
        imp = self._imports.get(tracking_id)
        if imp is None or imp.owner.lower() != merchant_id.lower():
            return None
        if not imp.processed:
            return [self._processing_item(imp, number, raw) for number, raw in enumerate(imp.items, start=1)]
        return [self._import_item(imp, outcome) for outcome in imp.results]

    # guess: before validation the status lists every product with importStatus PROCESSING
    # (the enum has it; whether Hepsiburada lists items that early is undocumented).
    @staticmethod
    def _processing_item(imp: Batch, number: int, raw: Any) -> dict[str, Any]:
        sku = _sku_of(raw)
        return {"itemOrderID": number, "merchant": imp.owner, "merchantSku": sku, "hbSku": None,
                "productStatus": None, "importStatus": "PROCESSING", "importMessages": [],
                "validationResults": [], "rejectReasonsMessages": [], "taskDetails": []}

    def _import_item(self, imp: Batch, outcome: dict[str, Any]) -> dict[str, Any]:
        sku = outcome["merchantSku"]
        item: dict[str, Any] = {
            "itemOrderID": outcome["itemOrderID"], "merchant": imp.owner, "merchantSku": sku,
            "importStatus": outcome["importStatus"], "taskDetails": [],
            "importMessages": [{"severity": "ERROR", "message": text} for text in outcome["errors"]],
            "validationResults": copy.deepcopy(outcome["validation"]),
        }
        product = self._products.get(sku) if outcome["importStatus"] == "SUCCESS" else None
        if product is None:
            item.update(hbSku=None, productStatus=None, rejectReasonsMessages=[])
            return item
        item["importMessages"] = [{"severity": "INFORMATION", "message": "Product received"}]
        item.update(self._product_view(product))
        return item

    @staticmethod
    def _product_view(product: dict[str, Any]) -> dict[str, Any]:
        view = {
            "merchantSku": product["merchantSku"], "barcode": product["barcode"], "hbSku": product["hbSku"],
            "variantGroupId": product["variantGroupId"], "productName": product["productName"],
            "categoryId": product["categoryId"], "productStatus": product["status"],
            "rejectReasonsMessages": list(product["rejectReasonsMessages"]),
            "matchedHbProductInfo": [],
        }
        if product["status"] == MATCHED:
            view["matchedHbProductInfo"] = [{"hbSku": product["hbSku"], "productName": product["productName"],
                                             "brand": product["brand"], "images": list(product["images"]),
                                             "variantTypeAttributes": []}]
        return view

    def check_product_status(self, merchant_id: str, skus: list[str]) -> list[dict[str, str]]:
        """``skuStatusList`` of check-product-status: known skus only (guess: unknown ones are left out)."""
        return [{"merchantSku": sku, "status": self._products[sku]["status"]} for sku in skus
                if sku in self._products and self._products[sku]["merchant"].lower() == merchant_id.lower()]

    def products_by_status(self, merchant_id: str, status: str) -> list[dict[str, Any]]:
        return [{**self._product_view(p), "validationResults": [], "taskDetails": []}
                for p in self._products.values()
                if p["status"] == status and p["merchant"].lower() == merchant_id.lower()]

    # --- product updates (ticket-api) ---------------------------------------------------
    # guess: Hepsiburada reviews update requests (tickets) by hand, which can take days; here
    # they are decided ``processing_delay`` seconds after upload.
    def accept_update(self, merchant_id: str, items: list[Any], fail_whole: bool = False) -> Batch:
        return self._updates.accept("update", merchant_id, items, self._options["processing_delay"],
                                    fail_whole=fail_whole, created_at=now_iso())

    def _process_update(self, request: Batch, at: float) -> list[dict[str, Any]]:
        outcomes = []
        by_hb_sku = {p["hbSku"]: p for p in self._products.values()
                     if p["status"] == MATCHED and p["merchant"].lower() == request.owner.lower()}
        for raw in request.items:
            hb_sku = raw.get("hbSku") if isinstance(raw, dict) else None
            hb_sku = hb_sku if isinstance(hb_sku, str) else None
            outcome: dict[str, Any] = {"hbSku": hb_sku, "message": None, "productStatus": "COMPLETED",
                                       "updateResults": []}
            product = by_hb_sku.get(hb_sku)
            if request.extra["fail_whole"]:
                outcome["message"] = "Hepsiburada could not process this file (simulated failure); upload it again"
            elif product is None:
                outcome["message"] = f"No product with hbSku {hb_sku} is on sale for this merchant"
            else:
                try:
                    outcome["updateResults"] = self._apply_update(product, raw)
                except Exception as exc:  # a simulator bug must not stop the clock
                    outcome["message"] = f"Simulator error while updating this product: {exc!r}"
            outcomes.append(outcome)
        return outcomes

    def _apply_update(self, product: dict[str, Any], raw: dict[str, Any]) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for key, name, field_name in (("productName", "productName", "NAME"),
                                      ("productDescription", "description", "DESCRIPTION")):
            if key in raw:
                if blank(raw[key]):
                    results.append({"fieldName": field_name, "fieldResult": "REJECTED",
                                    "rejectReason": f"{key} cannot be empty"})
                else:
                    product[name] = raw[key]
                    results.append({"fieldName": field_name, "fieldResult": "APPROVED", "rejectReason": None})
        images = _image_urls(raw)
        if images:
            if len(images) > catalog_data.MAX_IMAGES:
                results.append({"fieldName": "MEDIA", "fieldResult": "REJECTED",
                                "rejectReason": PHOTO_LIMIT_TEXT.format(limit=catalog_data.MAX_IMAGES)
                                + f" ({len(images)} sent)"})
            else:
                product["images"] = images
                results.append({"fieldName": "MEDIA", "fieldResult": "APPROVED", "rejectReason": None})
        attrs = raw.get("attributes")
        if isinstance(attrs, dict) and attrs:
            definition = catalog_data.category_attributes(product["categoryId"]) or {}
            known = {a["id"]: a for a in [*definition.get("attributes", []), *definition.get("variantAttributes", [])]}
            verdicts = []
            for key, value in attrs.items():
                attribute = known.get(key)
                reason = None
                if attribute is None:
                    reason = f"{key} is not an attribute of {product['categoryName']}"
                elif not blank(value) and attribute["type"] == "enum":
                    bad = [v for v in _values_of(value, attribute["multiValue"])
                           if v not in catalog_data.allowed_values(key)]
                    if bad:
                        reason = (f"{attribute['name']} : {bad[0]} was not defined for "
                                  f"{product['categoryName']} attribute set")
                if reason is None:
                    if blank(value):
                        product["attributes"].pop(key, None)  # an empty value deletes the attribute
                    else:
                        product["attributes"][key] = value
                kind = "VARIANT_TYPE" if key.endswith("_variant_property") else "OPTIONAL"
                verdicts.append({"attributeId": key, "displayName": attribute["name"] if attribute else key,
                                 "rejectReason": reason, "attributeType": kind,
                                 "fieldResult": "REJECTED" if reason else "APPROVED"})
            rejected = sum(1 for v in verdicts if v["fieldResult"] == "REJECTED")
            overall = "APPROVED" if not rejected else "REJECTED" if rejected == len(verdicts) else "PARTIAL_APPROVED"
            results.append({"fieldName": "ATTRIBUTE", "fieldResult": overall, "attributes": verdicts,
                            "rejectReason": next((v["rejectReason"] for v in verdicts if v["rejectReason"]), None)})
        return results

    def update_status(self, merchant_id: str, tracking_id: str) -> list[dict[str, Any]] | None:
        request = self._updates.get(tracking_id)
        if request is None or request.owner.lower() != merchant_id.lower():
            return None
        if request.processed:
            return copy.deepcopy(request.results)
        return [{"hbSku": raw.get("hbSku") if isinstance(raw, dict) else None, "message": None,
                 "productStatus": "UNCOMPLETED", "updateResults": []} for raw in request.items]

    # --- steering and inspection -------------------------------------------------------
    def reject_products(self, skus: list[str], reasons: list[str] | None = None, now: bool = False) -> int:
        """Make these skus BLOCKED with ``reasons`` at their approval (or at once with ``now`` for waiting
        ones); returns how many were blocked at once."""
        reasons = [str(r) for r in (reasons or []) if str(r).strip()] or [DEFAULT_REJECT_REASON]
        blocked = 0
        with self.current():
            for sku in skus:
                product = self._products.get(sku)
                if now and product is not None and product["status"] == WAITING:
                    self._block(product, reasons)
                    self._decisions.cancel(sku)
                    blocked += 1
                else:
                    self._decisions.mark(sku, reasons)
        return blocked

    def approve_products(self, skus: list[str]) -> int:
        """Make these waiting products MATCHED (and listings) at once; returns how many were matched."""
        matched = 0
        with self.current():
            for sku in skus:
                product = self._products.get(sku)
                if product is not None and product["status"] == WAITING:
                    self._decisions.take_mark(sku)
                    self._match(product)
                    self._decisions.cancel(sku)
                    matched += 1
        return matched

    def catalog_product(self, sku: str) -> dict[str, Any] | None:
        """The imported product ``sku`` (status, hbSku, reasons, attributes…), or None."""
        return self.view_of("_products", sku)

    def catalog_products(self) -> list[dict[str, Any]]:
        return self.views_of("_products")

    def catalog_import(self, tracking_id: str) -> dict[str, Any] | None:
        """An import as uploaded (``items``) and, once processed, each item's outcome."""
        with self.current():
            imp = self._imports.get(tracking_id)
            if imp is None:
                return None
            return {"trackingId": imp.id, "merchant_id": imp.owner, "created_at": imp.extra["created_at"],
                    "processed": imp.processed, "items": copy.deepcopy(imp.items),
                    "outcomes": copy.deepcopy(imp.results or [])}

    def catalog_counters(self) -> dict[str, Any]:
        with self.current():
            return {"imports_total": self._imports.total, "updates_total": self._updates.total,
                    "products_total": len(self._products),
                    "by_status": dict(Counter(p["status"] for p in self._products.values()))}

