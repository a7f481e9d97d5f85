"""The order side of the Trendyol simulator: shipment packages, claims and the shopper.

Packages move ``Awaiting → Created → Picking → Invoiced`` by the seller's hand, then as the
carrier moves them (``Shipped → AtCollectionPoint → Delivered | UnDelivered → Returned``);
unsupplied, cancelled and split packages end, and their other lines reappear in new packages
after ``repack_delay``. Timed work runs on the state's timeline (simkit's lazy clock).
"""

from __future__ import annotations

import base64
import copy
import json
import random
import uuid
from decimal import Decimal
from typing import Any

from ...simkit import StateMachine, Ticker, basket, blank, is_int, is_number, person
from ...simkit.paging import numbered_page
from ...simkit.sample_data import PLACES
from ..config import (
    CLAIM_ISSUE_DESCRIPTION_MAX,
    CLAIM_ISSUE_REASONS_WITHOUT_FILES,
    ORDER_HISTORY_DAYS,
    ORDER_WINDOW_DAYS,
    PACKAGES_HISTORY_DAYS,
    UNSUPPLIED_REASONS,
)
from .errors import Refused, now_ms

CARGO_PROVIDERS = ("Trendyol Express Marketplace", "Yurtiçi Kargo Marketplace", "Aras Kargo Marketplace")
# Customer return reasons (Trendyol's published table, a selection).
CUSTOMER_CLAIM_REASONS = {251: "Modelini beğenmedim", 301: "Kusurlu ürün gönderildi", 351: "Yanlış ürün gönderildi",
                          401: "Vazgeçtim", 451: "Diğer", 501: "Bedeni küçük geldi", 551: "Bedeni büyük geldi",
                          651: "Ürün belirtilen özelliklere sahip değil", 1651: "Kalitesini beğenmedim"}
# guess: the ids and names of getClaimIssueReasons (only 451, 1651 and 2101, the reasons that need
# no file, are named in Trendyol's documentation).
CLAIM_ISSUE_REASONS = (
    (1, "İade edilen ürün kullanılmış"),
    (51, "İade edilen ürün hasarlı / kırık geldi"),
    (101, "İade edilen ürün eksik parça / aksesuar ile geldi"),
    (151, "Farklı ürün iade edildi"),
    (201, "Hijyenik ürünün ambalajı açılmış"),
    (451, "İade paketi boş geldi"),
    (1651, "İade paketi bana ulaşmadı"),
    (2101, "Diğer"),
)
# Moves the carrier makes (simulator control and the stage test service): Trendyol's stage
# service says statuses only go forward ("Delivered" never back to "Shipped").
CARRIER_MOVES = {
    "Shipped": ("Picking", "Invoiced"),
    "AtCollectionPoint": ("Shipped",),
    "Delivered": ("Shipped", "AtCollectionPoint", "UnDelivered"),
    "UnDelivered": ("Shipped", "AtCollectionPoint"),
    "Returned": ("UnDelivered",),
}
CARRIER = StateMachine.from_sources(CARRIER_MOVES, lambda package, current, target, allowed: Refused(
    400, "invalid.status.transition", f"Paket {current} statüsünden {target} statüsüne geçemez "
    f"(izin verilen: {', '.join(CARRIER_MOVES[target])})"))
CANCELLABLE = ("Awaiting", "Created", "Picking", "Invoiced")
UNSUPPLIABLE = ("Created", "Picking", "Invoiced")
SPLITTABLE = ("Created", "Picking")  # guess: Trendyol documents splitting of packages not yet shipped
TRACKABLE = ("Created", "Picking", "Invoiced")  # tracking-details is refused once shipped or cancelled
ENDED = ("Cancelled", "UnSupplied", "UnPacked", "Repack")
# A line that left its package for a new one (unsupplied, cancelled or split) shows this status
# in the old package. guess: Trendyol's own line status for it is not documented.
MOVED_LINE = "Repack"
_DAY_MS = 86_400_000


def _round(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def _line_amounts(line: dict[str, Any]) -> None:
    """Fill a line's unit amounts (new and old names) from its gross and discounts."""
    gross, seller, ty = line["lineGrossAmount"], line["lineSellerDiscount"], line["lineTyDiscount"]
    net = _round(gross - seller - ty)
    line.update({
        "lineTotalDiscount": _round(seller + ty), "lineUnitPrice": net,
        "amount": gross, "discount": _round(seller + ty), "tyDiscount": ty, "price": net,
        "vatBaseAmount": _round(net / (1 + (line.get("vatRate") or 0) / 100)),
        "discountDetails": [{"lineItemPrice": net, "lineItemSellerDiscount": seller, "lineItemTyDiscount": ty}
                            for _ in range(line["quantity"])],
    })


def _package_amounts(package: dict[str, Any]) -> None:
    gross = seller = ty = 0.0
    for line in package["lines"]:
        gross += line["lineGrossAmount"] * line["quantity"]
        seller += line["lineSellerDiscount"] * line["quantity"]
        ty += line["lineTyDiscount"] * line["quantity"]
    total_discount = seller + ty
    package.update({
        "packageGrossAmount": _round(gross), "packageSellerDiscount": _round(seller),
        "packageTyDiscount": _round(ty), "packageTotalDiscount": _round(total_discount),
        "packageTotalPrice": _round(gross - total_discount),
        "grossAmount": _round(gross), "totalDiscount": _round(total_discount), "totalTyDiscount": _round(ty),
        "totalPrice": _round(gross - total_discount),
    })


def _copied(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A deep copy of JSON-shaped records (faster than copy.deepcopy for pages of packages)."""
    return json.loads(json.dumps(records, ensure_ascii=False))


def _require(package: dict[str, Any], allowed: tuple[str, ...], refusal: str) -> None:
    if package["status"] not in allowed:
        raise Refused(400, "invalid.status.transition", f"Paket {package['status']} statüsünde; {refusal}")


def _canonical(value: Any, names: tuple[str, ...], what: str) -> str:
    for name in names:
        if isinstance(value, str) and value.strip().lower() == name.lower():
            return name
    raise Refused(400, f"invalid.{what}", f"Geçersiz {what}: {value!r}; geçerli değerler: {', '.join(names)}")


class OrderBook:
    """The order side of :class:`SimulatorState`: shipment packages, claims and the shopper.

    Uses the state's lock, options, clock and products; every public method carries out what
    has fallen due first (``advance``) and raises :class:`Refused` like Trendyol would.
    """

    def _clear_orders(self) -> None:
        self.timeline.on("release", self._release)
        self.timeline.on("repack", lambda data, instant: self._repack(data, self.clock.epoch(instant)))
        self._ticker = Ticker()
        self._packages: dict[str, dict[str, Any]] = {}  # package id (text) -> package, Trendyol's shape
        self._package_meta: dict[str, dict[str, Any]] = {}
        self._packages_by_order: dict[str, list[str]] = {}
        self._tracking: dict[str, str] = {}  # cargo tracking number -> package id
        self._invoice_links: dict[str, str] = {}  # link -> package id
        self._claims: dict[str, dict[str, Any]] = {}
        self._claim_of_item: dict[str, str] = {}
        self._next_package = 3_100_000_000
        self._next_order = 10_400_000_000
        self._next_line = 4_700_000_000
        self._next_line_item = 9_200_000_000
        self._next_tracking = 7_330_000_000_000
        self._rng = random.Random(self._options["shopper_seed"])
        self._ticker.set_rate(self._options["order_rate"], self.clock.now())
        self.orders_total = 0
        self.shopper_orders = 0

    def _orders_configured(self, clean: dict[str, Any]) -> None:
        if "shopper_seed" in clean:
            self._rng = random.Random(clean["shopper_seed"])
        if "order_rate" in clean:
            self._ticker.set_rate(self._options["order_rate"], self.clock.now())

    # --- the clock ------------------------------------------------------------------------
    PACKAGE_EVENTS = ("release", "repack")

    def _release(self, package_id: str, instant: float) -> None:
        package = self._packages.get(package_id)
        if package is not None and package["status"] == "Awaiting":
            self._set_status(package, "Created", self.clock.epoch(instant))

    def _schedule(self, kind: str, delay: float, data: Any) -> None:
        self.timeline.after(delay, kind, data)

    def tick(self, now: float) -> None:
        """The shopper's orders that fell due, each at its own instant: 1-2 of the products on
        sale and in stock (the simkit shopper chooses)."""
        for instant in self._ticker.due(now):
            buyable = [p["barcode"] for p in self._products.values() if p["onSale"] and p["quantity"] > 0]
            chosen = basket(self.shopper_orders + self._rng.randrange(1000), buyable)
            if not chosen:
                continue
            lines = [{"barcode": code, "quantity": min(self._products[code]["quantity"], quantity)}
                     for code, quantity in chosen]
            self._place({"lines": lines}, at=self.clock.epoch(instant))
            self.shopper_orders += 1

    # --- placing orders -------------------------------------------------------------------
    def place_orders(self, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Place orders: ``[{lines: [{barcode | stockCode, quantity, discountPercentage?,
        trendyolDiscountPercentage?, price?}], customer?, shippingAddress?, invoiceAddress?,
        orderDate? (epoch ms, to backdate), cargoProviderName?, micro?, commercial?}]``.
        Each order becomes one package; returns ``{orderNumber, packageId, status, lines}`` each."""
        if not isinstance(specs, list):
            raise Refused(400, "invalid.body", "orders must be a list of objects")
        with self.current():
            return [self._place(spec) for spec in specs]

    def _find_product(self, line: dict[str, Any]) -> dict[str, Any]:
        barcode, code = line.get("barcode"), line.get("stockCode") or line.get("merchantSku")
        product = None
        if barcode is not None:
            product = self._products.get(str(barcode))
        elif code is not None:
            owners = self._products.find("stockCode", code)
            product = self._products.get(owners[0]) if owners else None
        if product is None:
            raise Refused(400, "product.not.found", f"Ürün bulunamadı (barcode: {barcode}, stockCode: {code})")
        if not product["approved"]:
            raise Refused(400, "product.not.approved", f"Onaylı olmayan ürün sipariş edilemez (barcode: {product['barcode']})")
        return product

    def _place(self, spec: dict[str, Any], at: float | None = None) -> dict[str, Any]:
        if not isinstance(spec, dict):
            raise Refused(400, "invalid.body", f"each order must be an object: {spec!r}")
        wanted = spec.get("lines")
        if not isinstance(wanted, list) or not wanted or not all(isinstance(line, dict) for line in wanted):
            raise Refused(400, "lines.required", 'Sipariş en az bir kalem içermelidir: "lines": [{"barcode", "quantity"}]')
        resolved = []
        for line in wanted:
            quantity = line.get("quantity", 1)
            if not is_int(quantity) or quantity < 1:
                raise Refused(400, "invalid.quantity", f"quantity 1 veya daha büyük bir tam sayı olmalıdır: {quantity!r}")
            resolved.append((self._find_product(line), quantity, line))
        if at is None:
            order_date = spec.get("orderDate")
            if order_date is not None and not is_int(order_date):
                raise Refused(400, "invalid.order.date", "orderDate epoch milisaniye olmalıdır")
            at = order_date / 1000 if order_date is not None else self.clock.epoch()
        customer, shipping, invoice = self._people(spec)
        self._next_order += 1
        order_number = str(self._next_order)
        lines = [self._new_line(product, quantity, line) for product, quantity, line in resolved]
        for product, quantity, _ in resolved:
            product["quantity"] = max(0, product["quantity"] - quantity)  # Trendyol holds sold units back
            self._products.record(None, "ordered", product["barcode"], quantity, None, at)
        delay = self._options["awaiting_delay"]
        cargo = spec.get("cargoProviderName") or self._rng.choice(CARGO_PROVIDERS)
        package = self._new_package(order_number, at, "Awaiting" if delay else "Created", lines, {
            "customerFirstName": customer["firstName"], "customerLastName": customer["lastName"],
            "customerEmail": customer["email"], "customerId": customer["id"],
            "shipmentAddress": shipping, "invoiceAddress": invoice, "cargoProviderName": str(cargo),
            "micro": bool(spec.get("micro", False)), "commercial": bool(spec.get("commercial", False)),
        })
        if delay:
            self._schedule("release", delay, str(package["id"]))
        self.orders_total += 1
        return {"orderNumber": order_number, "packageId": package["id"], "status": package["status"],
                "lines": [{"lineId": line["lineId"], "barcode": line["barcode"], "quantity": line["quantity"]}
                          for line in lines]}

    def _people(self, spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """The customer and the shipping and invoice addresses: given ones, or made up."""
        given = spec.get("customer") or {}
        who = person(self._rng.randrange(10**6))  # the seed decides which made-up shoppers come
        first = given.get("customerFirstName") or given.get("firstName") or who.first
        last = given.get("customerLastName") or given.get("lastName") or who.last
        customer = {"firstName": first, "lastName": last, "id": given.get("customerId") or 10**7 + who.n,
                    "email": given.get("email") or f"pf+{who.n:010x}@trendyolmail.com"}
        made_up = {"city": who.city, "cityCode": who.plate, "district": who.district, "neighborhood": who.neighbourhood,
                   "postalCode": who.postcode, "address1": who.line}
        shipping = self._address(spec.get("shippingAddress") or spec.get("address"), made_up, first, last)
        invoice = self._address(spec.get("invoiceAddress"), shipping, first, last)
        invoice.setdefault("taxOffice", None)
        invoice.setdefault("taxNumber", None)
        return customer, shipping, invoice

    def _address(self, given: dict[str, Any] | None, fallback: dict[str, Any], first: str, last: str) -> dict[str, Any]:
        given = given if isinstance(given, dict) else {}
        pick = lambda *keys: next((given[k] for k in keys if given.get(k) not in (None, "")), None)  # noqa: E731
        first = pick("firstName", "invoiceFirstName", "shippingFirstName") or first
        last = pick("lastName", "invoiceLastName", "shippingLastName") or last
        line1 = pick("address1", "addressText") or fallback["address1"]
        city = pick("city") or fallback["city"]
        district = pick("district") or fallback["district"]
        hood = pick("neighborhood") or (fallback["neighborhood"] if not given else "")
        plate = next((code for name, code, *_ in PLACES if name == city), None)
        self._next_line_item += 1
        return {
            "id": self._next_line_item, "firstName": first, "lastName": last, "company": pick("company") or "",
            "address1": line1, "address2": pick("address2") or "", "city": city, "cityCode": plate,
            "district": district, "districtId": None, "neighborhood": hood,
            "postalCode": str(pick("postalCode") or fallback.get("postalCode") or ""), "countryCode": "TR",
            "fullName": f"{first} {last}", "fullAddress": f"{line1} {district}/{city}",
            "phone": pick("phone"), "taxOffice": pick("taxOffice"), "taxNumber": pick("taxNumber"),
        }

    def _new_line(self, product: dict[str, Any], quantity: int, wanted: dict[str, Any]) -> dict[str, Any]:
        self._next_line += 1
        price = wanted.get("price")
        gross = float(price) if is_number(price) else float(product.get("salePrice") or 0)
        seller_pct = wanted.get("discountPercentage") or 0
        ty_pct = wanted.get("trendyolDiscountPercentage") or 0
        if not is_number(seller_pct) or not is_number(ty_pct) or not 0 <= seller_pct + ty_pct <= 100:
            raise Refused(400, "invalid.discount", "İndirim yüzdeleri 0 ile 100 arasında olmalıdır")
        line = {
            "lineId": self._next_line, "id": self._next_line, "quantity": quantity,
            "productName": product.get("title"), "productCode": product.get("productContentId"),
            "productId": product.get("productContentId"), "barcode": product["barcode"],
            "merchantSku": product.get("stockCode"), "stockCode": product.get("stockCode"),
            "sku": product["barcode"], "productColor": None, "productSize": None, "productOrigin": "TR",
            "merchantId": int(self._options["seller_id"]), "vatRate": product.get("vatRate") or 0,
            "currencyCode": "TRY", "salesCampaignId": 0, "orderLineItemStatusName": "Created",
            "lineGrossAmount": _round(gross), "lineSellerDiscount": _round(gross * seller_pct / 100),
            "lineTyDiscount": _round(gross * ty_pct / 100),
        }
        _line_amounts(line)
        return line

    def _new_package(self, order_number: str, at: float, status: str, lines: list[dict[str, Any]],
                     fields: dict[str, Any], *, order_date: int | None = None) -> dict[str, Any]:
        self._next_package += 1
        self._next_tracking += 1
        package_id, tracking, ms = self._next_package, self._next_tracking, int(at * 1000)
        package: dict[str, Any] = {
            "id": package_id, "shipmentPackageId": package_id, "orderNumber": order_number,
            "orderDate": order_date if order_date is not None else ms, "lastModifiedDate": ms,
            "status": status, "shipmentPackageStatus": status,
            "customerFirstName": None, "customerLastName": None, "customerEmail": None, "customerId": None,
            "tcIdentityNumber": "11111111111", "identityNumber": "11111111111", "taxNumber": None,
            "shipmentAddress": None, "invoiceAddress": None,
            "cargoProviderName": CARGO_PROVIDERS[0], "cargoTrackingNumber": tracking,
            # guess: the shape of Trendyol's tracking link
            "cargoTrackingLink": f"https://kargotakip.trendyol.com/?orderNumber={order_number}&trackingNumber={tracking}",
            "cargoSenderNumber": str(self._options["seller_id"]), "currencyCode": "TRY", "lines": lines,
            "packageHistories": [{"createdDate": ms, "status": status}],
            "deliveryType": "normal", "deliveryAddressType": "Shipment", "timeSlotId": 0,
            "agreedDeliveryDate": ms + 2 * _DAY_MS, "estimatedDeliveryStartDate": ms + 2 * _DAY_MS,
            "estimatedDeliveryEndDate": ms + 4 * _DAY_MS, "originShipmentDate": ms,
            "fastDelivery": False, "commercial": False, "micro": False, "giftBoxRequested": False,
            "3pByTrendyol": False, "containsDangerousProduct": False, "deliveredByService": False,
            "cargoDeci": max(1, sum(line["quantity"] for line in lines)), "isCod": False,
            "createdBy": "order-creation", "originPackageIds": None, "invoiceLink": None, "warehouseId": 1001,
        }
        package.update(fields)
        for line in lines:
            line["orderLineItemStatusName"] = status
        _package_amounts(package)
        key = str(package_id)
        self._packages[key] = package
        self._package_meta[key] = {"replaced_by": [], "invoice_number": None, "ended_lines": []}
        self._packages_by_order.setdefault(order_number, []).append(key)
        self._tracking[str(tracking)] = key
        return package

    # --- package changes --------------------------------------------------------------------
    @staticmethod
    def _touch(package: dict[str, Any], at: float) -> None:
        package["lastModifiedDate"] = max(package["lastModifiedDate"], int(at * 1000))

    def _set_status(self, package: dict[str, Any], status: str, at: float) -> None:
        package["status"] = package["shipmentPackageStatus"] = status
        for line in package["lines"]:
            if line["orderLineItemStatusName"] not in (*ENDED, MOVED_LINE):
                line["orderLineItemStatusName"] = status
        self._touch(package, at)
        package["packageHistories"].append({"createdDate": package["lastModifiedDate"], "status": status})

    def _package(self, package_id: Any) -> dict[str, Any]:
        package = self._packages.get(str(package_id).strip())
        if package is None:
            raise Refused(404, "shipment.package.not.found", f"Paket bulunamadı (shipmentPackageId: {package_id})")
        return package

    @staticmethod
    def _lines_of(package: dict[str, Any], wanted: Any, *, id_key: str = "lineId", quantity_key: str = "quantity"
                  ) -> list[tuple[dict[str, Any], int]]:
        """``[{lineId, quantity}]`` checked against the package: known lines, 1..quantity each."""
        if not isinstance(wanted, list) or not wanted:
            raise Refused(400, "lines.required", f'lines en az bir {{"{id_key}", "{quantity_key}"}} içermelidir')
        by_id = {str(line["lineId"]): line for line in package["lines"]}
        out, seen = [], set()
        for entry in wanted:
            if not isinstance(entry, dict):
                raise Refused(400, "invalid.line", f"Geçersiz kalem: {entry!r}")
            line_id = str(entry.get(id_key))
            line = by_id.get(line_id)
            if line is None:
                raise Refused(400, "line.not.found", f"Kalem bu pakette bulunamadı ({id_key}: {line_id})")
            if line_id in seen:
                raise Refused(400, "duplicate.line", f"Aynı kalem birden fazla gönderildi ({id_key}: {line_id})")
            seen.add(line_id)
            quantity = entry.get(quantity_key)
            if not is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                raise Refused(400, "invalid.quantity", f"{quantity_key} 1 ile {line['quantity']} arasında olmalıdır "
                                                       f"({id_key}: {line_id}, gönderilen: {quantity!r})")
            out.append((line, quantity))
        return out

    def update_package(self, package_id: str, body: Any) -> None:
        """``PUT …/shipment-packages/{id}``: Picking, then Invoiced (with params.invoiceNumber)."""
        with self.current():
            package = self._package(package_id)
            status = body.get("status")
            if status not in ("Picking", "Invoiced"):
                raise Refused(400, "invalid.status", f"Geçersiz statü: {status!r}; satıcı yalnızca Picking veya Invoiced "
                                                     "gönderebilir")
            self._lines_of(package, body.get("lines"))
            current = package["status"]
            if current == "Awaiting":
                raise Refused(400, "package.awaiting", "Awaiting statüsündeki paketler işlenemez; paket Created "
                                                       "statüsüne geçene kadar bekleyin")
            if status == "Picking" and current != "Created":
                raise Refused(400, "invalid.status.transition",
                              f"Paket {current} statüsünde; Picking yalnızca Created statüsündeki paketlere gönderilebilir")
            if status == "Invoiced":
                if current == "Created":
                    raise Refused(400, "picking.required", "Invoiced statüsünden önce paket Picking statüsüne "
                                                           "çekilmelidir")
                if current != "Picking":
                    raise Refused(400, "invalid.status.transition",
                                  f"Paket {current} statüsünde; Invoiced yalnızca Picking statüsündeki paketlere gönderilebilir")
                params = body.get("params") if isinstance(body.get("params"), dict) else {}
                number = params.get("invoiceNumber")
                if blank(number):
                    raise Refused(400, "invoice.number.required", "Invoiced statüsü için params.invoiceNumber zorunludur")
                self._package_meta[str(package["id"])]["invoice_number"] = str(number)
            self._set_status(package, status, self.clock.epoch())

    def _end(self, package: dict[str, Any], status: str, removed: list[tuple[dict[str, Any], int]], at: float,
             **info: Any) -> None:
        """End a package (UnSupplied or Cancelled) for ``removed``; what is left goes into a new
        package of the same order after ``repack_delay``."""
        remaining = []
        for line in package["lines"]:
            gone = sum(quantity for removed_line, quantity in removed if removed_line is line)
            if line["quantity"] - gone > 0:
                remaining.append((line["lineId"], line["quantity"] - gone))
            line["orderLineItemStatusName"] = status if gone else MOVED_LINE
        meta = self._package_meta[str(package["id"])]
        meta["ended_lines"] = [{"lineId": line["lineId"], "quantity": quantity, **info} for line, quantity in removed]
        self._set_status(package, status, at)
        if remaining:
            self._schedule("repack", self._options["repack_delay"],
                           {"from": str(package["id"]), "groups": [remaining], "status": "Created",
                            "createdBy": status.lower()})

    def unsupplied(self, package_id: str, body: Any) -> None:
        """``PUT …/items/unsupplied``: the package ends UnSupplied; a new package of the same
        order takes the other lines (asynchronously)."""
        with self.current():
            package = self._package(package_id)
            reason = body.get("reasonId")
            if not is_int(reason) or reason not in UNSUPPLIED_REASONS:
                raise Refused(400, "invalid.reason.id", f"Geçersiz reasonId: {reason!r}; geçerli değerler: "
                              + ", ".join(f"{k} ({v})" for k, v in UNSUPPLIED_REASONS.items()))
            _require(package, UNSUPPLIABLE, "tedarik edilemedi bildirimi yapılamaz")
            removed = self._lines_of(package, body.get("lines"))
            self._end(package, "UnSupplied", removed, self.clock.epoch(), reasonId=reason)

    def cancel_package(self, package_id: str, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The customer (or Trendyol) cancels lines (all when none are given)."""
        with self.current():
            package = self._package(package_id)
            _require(package, CANCELLABLE, "iptal edilemez")
            wanted = lines or [{"lineId": line["lineId"], "quantity": line["quantity"]} for line in package["lines"]]
            self._end(package, "Cancelled", self._lines_of(package, wanted), self.clock.epoch(), cancelledBy="customer")
            return copy.deepcopy(package)

    def split_package(self, package_id: str, body: Any) -> None:
        """``POST …/split-packages``: the package becomes UnPacked; one new package per group
        (and one for the lines no group names) appears after ``repack_delay``."""
        with self.current():
            package = self._package(package_id)
            _require(package, SPLITTABLE, "bölünemez")
            groups_in = body.get("splitPackages")
            if not isinstance(groups_in, list) or not groups_in:
                raise Refused(400, "split.packages.required",
                              'splitPackages en az bir {"packageDetails": [{"orderLineId", "quantities"}]} içermelidir')
            used: dict[str, int] = {}
            groups = []
            for group in groups_in:
                details = group.get("packageDetails") if isinstance(group, dict) else None
                chosen = self._lines_of(package, details, id_key="orderLineId", quantity_key="quantities")
                for line, quantity in chosen:
                    used[str(line["lineId"])] = used.get(str(line["lineId"]), 0) + quantity
                groups.append([(line["lineId"], quantity) for line, quantity in chosen])
            rest = []
            for line in package["lines"]:
                left = line["quantity"] - used.get(str(line["lineId"]), 0)
                if left < 0:
                    raise Refused(400, "invalid.quantity", f"Kalem {line['lineId']} için toplam {line['quantity']} "
                                                           f"adetten fazlası bölünemez")
                if left:
                    rest.append((line["lineId"], left))
            if rest:
                groups.append(rest)
            if len(groups) < 2:
                raise Refused(400, "split.needs.two.packages", "Paket en az iki pakete bölünmelidir")
            keep = body.get("shouldKeepPreviousStatus") is True
            status = package["status"] if keep else "Created"
            for line in package["lines"]:
                line["orderLineItemStatusName"] = MOVED_LINE
            self._set_status(package, "UnPacked", self.clock.epoch())
            self._schedule("repack", self._options["repack_delay"],
                           {"from": str(package["id"]), "groups": groups, "status": status, "createdBy": "split"})

    def _repack(self, data: dict[str, Any], at: float) -> None:
        old = self._packages.get(data["from"])
        if old is None:
            return
        by_id = {line["lineId"]: line for line in old["lines"]}
        fields = {k: copy.deepcopy(old[k]) for k in (
            "customerFirstName", "customerLastName", "customerEmail", "customerId", "shipmentAddress",
            "invoiceAddress", "cargoProviderName", "micro", "commercial", "tcIdentityNumber", "identityNumber",
            "taxNumber")}
        fields["createdBy"] = data["createdBy"]
        fields["originPackageIds"] = [old["id"]]
        for group in data["groups"]:
            lines = []
            for line_id, quantity in group:
                line = copy.deepcopy(by_id[line_id])
                line["quantity"] = quantity
                _line_amounts(line)
                lines.append(line)
            new = self._new_package(old["orderNumber"], at, data["status"], lines, fields, order_date=old["orderDate"])
            self._package_meta[data["from"]]["replaced_by"].append(new["id"])

    def carrier_status(self, package_id: str, status: Any, tracking_number: Any = None) -> dict[str, Any]:
        """The carrier moves a package (Shipped, AtCollectionPoint, Delivered, UnDelivered, Returned)."""
        with self.current():
            package = self._package(package_id)
            status = _canonical(status, tuple(CARRIER_MOVES), "status")
            CARRIER.check(package, status)
            if tracking_number not in (None, ""):
                self._set_tracking(package, tracking_number)
            self._set_status(package, status, self.clock.epoch())
            return copy.deepcopy(package)

    def _set_tracking(self, package: dict[str, Any], tracking_number: Any) -> None:
        self._tracking.pop(str(package["cargoTrackingNumber"]), None)
        package["cargoTrackingNumber"] = tracking_number
        self._tracking[str(tracking_number)] = str(package["id"])

    # The seller's warehouses (Trendyol Express addresses) the simulated account has.
    WAREHOUSES = (1001, 1002, 1003)

    def update_warehouse(self, package_id: str, body: Any) -> None:
        """``PUT …/warehouse``: ``{"warehouseId": int}``; only while Created, Picking or Invoiced."""
        with self.current():
            package = self._package(package_id)
            warehouse = body.get("warehouseId")
            if not is_int(warehouse) or warehouse not in self.WAREHOUSES:
                raise Refused(400, "invalid.warehouse.id", f"Geçersiz warehouseId: {warehouse!r}; satıcının depoları: "
                              + ", ".join(map(str, self.WAREHOUSES)))
            _require(package, ("Created", "Picking", "Invoiced"),
                     "depo bilgisi yalnızca Created, Picking ve Invoiced paketlerde güncellenebilir")
            package["warehouseId"] = warehouse
            self._touch(package, self.clock.epoch())

    def update_tracking(self, package_id: str, body: Any) -> None:
        """``PUT …/tracking-details`` ``{cargoSenderNumber, providerCode}``: the seller's own
        carrier's number (developers.trendyol.com/v3.0/docs/4-update-tracking-number, checked
        2026-12-07: both fields required)."""
        with self.current():
            package = self._package(package_id)
            number, provider = body.get("cargoSenderNumber"), body.get("providerCode")
            if blank(number) or not isinstance(number, (str, int)) or isinstance(number, bool):
                raise Refused(400, "cargo.sender.number.required", "cargoSenderNumber zorunludur")
            if blank(provider) or not isinstance(provider, str):
                raise Refused(400, "provider.code.required", "providerCode zorunludur")
            _require(package, TRACKABLE,
                     "kargoya verilmiş, teslim edilmiş veya iptal edilmiş paketlerin takip numarası güncellenemez")
            self._set_tracking(package, str(number).strip())
            package["cargoProviderCode"] = provider.strip()
            self._touch(package, self.clock.epoch())

    def manual_deliver(self, tracking_number: str) -> None:
        """``PUT …/manual-deliver/{cargoTrackingNumber}``: a package of the seller's carrier is delivered."""
        with self.current():
            key = self._tracking.get(str(tracking_number).strip())
            if key is None:
                raise Refused(404, "shipment.package.not.found", f"Takip numarasına ait paket bulunamadı: {tracking_number}")
            package = self._packages[key]
            if not CARRIER.can(package["status"], "Delivered"):
                raise Refused(400, "invalid.status.transition",
                              f"Paket {package['status']} statüsünde; yalnızca kargoya verilmiş paketler teslim edilebilir")
            self._set_status(package, "Delivered", self.clock.epoch())

    def invoice_link(self, body: Any) -> None:
        """``POST /sellers/{id}/seller-invoice-links``; 409 when the package already has one."""
        with self.current():
            link, package_id = body.get("invoiceLink"), body.get("shipmentPackageId")
            if not isinstance(link, str) or not link.startswith(("https://", "http://")):
                raise Refused(400, "invalid.invoice.link", "invoiceLink http(s):// ile başlayan bir adres olmalıdır")
            if package_id is None:
                raise Refused(400, "shipment.package.id.required", "shipmentPackageId zorunludur")
            package = self._package(package_id)
            if package["invoiceLink"]:
                raise Refused(409, "invoice.link.already.exists",
                              f"Bu paket için daha önce fatura linki gönderilmiş (shipmentPackageId: {package_id})")
            if link in self._invoice_links:
                raise Refused(409, "invoice.link.already.used", "Bu fatura linki başka bir paket için kullanılmış")
            package["invoiceLink"] = link
            self._invoice_links[link] = str(package["id"])
            self._touch(package, self.clock.epoch())

    # --- reading packages --------------------------------------------------------------------
    def list_packages(self, *, start: int | None, end: int | None, page: int, size: int, status: str | None,
                      order_number: str | None, package_ids: list[str] | None, order_by: str,
                      descending: bool, encoded: bool = False) -> dict[str, Any] | bytes:
        """``getShipmentPackages``; ``encoded``: the answer as JSON bytes (a page of 200 packages
        is about a megabyte: encoded once, under the lock)."""
        with self.current():
            most = self._options["max_result_window"]
            if page * size >= most:
                raise Refused(400, "max.result.window.exceeded",
                              f"Result window is too large: page * size en fazla {most} kayda kadar okunabilir "
                              f"(page={page}, size={size}); tarih aralığını daraltın")
            field_name = "orderDate" if order_by in ("CreatedDate", "OrderDate") else "lastModifiedDate"
            if package_ids:
                candidates = [self._packages[i] for i in dict.fromkeys(package_ids) if i in self._packages]
            else:
                start, end = self._window(start, end, PACKAGES_HISTORY_DAYS, "startDate")
                candidates = [p for p in self._packages.values() if start <= p[field_name] <= end]
            if status:
                candidates = [p for p in candidates if p["status"] == status]
            if order_number:
                candidates = [p for p in candidates if p["orderNumber"] == order_number]
            candidates.sort(key=lambda p: (p[field_name], p["id"]), reverse=descending)
            chunk, totals = numbered_page(candidates, page, size)
            answer = {**totals, "content": chunk}
            if encoded:
                return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            return {**answer, "content": _copied(chunk)}

    def _window(self, start: int | None, end: int | None, history_days: int, name: str) -> tuple[int, int]:
        """A listing's dates: the last 14 days when absent; refused when longer than
        ``max_order_window_days`` or reaching beyond ``history_days``."""
        end = now_ms() if end is None else end
        start = end - ORDER_WINDOW_DAYS * _DAY_MS if start is None else start
        days = self._options["max_order_window_days"]
        if days and end - start > days * _DAY_MS:
            raise Refused(400, "invalid.date.range", f"Tarih aralığı en fazla {days:g} gün olabilir")
        if start < now_ms() - history_days * _DAY_MS:  # guess: refused, not cut silently
            raise Refused(400, "invalid.date.range", f"{name}: bu servisle yalnızca son {history_days} günün "
                          "paketleri sorgulanabilir")
        return start, end

    def stream_packages(self, *, start: int | None, end: int | None, size: int, statuses: list[str],
                        cursor: str | None) -> bytes:
        """``getShipmentPackagesStream``: newest change first; ``nextCursor`` marks the last
        package handed out (a keyset, so changes between pages skip nothing) and is refused
        with other filters than its own. guess: how Trendyol's cursor works is not published."""
        with self.current():
            start, end = self._window(start, end, ORDER_HISTORY_DAYS, "lastModifiedStartDate")
            filters = [start, end, size, sorted(statuses)]
            after = None
            if cursor:
                try:
                    mark = json.loads(base64.urlsafe_b64decode(cursor.encode()))
                    after, wanted = tuple(mark["after"]), mark["filters"]
                except (ValueError, KeyError, TypeError):
                    raise Refused(400, "invalid.next.cursor", f"Geçersiz nextCursor: {cursor}") from None
                if wanted != filters:
                    raise Refused(400, "invalid.next.cursor", "nextCursor başka filtrelerle alınmış; filtreleri "
                                  "akış boyunca değiştirmeyin")
            found = sorted(((p["lastModifiedDate"], p["id"]), p) for p in self._packages.values()
                           if start <= p["lastModifiedDate"] <= end and (not statuses or p["status"] in statuses)
                           and (after is None or (p["lastModifiedDate"], p["id"]) < after))
            chunk = [p for _, p in found[-size:][::-1]]
            more = len(found) > size
            token = base64.urlsafe_b64encode(json.dumps({"after": [chunk[-1]["lastModifiedDate"], chunk[-1]["id"]],
                                                         "filters": filters}).encode()).decode() if more else None
            answer = {"content": chunk, "hasMore": more, "nextCursor": token, "size": size}
            return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def package(self, package_id: Any) -> dict[str, Any] | None:
        """A package as Trendyol lists it, with the simulator's notes under ``_sim``."""
        with self.current():
            package = self._packages.get(str(package_id))
            if package is None:
                return None
            return {**copy.deepcopy(package), "_sim": copy.deepcopy(self._package_meta[str(package_id)])}

    def packages(self, order_number: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        with self.current():
            keys = self._packages_by_order.get(order_number, []) if order_number is not None else list(self._packages)
            found = [self._packages[k] for k in keys]
            return copy.deepcopy([p for p in found if status is None or p["status"] == status])

    def order_counts(self) -> dict[str, int]:
        with self.current():
            by_status: dict[str, int] = {}
            for package in self._packages.values():
                by_status[package["status"]] = by_status.get(package["status"], 0) + 1
            return {"orders_total": self.orders_total, "shopper_orders": self.shopper_orders,
                    "packages_total": len(self._packages), "claims_total": len(self._claims), **by_status}

    # --- claims ------------------------------------------------------------------------------
    def create_claim(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A customer opens a return: ``{packageId, lines?: [{lineId, quantity}] (all when absent),
        reasonId? (401), customerNote?, status? (WaitingInAction | Created), force? (skip the
        delivered check)}``; returns ``{claimId, claimItemIds}``."""
        if not isinstance(spec, dict):
            raise Refused(400, "invalid.body", "a claim is an object")
        with self.current():
            package = self._package(spec.get("packageId"))
            if package["status"] != "Delivered" and not spec.get("force"):
                raise Refused(400, "package.not.delivered", f"İade talebi yalnızca teslim edilmiş paketler için "
                                                            f"açılabilir (paket {package['status']} statüsünde)")
            status = _canonical(spec.get("status", "WaitingInAction"), ("Created", "WaitingInAction"), "status")
            reason = spec.get("reasonId", 401)
            if reason not in CUSTOMER_CLAIM_REASONS:
                raise Refused(400, "invalid.reason.id", f"Geçersiz iade sebebi: {reason!r}")
            wanted = spec.get("lines") or [{"lineId": line["lineId"], "quantity": line["quantity"]}
                                           for line in package["lines"]]
            chosen = self._lines_of(package, wanted)
            for line, quantity in chosen:
                open_units = sum(1 for claim in self._claims.values() for group in claim["items"]
                                 if group["orderLine"]["id"] == line["lineId"] for item in group["claimItems"]
                                 if item["claimItemStatus"]["name"] not in ("Cancelled", "Rejected"))
                if quantity > line["quantity"] - open_units:
                    raise Refused(400, "invalid.quantity", f"Kalem {line['lineId']} için en fazla "
                                                           f"{line['quantity'] - open_units} adet iade açılabilir")
            ms = now_ms()
            claim_id = str(uuid.uuid4())
            self._next_package += 1
            self._next_tracking += 1
            items, item_ids = [], []
            for line, quantity in chosen:
                units = []
                for _ in range(quantity):
                    self._next_line_item += 1
                    item_id = str(uuid.uuid4())
                    item_ids.append(item_id)
                    self._claim_of_item[item_id] = claim_id
                    units.append({
                        "id": item_id, "orderLineItemId": self._next_line_item,
                        "customerClaimItemReason": {"id": reason, "name": CUSTOMER_CLAIM_REASONS[reason],
                                                    "externalReasonId": reason, "code": str(reason)},
                        "trendyolClaimItemReason": {"id": 51, "name": "Sebep Yok", "externalReasonId": 51, "code": "51"},
                        "claimItemStatus": {"name": status}, "note": "", "customerNote": str(spec.get("customerNote") or ""),
                        "resolved": False, "autoAccepted": False, "acceptedBySeller": False,
                    })
                items.append({"orderLine": {
                    "id": line["lineId"], "productName": line["productName"], "barcode": line["barcode"],
                    "merchantSku": line["merchantSku"], "productColor": line["productColor"],
                    "productSize": line["productSize"], "price": line["lineUnitPrice"],
                    "vatBaseAmount": line["vatBaseAmount"], "vatRate": line["vatRate"],
                    "salesCampaignId": line["salesCampaignId"], "productCategory": None,
                }, "claimItems": units})
            self._claims[claim_id] = {
                "id": claim_id, "claimId": claim_id, "orderNumber": package["orderNumber"],
                "orderDate": package["orderDate"], "customerFirstName": package["customerFirstName"],
                "customerLastName": package["customerLastName"], "claimDate": ms,
                "cargoTrackingNumber": self._next_tracking,
                "cargoTrackingLink": f"https://kargotakip.trendyol.com/?trackingNumber={self._next_tracking}",
                "cargoSenderNumber": str(self._next_tracking), "cargoProviderName": package["cargoProviderName"],
                "orderShipmentPackageId": self._next_package, "orderOutboundPackageId": package["id"],
                "items": items, "lastModifiedDate": ms,
            }
            return {"claimId": claim_id, "claimItemIds": item_ids}

    def _claim(self, claim_id: str) -> dict[str, Any]:
        claim = self._claims.get(str(claim_id))
        if claim is None:
            raise Refused(404, "claim.not.found", f"İade talebi bulunamadı (claimId: {claim_id})")
        return claim

    def _claim_items(self, claim: dict[str, Any], item_ids: Any, status: str) -> list[dict[str, Any]]:
        if not isinstance(item_ids, list) or not item_ids:
            raise Refused(400, "claim.item.ids.required", "En az bir iade kalemi (claimItemId) gönderilmelidir")
        by_id = {item["id"]: item for group in claim["items"] for item in group["claimItems"]}
        out = []
        for item_id in item_ids:
            item = by_id.get(str(item_id).strip())
            if item is None:
                raise Refused(400, "claim.item.not.found", f"İade kalemi bu talepte bulunamadı: {item_id}")
            if item["claimItemStatus"]["name"] != status:
                raise Refused(400, "claim.item.status.not.valid",
                              f"İade kalemi {item_id} {item['claimItemStatus']['name']} statüsünde; bu işlem yalnızca "
                              f"{status} statüsündeki kalemler için yapılabilir")
            out.append(item)
        return out

    def approve_claim(self, claim_id: str, body: Any) -> None:
        """``PUT …/claims/{id}/items/approve``: WaitingInAction units become Accepted."""
        with self.current():
            claim = self._claim(claim_id)
            ids = body.get("claimLineItemIdList")
            for item in self._claim_items(claim, ids, "WaitingInAction"):
                item.update({"claimItemStatus": {"name": "Accepted"}, "acceptedBySeller": True, "resolved": True})
            claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())

    def claim_issue(self, claim_id: str, fields: dict[str, str], files: list[dict[str, Any]]) -> dict[str, Any]:
        """``POST …/claims/{id}/issue`` (multipart): the seller rejects WaitingInAction units.
        guess: Trendyol reviews a rejection before it stands; here the units become Rejected at once."""
        with self.current():
            claim = self._claim(claim_id)
            raw_reason = fields.get("claimIssueReasonId")
            try:
                reason = int(str(raw_reason).strip())
            except ValueError:
                raise Refused(400, "claim.issue.reason.required", "claimIssueReasonId zorunludur ve bir sayı olmalıdır") from None
            if reason not in dict(CLAIM_ISSUE_REASONS):
                raise Refused(400, "invalid.claim.issue.reason", f"Geçersiz claimIssueReasonId: {reason}")
            ids = [i for i in str(fields.get("claimItemIdList") or "").split(",") if i.strip()]
            description = fields.get("description") or ""
            if not description.strip():
                raise Refused(400, "description.required", "description zorunludur")
            if len(description) > CLAIM_ISSUE_DESCRIPTION_MAX:
                raise Refused(400, "description.too.long",
                              f"description en fazla {CLAIM_ISSUE_DESCRIPTION_MAX} karakter olabilir ({len(description)})")
            if not files and reason not in CLAIM_ISSUE_REASONS_WITHOUT_FILES:
                raise Refused(400, "files.required", f"Bu ret sebebi ({reason}) için en az bir dosya (jpeg veya pdf) "
                                                     "yüklenmelidir")
            for upload in files:
                name = (upload.get("filename") or "").lower()
                kind = (upload.get("content_type") or "").lower()
                if kind not in ("application/pdf", "image/jpeg", "image/jpg") and not name.endswith((".pdf", ".jpg", ".jpeg")):
                    raise Refused(400, "invalid.file.type", f"Yalnızca jpeg veya pdf dosyaları yüklenebilir: {upload.get('filename')}")
            items = self._claim_items(claim, ids, "WaitingInAction")
            issue_id = self._next_line_item = self._next_line_item + 1
            for item in items:
                item.update({"claimItemStatus": {"name": "Rejected"}, "resolved": True, "note": description,
                             "claimIssue": {"id": issue_id, "claimIssueReasonId": reason, "description": description,
                                            "files": [u.get("filename") for u in files]}})
            claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())
            return {"id": issue_id}

    def claims_waiting_in_action(self, claim_ids: list[str]) -> int:
        """Stage helper: move Created units of the claims to WaitingInAction; how many moved."""
        with self.current():
            moved = 0
            for claim_id in claim_ids:
                claim = self._claim(claim_id)
                for group in claim["items"]:
                    for item in group["claimItems"]:
                        if item["claimItemStatus"]["name"] == "Created":
                            item["claimItemStatus"] = {"name": "WaitingInAction"}
                            moved += 1
                claim["lastModifiedDate"] = max(claim["lastModifiedDate"], now_ms())
            if not moved:
                raise Refused(400, "claim.item.status.not.valid", "WaitingInAction statüsüne çekilecek Created kalem yok")
            return moved

    def list_claims(self, *, start: int | None, end: int | None, page: int, size: int, status: str | None,
                    order_number: str | None, claim_ids: list[str] | None) -> dict[str, Any]:
        """``getClaims``: dates select by creation (claimDate); sorted by lastModifiedDate."""
        with self.current():
            if claim_ids:  # no record window: Trendyol documents one for getShipmentPackages only
                candidates = [self._claims[c] for c in dict.fromkeys(claim_ids) if c in self._claims]
            else:
                candidates = [c for c in self._claims.values()
                              if (start is None or c["claimDate"] >= start) and (end is None or c["claimDate"] <= end)]
                if status:
                    candidates = [c for c in candidates if any(item["claimItemStatus"]["name"] == status
                                                               for group in c["items"] for item in group["claimItems"])]
                if order_number:
                    candidates = [c for c in candidates if c["orderNumber"] == order_number]
            candidates.sort(key=lambda c: (c["lastModifiedDate"], c["claimDate"], c["id"]))
            chunk, totals = numbered_page(candidates, page, size)
            return {**totals, "content": copy.deepcopy(chunk)}

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        with self.current():
            found = self._claims.get(str(claim_id))
            return copy.deepcopy(found) if found else None

    def all_claims(self) -> list[dict[str, Any]]:
        with self.current():
            return copy.deepcopy(list(self._claims.values()))

    @staticmethod
    def claim_issue_reasons() -> list[dict[str, Any]]:
        return [{"id": rid, "name": name} for rid, name in CLAIM_ISSUE_REASONS]

