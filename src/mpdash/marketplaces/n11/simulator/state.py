"""The N11 simulator's state, on simkit: catalog, products and their history, tasks, packages.

Time follows simkit's clock (lazy advance, no background thread): a task is processed
``processing_delay`` after it was accepted (simkit's batch queue), N11's review of a new
product falls due ``approval_delay`` after it was created, and the shopper's orders fall due
at ``order_rate``; each happens when the state is next read or written.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import simkit
from ...simkit import options as opt
from ...simkit.paging import numbered_page
from ...simkit.sample_data import CLOTHING_SIZES, COLOURS, MATERIALS
from ..config import MAX_ORDER_PAGE_SIZE as MAX_PAGE_SIZE
from ..config import MAX_SKUS_PER_TASK, ORDER_WINDOW_DAYS, PACKAGE_STATUSES, SELLER_CODE_CLASH

MONTH_MS = ORDER_WINDOW_DAYS * 86_400_000
AWAITING_APPROVAL = "Ürün n11 kataloğunda mevcut: satıcı onayı bekleniyor (awaiting seller approval)"
# (category id, name, children); leaves carry the clothing attributes.
TREE = (
    (1000001, "Moda", ((1000100, "Kadın Giyim", ((1000101, "Elbise", ()), (1000102, "Tişört", ()))),
                       (1000200, "Erkek Giyim", ((1000201, "Gömlek", ()), (1000202, "Pantolon", ()))),
                       (1000500, "Ayakkabı", ((1000501, "Spor Ayakkabı", ()),)))),
    (1000002, "Elektronik", ((1000300, "Telefon Aksesuarları", ((1000301, "Kılıf", ()), (1000302, "Şarj Aleti", ()))),)),
    (1000003, "Ev & Yaşam", ((1000400, "Mutfak", ((1000401, "Tencere", ()),)),)),
)
# attribute id -> (name, mandatory, variant, slicer, custom value, values)
ATTRIBUTES = {
    1: ("Renk", True, False, True, False, COLOURS),
    2: ("Beden", True, True, False, False, CLOTHING_SIZES),
    3: ("Marka", True, False, False, True, ()),
    4: ("Materyal", False, False, False, True, MATERIALS),
}
CARGO = (("Yurtiçi Kargo", 132), ("Aras Kargo", 159), ("PTT Kargo", 340))  # (name, N11 id [UNVERIFIED ids])
_TWO_DECIMALS = re.compile(r"^\d+(\.\d{1,2})?$")



def turkish_time(epoch: float, fmt: str) -> str:
    """An epoch second as N11's SOAP dates show it: Turkish local time (UTC+3) [UNVERIFIED]."""
    return datetime.fromtimestamp(epoch, timezone(timedelta(hours=3))).strftime(fmt)


class Refused(simkit.Refusal):
    """N11 refuses the request (its status and message)."""


def _value_id(attribute_id: int, index: int) -> int:
    return attribute_id * 1000 + index + 1


def attribute_entries(category_id: int) -> list[dict[str, Any]]:
    return [{"attributeId": aid, "attributeName": name, "isMandatory": mandatory, "isVariant": variant,
             "isSlicer": slicer, "isCustomValue": custom, "isMultipleSelect": False,
             "attributeValues": [{"id": _value_id(aid, i), "value": v} for i, v in enumerate(values)]}
            for aid, (name, mandatory, variant, slicer, custom, values) in ATTRIBUTES.items()]


def _tree_json(nodes) -> list[dict[str, Any]]:
    return [{"id": cid, "name": name, "subCategories": _tree_json(children) if children else None}
            for cid, name, children in nodes]


def _leaves(nodes) -> set[int]:
    out: set[int] = set()
    for cid, _, children in nodes:
        out |= _leaves(children) if children else {cid}
    return out


LEAVES = _leaves(TREE)


def _price(value: Any, what: str) -> Decimal:
    """A price as N11 takes it: a number with a dot and at most two decimals."""
    text = str(value)
    if isinstance(value, bool) or not _TWO_DECIMALS.match(text):
        raise ValueError(f"{what} {value!r} must be a number with a dot decimal and at most two digits")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a number") from None


class State(simkit.SimState):
    OPTIONS = simkit.OptionSet(
        **opt.common(), app_key=opt.text("demo-app-key"), app_secret=opt.text("demo-app-secret"),
        rate_limit=opt.limit(1000), rate_window=opt.number(60.0, positive=True), order_rate=opt.number(0.0),
        shopper_seed=opt.seed(7), task_retention=opt.number(4 * 3600.0),
        # every Nth order of the shopper is followed, claim_delay seconds later, by the buyer's
        # request to cancel it (0: never)
        cancel_request_every=opt.whole(0, low=0), claim_delay=opt.number(20.0),
    )

    def clear(self) -> None:
        super().clear()
        self.products = simkit.ListingStore(key_name="stockCode", batch_name="taskId")
        self.catalog_barcodes: set[str] = set()  # barcodes already in N11's catalog
        self.tasks = simkit.BatchQueue(self.timeline, "task", self._process,
                                       retention=lambda: self.option("task_retention"))
        self.reviews = simkit.Approvals(self.timeline, "review", self._review)  # N11's review of new products
        self.timeline.on("cancel_request", self._buyer_asks_to_cancel)
        self.packages: dict[str, dict[str, Any]] = {}
        self.lines_cancelled: list[dict[str, Any]] = []
        self.claims: dict[str, dict[str, Any]] = {}  # cancellation requests and return claims (SOAP)
        self.invoice_links: dict[str, str] = {}  # orderNumber -> invoice address (SOAP)
        self.ids = itertools.count(int(self.clock.epoch()) % 100_000 * 1000 + 1)
        self.rng = random.Random(self.option("shopper_seed"))
        self.ticker = simkit.Ticker()
        self.ticker.set_rate(self.option("order_rate"), self.clock.now())
        self.orders_placed = self.shopper_orders = 0

    def configured(self, clean: dict[str, Any]) -> None:
        if "order_rate" in clean:
            self.ticker.set_rate(clean["order_rate"], self.clock.now())

    def now_ms(self, instant: float | None = None) -> int:
        return int(self.clock.epoch(instant) * 1000)

    def _review(self, stock_code: str, instant: float) -> None:
        """N11's review of a new product: approved, or rejected with the reason set for it."""
        product = self.products.get(stock_code)
        if product is None or product["status"] != "WaitingForApproval":
            return
        reason = self.reviews.take_mark(stock_code)
        at = self.clock.epoch(instant)
        if reason:
            product["status"], product["reasons"] = "Rejected", [reason]
            self.products.record(None, "rejected", stock_code, reason, None, at)
        else:
            product["status"] = "Active"
            self.products.record(None, "approved", stock_code, None, None, at)

    def tick(self, now: float) -> None:
        """The shopper's orders that fell due: one unit of an Active product in stock each."""
        for instant in self.ticker.due(now):
            stocked = sorted((p for p in self.products if p["status"] == "Active" and p["quantity"] > 0),
                             key=lambda p: p["stockCode"])
            if not stocked:
                continue
            product = self.rng.choice(stocked)
            product["quantity"] -= 1
            placed = self.place_order([{"stockCode": product["stockCode"], "quantity": 1}], createdDate=self.now_ms(instant))
            self.shopper_orders += 1
            every = self.option("cancel_request_every")
            if every and self.shopper_orders % every == 0:
                self.timeline.at(instant + self.option("claim_delay"), "cancel_request", placed["packageId"])

    def _buyer_asks_to_cancel(self, package_id: str, instant: float) -> None:
        package = self.packages.get(package_id)
        if package is not None and package["shipmentPackageStatus"] in ("Created", "Picking"):
            self.open_claim("cancel", package_id)

    def pending(self, approvals: bool = False) -> bool:
        return bool(self.tasks.waiting() or (approvals and self.timeline.pending(("review",))))

    def _history(self, stock_code: str, kind: str, value: Any, task: Any) -> None:
        self.products.record(task.id if task else None, kind, stock_code, value,
                             task.accepted_at if task else None, self.clock.epoch())

    # --- tasks ----------------------------------------------------------------------------
    def accept_task(self, kind: str, body: Any) -> dict[str, Any]:
        payload = body.get("payload") if isinstance(body, dict) else None
        skus = payload.get("skus") if isinstance(payload, dict) else None
        if not isinstance(skus, list) or not skus:
            raise Refused(400, "payload.skus is required: a list of at least one sku")
        if len(skus) > MAX_SKUS_PER_TASK:
            raise Refused(400, f"payload.skus holds {len(skus)} skus; at most {MAX_SKUS_PER_TASK} are allowed per task")
        if not str(payload.get("integrator") or "").strip():
            raise Refused(400, "payload.integrator is required")
        with self.current():
            task = self.tasks.accept(kind, "seller", skus, self.option("processing_delay"), batch_id=str(next(self.ids)))
            return {"id": int(task.id), "type": kind, "status": "IN_QUEUE", "reasons": []}

    def task_page(self, task_id: Any, page: int, size: int) -> dict[str, Any]:
        with self.current():
            task = self.tasks.get(str(task_id))
            if task is None:
                raise Refused(404, f"task {task_id} not found")
            rows, totals = numbered_page(task.results or [], page, size)
            return {"taskId": int(task.id), "status": "PROCESSED" if task.processed else "IN_QUEUE",
                    "skus": {"content": rows, **totals}}

    def _process(self, task: simkit.Batch, at: float) -> list[dict[str, Any]]:
        handle = {"PRODUCT_CREATE": self._create_sku, "PRODUCT_UPDATE": self._update_sku}.get(
            task.kind, self._price_stock_sku)
        results = []
        for sku in task.items:
            code = str(sku.get("stockCode") or "") if isinstance(sku, dict) else ""
            try:
                if not isinstance(sku, dict):
                    raise ValueError("a sku must be an object")
                note = handle(sku, task)
                results.append({"itemCode": code, "status": "SUCCESS", "reasons": [note] if note else []})
            except ValueError as bad:
                results.append({"itemCode": code, "status": "REJECT", "reasons": [str(bad)]})
        return results

    @staticmethod
    def _prices(sku: dict[str, Any], current: dict[str, Any] | None) -> tuple[Decimal | None, Decimal | None]:
        has_list, has_sale = sku.get("listPrice") is not None, sku.get("salePrice") is not None
        if has_list != has_sale:
            raise ValueError("listPrice and salePrice must be sent together")
        if not has_list:
            return None, None
        list_price, sale = _price(sku["listPrice"], "listPrice"), _price(sku["salePrice"], "salePrice")
        if list_price < sale:
            raise ValueError(f"listPrice {list_price} is lower than salePrice {sale}; listPrice must be at least salePrice")
        if sale <= 0:
            raise ValueError("salePrice must be above 0")
        return list_price, sale

    @staticmethod
    def _quantity(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"quantity {value!r} must be a whole number of at least 0")
        return value

    def _price_stock_sku(self, sku: dict[str, Any], task: simkit.Batch) -> None:
        code = str(sku.get("stockCode") or "").strip()
        product = self.products.get(code)
        if product is None:
            raise ValueError(f"stockCode {code!r}: Ürün bulunamadı (product not found)")
        list_price, sale = self._prices(sku, product)
        quantity = self._quantity(sku.get("quantity"))
        if list_price is None and quantity is None:
            raise ValueError("nothing to update: send quantity or listPrice with salePrice")
        if quantity is not None:
            product["quantity"] = quantity
            self._history(code, "stock", quantity, task)
        if list_price is not None:
            product["listPrice"], product["salePrice"] = float(list_price), float(sale)
            self._history(code, "price", str(sale), task)
            self._history(code, "list_price", str(list_price), task)

    def _create_sku(self, sku: dict[str, Any], task: simkit.Batch) -> str | None:
        code = str(sku.get("stockCode") or "").strip()
        for key in ("title", "description", "categoryId", "productMainId", "stockCode", "barcode", "images"):
            if sku.get(key) in (None, "", []):
                raise ValueError(f"{key} is required")
        if sku.get("currencyType") != "TL":
            raise ValueError(f"currencyType {sku.get('currencyType')!r} must be TL")
        if sku["categoryId"] not in LEAVES:
            raise ValueError(f"categoryId {sku['categoryId']} is not a leaf category of n11")
        list_price, sale = self._prices(sku, None)
        if list_price is None:
            raise ValueError("listPrice and salePrice are required")
        quantity = self._quantity(sku.get("quantity"))
        given = {a.get("id"): a for a in sku.get("attributes") or [] if isinstance(a, dict)}
        for aid, (name, mandatory, _, _, custom, values) in ATTRIBUTES.items():
            entry = given.get(aid)
            if entry is None:
                if mandatory:
                    raise ValueError(f"{name} attribute is required")
                continue
            if entry.get("valueId") is not None:
                if entry["valueId"] not in {_value_id(aid, i) for i in range(len(values))}:
                    raise ValueError(f"valueId {entry['valueId']} is not a value of {name}")
            elif not custom or not str(entry.get("customValue") or "").strip():
                raise ValueError(f"{name} needs a valueId" + ("" if not custom else " or a customValue"))
        if self.products.get(code) is not None and self.products[code]["status"] != "Rejected":
            raise ValueError(f"stockCode {code} already exists; update it instead")
        holder = next((p["stockCode"] for p in self.products if p["barcode"] == str(sku["barcode"])
                       and p["stockCode"] != code and p["status"] != "Rejected"), None)
        if holder is not None:
            raise ValueError(SELLER_CODE_CLASH.format(code=holder))
        in_catalog = str(sku["barcode"]) in self.catalog_barcodes
        self.products[code] = {
            "stockCode": code, "barcode": str(sku["barcode"]), "title": sku["title"], "categoryId": sku["categoryId"],
            "salePrice": float(sale), "listPrice": float(list_price), "quantity": quantity or 0,
            "status": "WaitingForApproval", "reasons": [AWAITING_APPROVAL] if in_catalog else [],
        }
        if not in_catalog:  # N11 reviews it; one already in its catalog waits for the seller instead
            self.reviews.schedule(code, self.clock.now() + self.option("approval_delay"))
        self._history(code, "created", None, task)
        return AWAITING_APPROVAL if in_catalog else None

    def _update_sku(self, sku: dict[str, Any], task: simkit.Batch) -> None:
        code = str(sku.get("stockCode") or "").strip()
        product = self.products.get(code)
        if product is None:
            raise ValueError(f"stockCode {code!r}: Ürün bulunamadı (product not found)")
        for key in ("listPrice", "salePrice", "quantity"):
            if key in sku:
                raise ValueError(f"{key} cannot be changed by a product update; use price-stock-update")
        if "title" in sku:
            product["title"] = sku["title"]
        self._history(code, "updated", None, task)

    # --- products -------------------------------------------------------------------------
    def add_products(self, products: list[dict[str, Any]]) -> int:
        with self.current():
            for spec in products:
                code = str(spec["stockCode"])
                self.products[code] = {"stockCode": code, "barcode": str(spec.get("barcode") or code),
                                       "title": spec.get("title", code), "categoryId": spec.get("categoryId", 1000101),
                                       "salePrice": float(spec.get("salePrice", 100)),
                                       "listPrice": float(spec.get("listPrice", spec.get("salePrice", 100))),
                                       "quantity": int(spec.get("quantity", 0)), "status": spec.get("status", "Active"),
                                       "reasons": []}
            return len(products)

    def seller_approve(self, stock_code: str) -> None:
        """The seller approves a product waiting in N11's panel."""
        with self.current():
            product = self.products[stock_code]
            product["status"], product["reasons"] = "Active", []
            self.reviews.cancel(stock_code)
            self._history(stock_code, "approved", None, None)

    def product_page(self, page: int, size: int, stock_code: str | None) -> dict[str, Any]:
        with self.current():
            rows = [p for p in self.products.values() if stock_code is None or p["stockCode"] == stock_code]
            content = [dict(p) for p in rows[page * size:(page + 1) * size]]
            return {"content": content, "totalElements": len(rows), "totalPages": -(-len(rows) // size), "page": page}

    # --- packages -------------------------------------------------------------------------
    def place_order(self, lines: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
        with self.current():
            shopper = simkit.person(self.orders_placed + int(spec.get("shopper", 0)))
            address = {"fullName": shopper.name, "address": shopper.line, "city": shopper.city,
                       "district": shopper.district, "neighborhood": shopper.neighbourhood,
                       "postalCode": shopper.postcode, "gsm": shopper.phone, "tcId": "11111111110"}
            package_lines = []
            for line in lines:
                product = self.products.get(str(line["stockCode"]))
                if product is None:
                    raise Refused(400, f"no product with stockCode {line['stockCode']}")
                quantity = int(line.get("quantity", 1))
                price = Decimal(str(line.get("price", product["salePrice"])))
                discount = Decimal(str(line.get("sellerDiscount", 0)))
                package_lines.append({
                    "orderLineId": str(next(self.ids)), "stockCode": product["stockCode"], "barcode": product["barcode"],
                    "productName": product["title"], "quantity": quantity, "price": float(price),
                    "dueAmount": float(price * quantity - discount), "sellerDiscount": float(discount),
                    "orderItemLineItemStatusName": "Created", "vatRate": 20,
                })
            created = int(spec.get("createdDate") or self.now_ms())
            package = {
                "id": str(next(self.ids)), "orderNumber": str(spec.get("orderNumber") or f"2{next(self.ids):011d}"),
                "shipmentPackageStatus": "Created", "createdDate": created, "lastModifiedDate": created,
                "customerfullName": shopper.name, "customerEmail": shopper.email,
                "customerId": str(10000 + shopper.n), "cargoProviderName": CARGO[shopper.n % len(CARGO)][0],
                "cargoProviderId": CARGO[shopper.n % len(CARGO)][1],
                "cargoTrackingNumber": None, "cargoTrackingLink": None, "campaignNumber": None,
                "totalAmount": float(sum(Decimal(str(x["dueAmount"])) for x in package_lines)),
                "shippingAddress": address, "billingAddress": dict(address), "lines": package_lines,
            }
            self.packages[package["id"]] = package
            self.orders_placed += 1
            return {"packageId": package["id"], "orderNumber": package["orderNumber"],
                    "lines": [{"lineId": x["orderLineId"], "stockCode": x["stockCode"], "quantity": x["quantity"]}
                              for x in package_lines]}

    def _move(self, package: dict[str, Any], status: str) -> None:
        package["shipmentPackageStatus"] = status
        package["lastModifiedDate"] = max(self.now_ms(), package["lastModifiedDate"] + 1)
        for line in package["lines"]:
            line["orderItemLineItemStatusName"] = status

    def set_status(self, package_id: str, status: str, tracking_number: str | None = None) -> dict[str, Any]:
        """N11's or its carrier's moves (Shipped, Delivered, UnDelivered, Returned, Cancelled)."""
        with self.current():
            package = self.packages[str(package_id)]
            if status not in PACKAGE_STATUSES:
                raise Refused(400, f"unknown status {status}")
            if tracking_number:
                package["cargoTrackingNumber"] = str(tracking_number)
                package["cargoTrackingLink"] = f"https://kargotakip.example.com/{tracking_number}"
                package["campaignNumber"] = f"C{tracking_number}"
            self._move(package, status)
            return dict(package)

    def list_packages(self, query: dict[str, list[str]]) -> dict[str, Any]:
        statuses = query.get("status") or []
        if not statuses or not statuses[0]:
            raise Refused(400, "status is required (one of " + ", ".join(PACKAGE_STATUSES) + ")")
        if len(statuses) > 1 or "," in statuses[0]:
            raise Refused(400, "only one status can be queried per request")
        status = statuses[0]
        if status not in PACKAGE_STATUSES:
            raise Refused(400, f"status {status!r} is not one of " + ", ".join(PACKAGE_STATUSES))

        def number(name: str, default: int | None) -> int | None:
            raw = (query.get(name) or [None])[0]
            if raw in (None, ""):
                return default
            if not str(raw).lstrip("-").isdigit():
                raise Refused(400, f"{name} {raw!r} must be a whole number")
            return int(raw)

        page, size = number("page", 0), number("size", MAX_PAGE_SIZE)
        if page < 0 or not 1 <= size <= MAX_PAGE_SIZE:
            raise Refused(400, f"page must be 0 or more and size 1..{MAX_PAGE_SIZE}")
        start, end = number("startDate", None), number("endDate", None)
        if start is None and end is None:
            end = self.now_ms()
        if start is None:
            start = end - MONTH_MS
        elif end is None:
            end = start + MONTH_MS
        if start > end:
            raise Refused(400, "startDate must not be after endDate")
        if end - start > MONTH_MS:  # documented: a wider range gives the last month before endDate
            start = end - MONTH_MS
        direction = ((query.get("orderByDirection") or ["ASC"])[0] or "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise Refused(400, "orderByDirection must be ASC or DESC")
        with self.current():
            rows = sorted((p for p in self.packages.values()
                           if p["shipmentPackageStatus"] == status and start <= p["lastModifiedDate"] <= end),
                          key=lambda p: (p["lastModifiedDate"], p["id"]), reverse=direction == "DESC")
            chunk, totals = numbered_page(rows, page, size)
            return {"content": [dict(p) for p in chunk], **totals}

    def _line_index(self) -> dict[str, dict[str, Any]]:
        """line id -> the live package holding it (UnPacked packages hand their lines on)."""
        return {line["orderLineId"]: p for p in self.packages.values() if p["shipmentPackageStatus"] != "UnPacked"
                for line in p["lines"]}

    def update_lines(self, body: Any) -> dict[str, Any]:
        """Picking from Created; Shipped (the seller's own carrier, with trackingNumber) from Picking."""
        lines = body.get("lines") if isinstance(body, dict) else None
        target = body.get("status") if isinstance(body, dict) else None
        if not isinstance(lines, list) or not lines or target not in ("Picking", "Shipped"):
            raise Refused(400, 'the body must be {"lines": [{"lineId": ...}], "status": "Picking"}')
        tracking = str(body.get("trackingNumber") or "").strip()
        if target == "Shipped" and not tracking:
            raise Refused(400, "trackingNumber is required to set Shipped")
        before = "Created" if target == "Picking" else "Picking"
        with self.current():
            index = self._line_index()
            targets = []
            for line in lines:
                package = index.get(str(line.get("lineId") if isinstance(line, dict) else ""))
                if package is None:
                    raise Refused(400, f"order line {line} not found")
                if package["shipmentPackageStatus"] != before:
                    raise Refused(400, f"package {package['id']} is {package['shipmentPackageStatus']}; only {before} "
                                       f"lines can be set {target}")
                targets.append(package)
            for package in {p["id"]: p for p in targets}.values():
                if tracking:
                    package["cargoTrackingNumber"] = tracking
                    package["cargoProviderName"] = str(body.get("shipmentCompany") or package["cargoProviderName"])
                self._move(package, target)
        return {"code": 200, "message": "success"}

    def _new_package(self, old: dict[str, Any], lines: list[dict[str, Any]], status: str) -> dict[str, Any]:
        package = {**old, "id": str(next(self.ids)), "lines": lines, "cargoTrackingNumber": None,
                   "totalAmount": float(sum(Decimal(str(x["dueAmount"])) for x in lines))}
        self.packages[package["id"]] = package
        self._move(package, status)
        return package

    def split_by_lines(self, body: Any) -> dict[str, Any]:
        groups = body.get("splitGroups") if isinstance(body, dict) else None
        if not isinstance(groups, list) or not groups:
            raise Refused(400, 'the body must be {"splitGroups": [{"orderLineIds": [...]}]}')
        with self.current():
            index = self._line_index()
            wanted = [[str(i) for i in (g.get("orderLineIds") or [])] for g in groups if isinstance(g, dict)]
            packages = {index[i]["id"] if i in index else None for g in wanted for i in g}
            if None in packages or len(packages) != 1 or any(not g for g in wanted):
                raise Refused(400, "every orderLineId must belong to the same package")
            old = self.packages[packages.pop()]
            if old["shipmentPackageStatus"] != "Picking":
                raise Refused(400, f"package {old['id']} is {old['shipmentPackageStatus']}; only Picking packages can be split")
            by_id = {x["orderLineId"]: x for x in old["lines"]}
            named = [i for g in wanted for i in g]
            if len(named) != len(set(named)):
                raise Refused(400, "an orderLineId appears in two groups")
            rest = [i for i in by_id if i not in named]
            if rest:
                wanted.append(rest)
            if len(wanted) < 2:
                raise Refused(400, "a split needs at least two groups")
            for group in wanted:
                self._new_package(old, [dict(by_id[i]) for i in group], "Picking")
            self._move(old, "UnPacked")
        return {"code": 200, "message": "success"}

    def split_by_quantity(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise Refused(400, "the body must be a JSON object")
        details, cancelled = body.get("packageDetails") or [], body.get("cancelledItems") or []
        if not details:
            raise Refused(400, "packageDetails is required: splitPackageByQuantity cannot be used for cancellation alone")
        with self.current():
            old = self.packages.get(str(body.get("packageId")))
            if old is None or old["shipmentPackageStatus"] != "Picking":
                raise Refused(400, f"package {body.get('packageId')} is not Picking; only Picking packages can be split")
            held = {x["orderLineId"]: x for x in old["lines"]}
            kept: dict[str, int] = {}
            for detail in details:
                line_id = str(detail.get("orderLineId"))
                quantities = detail.get("quantities") or []
                if line_id not in held or not all(isinstance(q, int) and q > 0 for q in quantities):
                    raise Refused(400, f"packageDetails: line {line_id} is not in the package or a quantity is not positive")
                kept[line_id] = kept.get(line_id, 0) + sum(quantities)
            dropped: dict[str, int] = {}
            reasons: dict[str, Any] = {}
            for item in cancelled:
                line_id = str(item.get("orderLineId"))
                if line_id not in held or not isinstance(item.get("quantity"), int) or item["quantity"] < 1:
                    raise Refused(400, f"cancelledItems: line {line_id} is not in the package or its quantity is wrong")
                dropped[line_id] = dropped.get(line_id, 0) + item["quantity"]
                reasons[line_id] = item.get("reasonId")
            for line_id, line in held.items():
                total = kept.get(line_id, 0) + dropped.get(line_id, 0)
                if total != line["quantity"]:
                    raise Refused(400, f"line {line_id}: kept and cancelled quantities ({total}) must equal its "
                                       f"quantity ({line['quantity']})")
            new_lines = []
            for line_id, quantity in kept.items():
                unit = Decimal(str(held[line_id]["dueAmount"])) / held[line_id]["quantity"]
                new_lines.append({**held[line_id], "quantity": quantity, "dueAmount": float(unit * quantity)})
            for line_id, quantity in dropped.items():
                self.lines_cancelled.append({"orderLineId": line_id, "quantity": quantity, "packageId": old["id"],
                                             "reasonId": reasons[line_id], "by": "seller"})
            made = self._new_package(old, new_lines, "Picking")
            self._move(old, "UnPacked")
        return {"code": 200, "message": "success", "packageId": made["id"]}

    def customer_cancel(self, package_id: str, line_ids: list[str] | None = None) -> dict[str, Any]:
        """The customer cancels lines (all when None). N11 lists the lines not cancelled in a new
        package of the same order and the old package as Cancelled (its order-listing page)."""
        with self.current():
            old = self.packages[str(package_id)]
            wanted = {str(i) for i in line_ids} if line_ids else {x["orderLineId"] for x in old["lines"]}
            rest = [dict(x) for x in old["lines"] if x["orderLineId"] not in wanted]
            made = self._new_package(old, rest, old["shipmentPackageStatus"]) if rest else None
            for line in old["lines"]:
                if line["orderLineId"] in wanted:
                    self.lines_cancelled.append({"orderLineId": line["orderLineId"], "quantity": line["quantity"],
                                                 "packageId": old["id"], "reasonId": None, "by": "customer"})
            self._move(old, "Cancelled")
            return {"packageId": made["id"] if made else None}

    # --- customers' cancellation requests and return claims (the SOAP services) ----------------
    def open_claim(self, kind: str, package_id: str, line_ids: list[str] | None = None, *, quantity: int | None = None,
                   reason: tuple[str, str] = ("2", "Vazgeçtim")) -> list[str]:
        """The customer asks to cancel lines of a Picking package (``kind`` "cancel") or returns
        units of a Delivered one ("return"): one REQUESTED claim per line; their ids."""
        with self.current():
            package = self.packages[str(package_id)]
            # [UNVERIFIED] a buyer asks to cancel before shipping, returns after delivery
            needed = ("Created", "Picking") if kind == "cancel" else ("Delivered",)
            if package["shipmentPackageStatus"] not in needed:
                raise Refused(400, f"package {package_id} is {package['shipmentPackageStatus']}; a {kind} claim needs "
                                   f"{' or '.join(needed)}")
            wanted = {str(i) for i in line_ids} if line_ids else {x["orderLineId"] for x in package["lines"]}
            made = []
            for line in package["lines"]:
                if line["orderLineId"] not in wanted:
                    continue
                claim_id = str(next(self.ids))
                self.claims[claim_id] = {
                    "kind": kind, "id": claim_id, "status": "REQUESTED", "orderNumber": package["orderNumber"],
                    "orderItemId": line["orderLineId"], "productSellerCode": line["stockCode"],
                    "productName": line["productName"], "quantity": quantity or line["quantity"],
                    "reasonType": reason[0], "reasonDescription": reason[1], "packageId": package["id"],
                    "requestDate": turkish_time(self.clock.epoch(), "%d/%m/%Y %H:%M:%S"),
                }
                made.append(claim_id)
            return made

    def list_claims(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        search = data.get("searchData") if isinstance(data.get("searchData"), dict) else {}
        period = search.get("period") if isinstance(search.get("period"), dict) else {}
        paging = data.get("pagingData") if isinstance(data.get("pagingData"), dict) else {}
        status = str(search.get("status") or ("REQUESTED" if kind == "cancel" else "ALL")).upper()
        try:
            days = [datetime.strptime(str(period[k]), "%d/%m/%Y").date() for k in ("startDate", "endDate") if period.get(k)]
            page, size = int(paging.get("currentPage") or 0), int(paging.get("pageSize") or 20)
        except (ValueError, TypeError):
            raise Refused(400, "period dates must be dd/MM/yyyy and paging numbers whole", key="SELLER_API.invalidParameter") from None
        if page < 0 or not 1 <= size <= 100:
            raise Refused(400, "currentPage must be 0 or more and pageSize 1..100", key="SELLER_API.invalidParameter")
        with self.current():
            low, high = days if len(days) == 2 else (None, None)
            rows = [c for c in self.claims.values() if c["kind"] == kind and status in ("ALL", c["status"])
                    and (low is None or low <= datetime.strptime(c["requestDate"][:10], "%d/%m/%Y").date() <= high)]
            shown = [{k: v for k, v in c.items() if k not in ("kind", "packageId")} for c in rows[page * size:(page + 1) * size]]
        item = "claimCancel" if kind == "cancel" else "claimReturn"
        return {f"{item}List": {item: shown}, "pagingData": {"currentPage": page, "pageSize": size,
                                                            "totalCount": len(rows), "pageCount": -(-len(rows) // size)}}

    def answer_claim(self, kind: str, claim_id: Any, deny_reason: Any = None) -> dict[str, Any]:
        """Approve (a cancellation request cancels its line as the customer's cancel does) or deny."""
        with self.current():
            claim = self.claims.get(str(claim_id))
            if claim is None or claim["kind"] != kind:
                raise Refused(400, f"claim {claim_id} not found", key="SELLER_API.claimNotFound")
            if claim["status"] not in ("REQUESTED", "PENDING"):
                raise Refused(400, f"claim {claim_id} is {claim['status']}; only REQUESTED claims can be answered",
                              key="SELLER_API.invalidClaimStatus")
            if deny_reason is not None:
                claim["status"], claim["denyReasonType"] = "DENIED", str(deny_reason)
                return {}
            if kind == "cancel":
                package = self._line_index().get(claim["orderItemId"])
                if package is not None and package["shipmentPackageStatus"] not in ("Cancelled", "UnPacked"):
                    self.customer_cancel(package["id"], [claim["orderItemId"]])
            claim["status"] = "COMPLETED" if kind == "cancel" else "APPROVED"
            return {}

    def delete_by_seller_code(self, code: str) -> dict[str, Any]:
        with self.current():
            if self.products.get(code) is None:
                raise Refused(400, f"no product with seller code {code!r}", key="SELLER_API.productNotFound")
            self.products.remove(code)
            self._history(code, "deleted", None, None)
        return {}

    def save_invoice_link(self, order_number: str, url: str) -> dict[str, Any]:
        """SaveLinkSellerInvoice: url and orderNumber required; https, at most 2,048 characters."""
        if not url.lower().startswith("https://") or len(url) > 2048:
            raise Refused(400, "url must be an https address of at most 2048 characters", key="SELLER_API.invalidUrl")
        with self.current():
            if not any(p["orderNumber"] == order_number for p in self.packages.values()):
                raise Refused(400, f"order {order_number!r} not found", key="SELLER_API.orderNotFound")
            self.invoice_links[order_number] = url
        return {}

    def package_of_line(self, line_id: str) -> dict[str, Any] | None:
        with self.current():
            return self._line_index().get(str(line_id))
