"""The order side (OMS) of the Hepsiburada simulator: orders and their lines, packages and
their state machine, cancellations, unpacked packages and claims, the shopper, the carriers.

Timed work (Hepsiburada's own packing ``auto_pack_delay`` seconds after an order, the
shopper's orders at ``order_rate``) runs on the state's lazy clock.
"""

from __future__ import annotations

import base64
import binascii
import copy
import itertools
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from ...simkit import Refusal, StateMachine, Ticker, basket, is_int, is_number, person
from ..config import (
    CANCEL_REASONS,
    CLAIM_REASONS,
    CLAIMS_PAGE_SIZE,
    INVOICE_LINK_SUFFIX,
    LABEL_FORMATS,
    MAX_MERCHANT_STATEMENT,
    OMS_DATE_FORMAT,
    OMS_UTC_OFFSET_HOURS,
    OWN_CARRIER_MAX_AGE_DAYS,
    PACKAGES_PAGE_SIZE,
    PAID_ORDERS_PAGE_SIZE,
    STATUS_LIST_PAGE_SIZE,
    UNPACKED_PAGE_SIZE,
)
from .state import _refresh_salable

# Carriers: short name (as packages are created and changed with) -> name and tracking URL template.
# guess: Hepsiburada's list of short names is in "Sipariş Entegrasyonu Önemli Bilgiler" (Kalem veya
# Kalemleri Paketleme), which could not be read; these are the carriers it works with.
CARRIERS: dict[str, dict[str, str]] = {
    "HX": {"name": "HepsiJET", "url": "https://www.hepsijet.com/gonderi-takibi/{code}"},
    "YK": {"name": "Yurtiçi Kargo",
           "url": "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={code}"},
    "ARAS": {"name": "Aras Kargo", "url": "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={code}"},
    "MNG": {"name": "MNG Kargo", "url": "https://www.mngkargo.com.tr/gonderi-takip/?code={code}"},
    "PTT": {"name": "PTT Kargo", "url": "https://gonderitakip.ptt.gov.tr/Track/Verify?q={code}"},
    "SURAT": {"name": "Sürat Kargo", "url": "https://suratkargo.com.tr/KargoTakip/?kargotakipno={code}"},
    "UPS": {"name": "UPS Kargo", "url": "https://www.ups.com.tr/WaybillSorgu.aspx?Waybill={code}"},
    "KOLAYGELSIN": {"name": "Kolay Gelsin", "url": "https://esube.kolaygelsin.com/shipments?trackingId={code}"},
}
DEFAULT_CARRIER = "HX"  # Hepsiburada's own carrier, for packages Hepsiburada makes


def find_carrier(short_name: str | None) -> dict[str, str] | None:
    """The carrier with this short name (any case), or None."""
    if not short_name:
        return None
    key = str(short_name).strip().upper()
    found = CARRIERS.get(key)
    return {"shortName": key, **found} if found else None


def carrier_by_name(name: str | None) -> dict[str, str]:
    """The carrier with this name (any case), falling back to Hepsiburada's own."""
    wanted = str(name or "").strip().lower()
    for short, info in CARRIERS.items():
        if info["name"].lower() == wanted:
            return {"shortName": short, **info}
    return {"shortName": DEFAULT_CARRIER, **CARRIERS[DEFAULT_CARRIER]}




def shopper(n: int, *, abroad: bool = False) -> dict[str, Any]:
    """The ``n``-th shopper (simkit's deterministic one) in Hepsiburada's shape."""
    who = person(n, abroad=abroad)
    address = {"countryCode": who.country, "city": who.city, "town": who.district, "district": who.neighbourhood,
               "postalCode": who.postcode,
               "address": who.line if abroad else f"{who.line} {who.district}/{who.city}"}
    return {"customerId": f"c{100000 + n}", "name": who.name, "email": who.email, "phoneNumber": who.phone,
            "address": address}


OPEN = "Open"  # guess: the status of a paid line waiting to be packaged (the document leaves it untyped)
PACKAGED, IN_TRANSIT, DELIVERED, UNDELIVERED = "Packaged", "InTransit", "Delivered", "Undelivered"
CANCELLED, UNPACKED = "Cancelled", "Unpacked"
PACKAGE_STATUSES = (PACKAGED, IN_TRANSIT, DELIVERED, UNDELIVERED, CANCELLED, UNPACKED)
# The only moves a package makes; anything else is refused with 409 (guess: the documents list 400
# for every refusal; 409 tells a wrong state from a malformed request).
PACKAGE_MOVES: dict[str, tuple[str, ...]] = {
    PACKAGED: (IN_TRANSIT, CANCELLED, UNPACKED),
    IN_TRANSIT: (DELIVERED, UNDELIVERED),
}
AWAITING_ACTION, IN_DISPUTE, NEW_REQUEST = "AwaitingAction", "InDispute", "NewRequest"
# Claim moves Hepsiburada (or the customer) makes; the merchant only accepts or rejects AwaitingAction ones.
CLAIM_MOVES: dict[str, tuple[str, ...]] = {
    NEW_REQUEST: (AWAITING_ACTION, "Cancelled"),
    AWAITING_ACTION: ("Accepted", "Cancelled"),
    IN_DISPUTE: ("Accepted", "Rejected"),
    "Accepted": ("Refunded",),
}
# Merchant-own-carrier actions: the date field each request carries and the status it moves to.
_CARRIER_ACTIONS = {"intransit": ("shippedDate", IN_TRANSIT), "deliver": ("receivedDate", DELIVERED),
                    "undeliver": ("undeliveredDate", UNDELIVERED)}
SIM_TZ = timezone(timedelta(hours=OMS_UTC_OFFSET_HOURS))
OMS_PAGE_LIMITS = {  # listing -> (largest limit, default limit); over the largest is cut to it
    "orders": (PAID_ORDERS_PAGE_SIZE, PAID_ORDERS_PAGE_SIZE),
    "packages": (PACKAGES_PAGE_SIZE, PACKAGES_PAGE_SIZE),
    "status": (STATUS_LIST_PAGE_SIZE, STATUS_LIST_PAGE_SIZE),
    "unpacked": (UNPACKED_PAGE_SIZE, UNPACKED_PAGE_SIZE),
    "claims": (CLAIMS_PAGE_SIZE, CLAIMS_PAGE_SIZE),
}
DEFAULT_UNIT_PRICE = 100.0
# A 1x1 PNG: the simulated cargo label (guess: Hepsiburada answers label images base64-encoded).
LABEL_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
_SHOPPER_SCAN = 200  # listings the shopper looks at for each order
_SHOPPER_STRIDE = 37  # how far the shopper's starting point moves between orders


class OmsError(Refusal):
    """An OMS request the simulator refuses: HTTP ``status`` and Hepsiburada-style ``message``."""


def _refuse_move(what: str, key: str):
    def refuse(record: dict[str, Any], current: str, target: str, allowed: tuple[str, ...]) -> OmsError:
        return OmsError(409, f"{what} {record[key]} is {current}; it can move to "
                        f"{', '.join(allowed) or 'nothing (final)'}, not {target}")
    return refuse


PACKAGES = StateMachine(PACKAGE_MOVES, _refuse_move("Package", "packageNumber"))
CLAIMS = StateMachine(CLAIM_MOVES, _refuse_move("Claim", "number"))


def sim_iso(epoch: float | None) -> str | None:
    """A simulator time as the OMS answers it: ISO 8601 in Turkey time with milliseconds."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, SIM_TZ).isoformat(timespec="milliseconds")


def parse_query_date(text: str) -> float:
    """A ``begindate``/``enddate`` value (``yyyy-MM-dd HH:mm``, Turkey time) as epoch seconds."""
    try:
        return datetime.strptime(text.strip(), OMS_DATE_FORMAT).replace(tzinfo=SIM_TZ).timestamp()
    except (ValueError, AttributeError):
        raise OmsError(400, f"WrongDateFormat: {text!r} is not a date in the format yyyy-MM-dd HH:mm") from None


def parse_body_date(value: Any, name: str) -> float:
    """A date in a request body (ISO 8601, or yyyy-MM-dd HH:mm; without an offset: Turkey time)."""
    if not isinstance(value, str) or not value.strip():
        raise OmsError(400, f"{name} is required (an ISO 8601 date)")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text, OMS_DATE_FORMAT)
        except ValueError:
            raise OmsError(400, f"{name}: {value!r} is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SIM_TZ)
    return moment.timestamp()


def _money(amount: float) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": "TRY"}


def _vat(gross: float, rate: float) -> float:
    """The VAT inside a VAT-inclusive amount."""
    return round(gross * rate / (100 + rate), 2)


def _in_window(moment: float | None, begin: float | None, end: float | None) -> bool:
    """``begin`` is inclusive, ``end`` exclusive (guess: the documents say "from" and "before")."""
    if moment is None:
        return False
    return (begin is None or moment >= begin) and (end is None or moment < end)


class OrderState:
    """The order half of :class:`SimulatorState` (a mixin: it uses its lock, options and listings).

    Orders are placed with paid lines (``Open``). The merchant packs lines into packages (or
    Hepsiburada does, ``auto_pack_delay`` seconds after the order when the merchant has not);
    a package then moves ``Packaged → InTransit → Delivered | Undelivered``, or from
    ``Packaged`` to ``Cancelled`` or ``Unpacked`` (its lines are waiting again), and no other
    way. Claims are opened on delivered lines and go ``AwaitingAction → Accepted`` or, when the
    merchant rejects, ``InDispute`` until Hepsiburada decides. A shopper places orders at
    ``order_rate`` per second. Times are epoch seconds.
    """

    def _clear_orders(self) -> None:
        self._orders: dict[str, dict[str, Any]] = {}  # orderNumber -> order
        self._lines: dict[str, dict[str, Any]] = {}  # lineItemId -> line (in creation order)
        self._packages: dict[str, dict[str, Any]] = {}  # packageNumber -> package (in creation order)
        self._cancelled: list[dict[str, Any]] = []  # cancelled lines, in cancellation order
        self._unpacked: list[dict[str, Any]] = []  # unpacked packages, in unpack order
        self._claims: dict[str, dict[str, Any]] = {}  # claim number -> claim (in creation order)
        self._seq = itertools.count()  # creation order of lines and packages, for stable paging
        self._hb_skus_of: dict[str, str] = {}  # merchantSku without a listing -> its made-up hbSku
        self._shopper_n = 0
        self._ticker = Ticker()
        self._ticker.set_rate(self._options["order_rate"], self.clock.now())
        self.timeline.on("autopack", lambda number, instant: self._auto_pack(number))
        self.orders_total = 0
        self.packages_total = 0
        self.claims_total = 0

    # --- timing -----------------------------------------------------------------------
    def _orders_configured(self, clean: dict[str, Any]) -> None:
        if "order_rate" in clean:  # (re)start the shopper: earlier schedules are forgotten
            self._ticker.set_rate(clean["order_rate"], self.clock.now())

    def tick(self, now: float) -> None:
        for instant in self._ticker.due(now):
            self._place_shopper_order(self.clock.epoch(instant))

    # --- placing orders ---------------------------------------------------------------
    def _hb_sku_for(self, sku: str) -> str:
        listing = self._listings.get(sku)
        if listing is not None:
            return listing["hepsiburadaSku"]
        if sku not in self._hb_skus_of:
            self._hb_skus_of[sku] = self._next_hb_sku()  # type: ignore[attr-defined]
        return self._hb_skus_of[sku]

    def place_order(self, lines: Any, *, shopper_n: int | None = None, abroad: bool = False,
                    at: float | None = None, pack: bool = False, paid: bool = True) -> dict[str, Any]:
        """Place one order: ``lines`` is ``[{merchantSku, quantity[, price][, hbDiscount][, name]}]``.

        ``at`` backdates it (epoch seconds); ``pack`` has Hepsiburada package it at once.
        Raises OmsError(400) when a line is malformed.
        """
        if not isinstance(lines, list) or not lines:
            raise OmsError(400, 'lines must be a non-empty list of {"merchantSku", "quantity"}')
        clean = []
        for raw in lines:
            if not isinstance(raw, dict) or not isinstance(raw.get("merchantSku"), str) or not raw["merchantSku"]:
                raise OmsError(400, f"every line needs a merchantSku: {raw!r}")
            quantity = raw.get("quantity", 1)
            if not is_int(quantity) or quantity < 1:
                raise OmsError(400, f"quantity of {raw['merchantSku']} must be a whole number of at least 1")
            for key in ("price", "hbDiscount"):
                if key in raw and (not is_number(raw[key]) or raw[key] < 0):
                    raise OmsError(400, f"{key} of {raw['merchantSku']} must be a number of at least 0")
            clean.append(raw)
        with self.current():
            order = self._place(clean, shopper_n=shopper_n, abroad=abroad, at=at, paid=paid)
            if pack:
                self._auto_pack(order["orderNumber"], at=at)
            return self._order_view(order)

    def _place(self, lines: list[dict[str, Any]], *, shopper_n: int | None, abroad: bool, at: float | None,
               paid: bool = True) -> dict[str, Any]:
        self.orders_total += 1
        number = str(4_100_000_000 + self.orders_total)
        if shopper_n is None:
            shopper_n = self._shopper_n
            self._shopper_n += 1
        placed = self.clock.epoch() if at is None else at
        order = {"orderNumber": number, "orderId": str(uuid.uuid4()), "placed": placed,
                 "customer": shopper(shopper_n, abroad=abroad),
                 "microExport": abroad, "lines": []}
        self._orders[number] = order
        for raw in lines:
            sku = raw["merchantSku"]
            listing = self._listings.get(sku)
            price = raw.get("price")
            if price is None:
                price = listing["price"] if listing is not None and listing["price"] > 0 else DEFAULT_UNIT_PRICE
            product = self._products.get(sku)
            carrier = carrier_by_name(listing["cargoCompany1"] if listing else None)
            line = {
                "id": str(uuid.uuid4()), "seq": next(self._seq), "orderNumber": number, "merchantSku": sku,
                "hbSku": self._hb_sku_for(sku), "name": raw.get("name") or (product or {}).get("productName")
                or f"Ürün {sku}", "quantity": raw.get("quantity", 1), "unitPrice": float(price),
                "unitHbDiscount": float(raw.get("hbDiscount", 0.0)), "vatRate": 20,
                "status": OPEN, "packageNumber": None, "created": placed, "updated": placed,
                "canCreatePackage": paid, "cargo": carrier["shortName"],
                "listingId": listing["listingId"] if listing else None,
            }
            self._lines[line["id"]] = line
            order["lines"].append(line["id"])
            if listing is not None:  # the sale takes the units off the listing
                listing["availableStock"] = max(0, listing["availableStock"] - line["quantity"])
                _refresh_salable(listing)
        delay = self._options["auto_pack_delay"]
        if delay is not None:
            self.timeline.after(delay, "autopack", number)
        return order

    def _place_shopper_order(self, at: float) -> None:
        """The shopper's next order: 1-2 lines of salable listings (else ``shopper_skus``), 1-3 units each.

        Listings are looked at ``_SHOPPER_SCAN`` at a time from a point that moves with each
        order, so a catalogue of 100,000 listings costs no more than a small one.
        """
        n = self._shopper_n
        count = len(self._listings)
        start = (n * _SHOPPER_STRIDE) % count if count else 0
        window = self._listings.page(start, _SHOPPER_SCAN)
        window += self._listings.page(0, min(count, _SHOPPER_SCAN) - len(window))
        salable = [listing["merchantSku"] for listing in window if listing["isSalable"]]
        lines = [{"merchantSku": sku, "quantity": quantity}
                 for sku, quantity in basket(n, salable or list(self._options["shopper_skus"]))]
        self._place(lines, shopper_n=None, abroad=n % 25 == 24, at=at)

    # --- packages -----------------------------------------------------------------------
    def _portion(self, line: dict[str, Any], quantities: list[int]) -> list[dict[str, Any]]:
        """Split ``line`` into lines of these quantities (they sum to its quantity); the first keeps its id."""
        out = [line]
        line["quantity"] = quantities[0]
        for quantity in quantities[1:]:
            part = {**line, "id": str(uuid.uuid4()), "seq": next(self._seq), "quantity": quantity}
            self._lines[part["id"]] = part
            self._orders[line["orderNumber"]]["lines"].append(part["id"])
            out.append(part)
        return out

    def _new_package(self, lines: list[dict[str, Any]], cargo: str, by: str, at: float | None = None) -> dict[str, Any]:
        self.packages_total += 1
        now = self.clock.epoch() if at is None else at
        number = str(6_500_000_000 + self.packages_total)
        package = {
            "packageNumber": number, "id": str(uuid.uuid4()), "seq": next(self._seq),
            "barcode": f"HBC{7_000_000_000 + self.packages_total}", "status": PACKAGED,
            "lines": [line["id"] for line in lines], "cargo": cargo, "created": now, "updated": now,
            "packedBy": by, "shipped": None, "delivered": None, "undelivered": None, "undeliveredReason": None,
            "unpacked": None, "trackingNumber": None, "trackingUrl": None, "invoice": None,
            "history": [{"status": PACKAGED, "at": now, "by": by}],
        }
        for line in lines:
            line.update(status=PACKAGED, packageNumber=number, updated=now)
        self._packages[number] = package
        return package

    def create_package(self, requests: Any, cargo_short: Any = None) -> dict[str, Any]:
        """``POST /packages/merchantid/{id}``: package paid lines; returns ``{barcode, packageNumber}``."""
        if not isinstance(requests, list) or not requests:
            raise OmsError(400, "lineItemRequests must be a non-empty list of {id, quantity}")
        wanted: list[tuple[dict[str, Any], int]] = []
        for raw in requests:
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
                raise OmsError(400, f"every lineItemRequest needs an id: {raw!r}")
            line = self._lines.get(raw["id"])
            if line is None:
                raise OmsError(404, f"Line item {raw['id']} not found")
            if any(line is other for other, _ in wanted):
                raise OmsError(400, f"Line item {raw['id']} appears more than once")
            quantity = raw.get("quantity")
            if not is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                raise OmsError(400, f"quantity of line item {raw['id']} must be between 1 and {line['quantity']}")
            if line["status"] != OPEN:
                raise OmsError(409, f"Line item {raw['id']} is {line['status']}; only lines waiting to be "
                               "packaged can be packaged")
            if not line["canCreatePackage"]:
                raise OmsError(400, f"Line item {raw['id']} is not paid yet (canCreatePackage false)")
            wanted.append((line, quantity))
        customers = {self._orders[line["orderNumber"]]["customer"]["customerId"] for line, _ in wanted}
        if len(customers) > 1:
            raise OmsError(400, "these line items cannot be packaged together: they go to different customers")
        cargo = wanted[0][0]["cargo"]
        if cargo_short not in (None, ""):
            found = find_carrier(cargo_short) if isinstance(cargo_short, str) else None
            if found is None:
                raise OmsError(400, f"unknown cargo company {cargo_short!r}; use a short name such as "
                               f"{', '.join(CARRIERS)}")
            cargo = found["shortName"]
        packed = []
        for line, quantity in wanted:
            parts = self._portion(line, [quantity, line["quantity"] - quantity]) if quantity < line["quantity"] \
                else [line]
            packed.append(parts[0])
        package = self._new_package(packed, cargo, by="merchant")
        return {"barcode": package["barcode"], "packageNumber": package["packageNumber"]}

    def _auto_pack(self, order_number: str, at: float | None = None) -> None:
        """Hepsiburada packs an order's paid lines the merchant has not packed (lock held)."""
        order = self._orders.get(order_number)
        if order is None:
            return
        waiting = [self._lines[i] for i in order["lines"]
                   if self._lines[i]["status"] == OPEN and self._lines[i]["canCreatePackage"]]
        if waiting:
            self._new_package(waiting, waiting[0]["cargo"], by="hepsiburada", at=at)

    def _package(self, package_number: str) -> dict[str, Any]:
        package = self._packages.get(package_number)
        if package is None:
            raise OmsError(404, f"Package {package_number} not found")
        return package

    def _move(self, package: dict[str, Any], status: str, by: str, at: float | None = None) -> float:
        PACKAGES.check(package, status)
        now = self.clock.epoch() if at is None else at
        package.update(status=status, updated=now)
        package["history"].append({"status": status, "at": now, "by": by})
        for line_id in package["lines"]:
            line = self._lines[line_id]
            if line["status"] != CANCELLED:
                line.update(status=status, updated=now)
        return now

    def _unpack(self, package: dict[str, Any], by: str, at: float | None = None) -> None:
        now = self._move(package, UNPACKED, by, at)
        package["unpacked"] = now
        orders = []
        for line_id in package["lines"]:
            line = self._lines[line_id]
            if line["status"] == UNPACKED:
                line.update(status=OPEN, packageNumber=None, updated=now)
            if line["orderNumber"] not in orders:
                orders.append(line["orderNumber"])
        self._unpacked.append({"packageNumber": package["packageNumber"], "barcode": package["barcode"],
                               "unpackedDate": now, "orderNumbers": orders})
        delay = self._options["auto_pack_delay"]
        if delay is not None:  # Hepsiburada packs the lines again if the merchant does not
            for number in orders:
                self.timeline.after(delay, "autopack", number)

    def unpack(self, package_number: str, by: str = "merchant", at: float | None = None) -> None:
        self._unpack(self._package(package_number), by, at)

    def split_package(self, package_number: str, details: Any, cancelled: Any) -> list[str]:
        """``POST …/packagenumber/{pn}/split``: the package is broken into new ones (and lines
        cancelled); every unit of the package must be placed exactly once. Returns the new numbers."""
        if not isinstance(details, list) or not isinstance(cancelled, list) or not (details or cancelled):
            raise OmsError(400, "packageDetails and cancelledItems must be lists, not both empty")
        package = self._package(package_number)
        if package["status"] != PACKAGED:
            raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages "
                           "can be split")
        own = {i: self._lines[i] for i in package["lines"] if self._lines[i]["status"] == PACKAGED}
        asked: dict[str, list[tuple[int, int | None, int]]] = {}  # line -> [(group or None, qty, reason)]
        for number, detail in enumerate(details):
            lines = detail.get("lines") if isinstance(detail, dict) else None
            if not isinstance(lines, list) or not lines:
                raise OmsError(400, f"packageDetails[{number}].lines must be a non-empty list")
            for raw in lines:
                self._ask(asked, own, raw, number, None)
        for raw in cancelled:
            reason = raw.get("cancelReasonId") if isinstance(raw, dict) else None
            if reason not in CANCEL_REASONS:
                raise OmsError(400, f"cancelReasonId must be one of {', '.join(map(str, CANCEL_REASONS))}")
            self._ask(asked, own, raw, None, reason)
        for line_id, line in own.items():
            placed = sum(q for _, q, _ in asked.get(line_id, []))
            if placed != line["quantity"]:
                raise OmsError(400, f"line {line_id} has {line['quantity']} unit(s) in the package but the split "
                               f"places {placed}")
        self._unpack(package, "merchant")
        self._unpacked[-1]["reason"] = "split"
        groups: dict[int, list[dict[str, Any]]] = {}
        now = self.clock.epoch()
        for line_id, portions in asked.items():
            parts = self._portion(own[line_id], [q for _, q, _ in portions])
            for part, (group, _, reason) in zip(parts, portions):
                if group is None:
                    self._cancel_line(part, CANCEL_REASONS[reason], "Merchant", now)
                else:
                    groups.setdefault(group, []).append(part)
        made = [self._new_package(groups[g], package["cargo"], by="merchant")["packageNumber"]
                for g in sorted(groups)]
        return made

    @staticmethod
    def _ask(asked, own, raw, group, reason) -> None:
        if not isinstance(raw, dict) or raw.get("orderLineId") not in own:
            raise OmsError(400, f"{raw!r} does not name a line of this package (orderLineId)")
        quantity = raw.get("quantity")
        if not is_int(quantity) or quantity < 1:
            raise OmsError(400, f"quantity of line {raw['orderLineId']} must be a whole number of at least 1")
        asked.setdefault(raw["orderLineId"], []).append((group, quantity, reason))

    def _cancel_line(self, line: dict[str, Any], reason_code: str, by: str, at: float | None = None) -> None:
        now = self.clock.epoch() if at is None else at
        line.update(status=CANCELLED, updated=now)
        self._cancelled.append({"lineItemId": line["id"], "orderNumber": line["orderNumber"],
                                "merchantSku": line["merchantSku"], "sku": line["hbSku"],
                                "quantity": line["quantity"], "cancelDate": now, "cancelReasonCode": reason_code,
                                "cancelledBy": by})

    def cancel_by_merchant(self, line_id: str, reason_id: Any) -> None:
        """``cancelbymerchant``: only a line not packaged yet, with a known reason, is cancelled (whole)."""
        if reason_id not in CANCEL_REASONS or isinstance(reason_id, bool):
            raise OmsError(400, f"reasonId must be one of {', '.join(f'{k} ({v})' for k, v in CANCEL_REASONS.items())}")
        line = self._lines.get(line_id)
        if line is None:
            raise OmsError(404, f"Line item {line_id} not found")
        if line["status"] != OPEN:
            raise OmsError(409, f"Line item {line_id} is {line['status']}; the merchant can cancel only lines "
                           "not packaged yet (unpack the package first, or split it with cancelledItems)")
        self._cancel_line(line, CANCEL_REASONS[reason_id], "Merchant")

    def cancel_order(self, order_number: str, line_ids: list[str] | None = None, at: float | None = None) -> int:
        """The customer (or Hepsiburada) cancels lines not shipped yet (now, or at epoch ``at``);
        packages left empty are Cancelled."""
        with self.current():
            order = self._orders.get(order_number)
            if order is None:
                raise OmsError(404, f"Order {order_number} not found")
            wanted = order["lines"] if not line_ids else line_ids
            lines = []
            for line_id in wanted:
                line = self._lines.get(line_id)
                if line is None or line["orderNumber"] != order_number:
                    raise OmsError(404, f"Line item {line_id} is not in order {order_number}")
                if line["status"] in (OPEN, PACKAGED):
                    lines.append(line)
                elif line_ids:
                    raise OmsError(409, f"Line item {line_id} is {line['status']} and can no longer be cancelled")
            now = self.clock.epoch() if at is None else float(at)
            touched = set()
            for line in lines:
                if line["packageNumber"]:
                    touched.add(line["packageNumber"])
                self._cancel_line(line, "CustomerRequest", "Customer", now)
            for number in touched:
                package = self._packages[number]
                if all(self._lines[i]["status"] == CANCELLED for i in package["lines"]):
                    self._move(package, CANCELLED, "customer", now)
            return len(lines)

    def set_invoice(self, package_number: str, body: Any) -> None:
        """``PUT …/invoice``: a link to a PDF (it must end in .pdf) on a package that is not cancelled or unpacked."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object with invoiceLink")
        link = body.get("invoiceLink")
        if not isinstance(link, str) or not link.strip():
            raise OmsError(400, "invoiceLink is required")
        link = link.strip()
        if not link.lower().startswith(("http://", "https://")):
            raise OmsError(400, f"invoiceLink {link!r} is not an http(s) link")
        if not link.lower().endswith(INVOICE_LINK_SUFFIX):
            raise OmsError(400, f"invoiceLink must be a link to a PDF file ending in {INVOICE_LINK_SUFFIX}: {link!r}")
        package = self._package(package_number)
        if package["status"] in (CANCELLED, UNPACKED):
            raise OmsError(409, f"Package {package_number} is {package['status']}; it takes no invoice")
        package["invoice"] = {"invoiceLink": link, **{k: body[k] for k in ("arrangementDate", "serialNumber",
                                                                        "rowNumber") if k in body},
                              "at": self.clock.epoch()}

    def _check_recent(self, moment: float, name: str) -> None:
        now = self.clock.epoch()
        if moment > now + 600:
            raise OmsError(400, f"{name} is in the future")
        if moment < now - OWN_CARRIER_MAX_AGE_DAYS * 86400:
            raise OmsError(400, f"{name} is more than {OWN_CARRIER_MAX_AGE_DAYS} days ago")

    def carrier_status(self, package_number: str, action: str, body: Any) -> None:
        """Merchant-own-carrier statuses: ``intransit`` (Packaged), ``deliver`` / ``undeliver`` (InTransit)."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        if action == "intransit":
            tracking = body.get("trackingNumber")
            if not isinstance(tracking, str) or not tracking.strip():
                raise OmsError(400, "trackingNumber is required")
        date_field, status = _CARRIER_ACTIONS[action]
        moment = parse_body_date(body.get(date_field), date_field)
        self._check_recent(moment, date_field)
        package = self._package(package_number)
        self._move(package, status, "merchant", moment)
        if action == "intransit":
            url = body.get("trackingUrl")
            package.update(shipped=moment, trackingNumber=body["trackingNumber"].strip(),
                           trackingUrl=url if isinstance(url, str) and url else None)
        elif action == "deliver":
            package["delivered"] = moment
        else:
            package.update(undelivered=moment, undeliveredReason=str(body.get("undeliveredReason") or ""))

    def move_package(self, package_number: str, status: str, *, at: float | None = None,
                     tracking_number: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Hepsiburada's side (its carrier, or the customer) moves a package: InTransit, Delivered,
        Undelivered, Cancelled or Unpacked, along the allowed moves only (OmsError 409 otherwise)."""
        if status not in PACKAGE_STATUSES:
            raise OmsError(400, f"status must be one of {', '.join(PACKAGE_STATUSES)}")
        with self.current():
            package = self._package(package_number)
            if status == UNPACKED:
                self._unpack(package, "hepsiburada", at)
            elif status == CANCELLED:
                if package["status"] != PACKAGED:
                    self._move(package, CANCELLED, "hepsiburada", at)  # raises the 409
                moment = self.clock.epoch() if at is None else at
                for line_id in package["lines"]:
                    if self._lines[line_id]["status"] == PACKAGED:
                        self._cancel_line(self._lines[line_id], "CancelledByHepsiburada", "Hepsiburada", moment)
                self._move(package, CANCELLED, "hepsiburada", moment)
            else:
                moment = self._move(package, status, "hepsiburada", at)
                if status == IN_TRANSIT:
                    package.update(shipped=moment, trackingNumber=tracking_number or package["barcode"])
                elif status == DELIVERED:
                    package["delivered"] = moment
                else:
                    package.update(undelivered=moment, undeliveredReason=reason or "Alıcı adreste bulunamadı")
            return self._package_detail(package)

    def change_cargo(self, package_number: str, short_name: Any) -> None:
        found = find_carrier(short_name) if isinstance(short_name, str) else None
        if found is None:
            raise OmsError(400, f"unknown cargo company {short_name!r}")
        package = self._package(package_number)
        if package["status"] != PACKAGED:
            raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages can "
                           "change carrier")
        package.update(cargo=found["shortName"], updated=self.clock.epoch())

    # The merchant's shipping (warehouse) address labels the simulated store has defined.
    ADDRESS_LABELS = ("BIRINCIL", "IKINCIL", "122", "123")

    def change_warehouse(self, package_number: str, body: Any) -> None:
        """``PUT …/warehouse``: ship a package from another of the merchant's addresses.
        guess: the body names the address by its label, as packaging does (``shippingAddressLabel``)."""
        label = body.get("shippingAddressLabel") if isinstance(body, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise OmsError(400, "shippingAddressLabel is required")
        if label.strip() not in self.ADDRESS_LABELS:
            raise OmsError(400, f"shippingAddressLabel {label!r} is not one of the merchant's addresses "
                           f"({', '.join(self.ADDRESS_LABELS)})")
        package = self._package(package_number)
        if package["status"] != PACKAGED:
            raise OmsError(409, f"Package {package_number} is {package['status']}; only Packaged packages can "
                           "change warehouse")
        package.update(warehouse=label.strip(), updated=self.clock.epoch())

    # --- reading ----------------------------------------------------------------------
    def _order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        lines = [self._lines[i] for i in order["lines"]]
        return {"orderNumber": order["orderNumber"], "orderId": order["orderId"], "orderDate": sim_iso(order["placed"]),
                "microExport": order["microExport"], "customer": copy.deepcopy(order["customer"]),
                "lineItemIds": [line["id"] for line in lines],
                "lines": [{"id": line["id"], "merchantSku": line["merchantSku"], "hbSku": line["hbSku"],
                           "quantity": line["quantity"], "unitPrice": line["unitPrice"], "status": line["status"],
                           "packageNumber": line["packageNumber"]} for line in lines],
                "packageNumbers": list(dict.fromkeys(line["packageNumber"] for line in lines if line["packageNumber"]))}

    def _addresses(self, order: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        person = order["customer"]
        address = person["address"]
        shipping = {"addressId": f"a-{person['customerId']}", "name": person["name"], "email": person["email"],
                    "phoneNumber": person["phoneNumber"], "alternatePhoneNumber": "", **address}
        billing = dict(shipping)
        if order["microExport"]:  # guess: micro-export invoices go to Hepsiburada's export agent in Türkiye
            billing.update(name="HB İhracat Aracı", address="Kuştepe Mah. Mecidiyeköy Yolu Cad. No:12 Şişli/İstanbul",
                           city="İstanbul", town="Şişli", district="Kuştepe Mah.", countryCode="TR",
                           postalCode="34387")
        return shipping, billing

    def _line_view(self, line: dict[str, Any]) -> dict[str, Any]:
        """A paid line as ``GET /orders/merchantid/{id}`` lists it (``LineRepresentation``)."""
        order = self._orders[line["orderNumber"]]
        shipping, billing = self._addresses(order)
        carrier = find_carrier(line["cargo"]) or {}
        quantity, unit, discount = line["quantity"], line["unitPrice"], line["unitHbDiscount"]
        return {
            "id": line["id"], "sku": line["hbSku"], "merchantSKU": line["merchantSku"], "name": line["name"],
            "orderId": order["orderId"], "orderNumber": order["orderNumber"], "orderDate": sim_iso(order["placed"]),
            "quantity": quantity, "status": line["status"], "canCreatePackage": line["canCreatePackage"],
            "isCancellable": line["status"] == OPEN, "isCancellableByHbAdmin": line["status"] in (OPEN, IN_TRANSIT),
            "merchantId": self._options["merchant_id"], "customerId": order["customer"]["customerId"],
            "customerName": order["customer"]["name"], "unitPrice": _money(unit),
            "totalPrice": _money(unit * quantity),
            "hbDiscount": {"unitPrice": _money(discount), "totalPrice": _money(discount * quantity)},
            "vatRate": line["vatRate"], "vat": _vat(unit * quantity, line["vatRate"]),
            "shippingAddress": shipping,
            "invoice": {"address": billing, "taxNumber": "", "taxOffice": "",
                        "turkishIdentityNumber": "11111111111"},
            "cargoCompany": carrier.get("name"),
            "cargoCompanyModel": {"id": list(CARRIERS).index(line["cargo"]) + 1, "name": carrier.get("name"),
                                  "shortName": line["cargo"], "logoUrl": "",
                                  "trackingUrl": carrier.get("url", "").replace("{code}", "")},
            "dispatchTime": 2, "dueDate": sim_iso(order["placed"] + 2 * 86400), "isMicroExport": order["microExport"],
            "lastStatusUpdateDate": sim_iso(line["updated"]), "deliveryType": "Standard",
            "warehouse": {"shippingAddressLabel": "BIRINCIL", "shippingModel": "Merchant"},
        }

    def _package_view(self, package: dict[str, Any]) -> dict[str, Any]:
        """A package as ``GET /packages/merchantid/{id}`` lists it (``ExternalRawPackageRepresentation``);
        lines cancelled out of a package that goes on are left out of it."""
        lines = [self._lines[i] for i in package["lines"]]
        if package["status"] != CANCELLED and any(line["status"] != CANCELLED for line in lines):
            lines = [line for line in lines if line["status"] != CANCELLED]
        order = self._orders[lines[0]["orderNumber"]]
        shipping, billing = self._addresses(order)
        carrier = find_carrier(package["cargo"]) or {}
        items, total = [], 0.0
        for line in lines:
            order_of = self._orders[line["orderNumber"]]
            quantity, unit, discount = line["quantity"], line["unitPrice"], line["unitHbDiscount"]
            total += unit * quantity
            items.append({
                "lineItemId": line["id"], "listingId": line["listingId"], "merchantId": self._options["merchant_id"],
                "merchantSku": line["merchantSku"], "hbSku": line["hbSku"], "productName": line["name"],
                "orderNumber": line["orderNumber"], "orderDate": sim_iso(order_of["placed"]), "quantity": quantity,
                "price": _money(unit), "totalPrice": _money(unit * quantity),
                "merchantUnitPrice": _money(unit + discount),
                "merchantTotalPrice": _money((unit + discount) * quantity),
                "unitHBDiscount": _money(discount), "totalHBDiscount": _money(discount * quantity),
                "unitMerchantDiscount": _money(0), "totalMerchantDiscount": _money(0),
                "vatRate": line["vatRate"], "vat": _vat(unit * quantity, line["vatRate"]),
                "isMicroExport": order_of["microExport"], "deliveryType": "Standard", "deci": 1,
                "status": line["status"],
            })
        return {
            "id": package["id"], "packageNumber": package["packageNumber"], "barcode": package["barcode"],
            "status": package["status"], "cargoCompany": carrier.get("name"),
            "isCargoChangable": package["status"] == PACKAGED,
            "orderDate": sim_iso(order["placed"]), "dueDate": sim_iso(order["placed"] + 2 * 86400),
            "estimatedArrivalDate": sim_iso(package["created"] + 3 * 86400),
            "lastStatusUpdateDate": sim_iso(package["updated"]), "unpackedDate": sim_iso(package["unpacked"]),
            "customerId": order["customer"]["customerId"], "customerName": order["customer"]["name"],
            "email": shipping["email"], "phoneNumber": shipping["phoneNumber"], "recipientName": shipping["name"],
            "shippingAddressDetail": shipping["address"], "shippingCity": shipping["city"],
            "shippingTown": shipping["town"], "shippingDistrict": shipping["district"],
            "shippingCountryCode": shipping["countryCode"], "companyName": billing["name"],
            "billingAddress": billing["address"], "billingCity": billing["city"], "billingTown": billing["town"],
            "billingDistrict": billing["district"], "billingPostalCode": billing["postalCode"],
            "billingCountryCode": billing["countryCode"], "taxOffice": "", "taxNumber": "",
            "identityNo": "11111111111", "totalPrice": _money(total), "shippingTotalPrice": _money(0),
            "customsTotalPrice": _money(0), "totalDeci": len(items), "items": items,
        }

    def _package_detail(self, package: dict[str, Any]) -> dict[str, Any]:
        """Everything about a package, for the control endpoints."""
        view = self._package_view(package)
        view.update(packedBy=package["packedBy"], invoice=copy.deepcopy(package["invoice"]),
                    warehouse=package.get("warehouse", "BIRINCIL"),
                    trackingNumber=package["trackingNumber"], trackingUrl=package["trackingUrl"],
                    shippedDate=sim_iso(package["shipped"]), deliveredDate=sim_iso(package["delivered"]),
                    undeliveredDate=sim_iso(package["undelivered"]), createdDate=sim_iso(package["created"]),
                    history=[{**h, "at": sim_iso(h["at"])} for h in package["history"]])
        return view

    def paid_lines_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        """Paid lines waiting to be packaged, added in [begin, end), oldest first."""
        rows = sorted((line for line in self._lines.values()
                       if line["status"] == OPEN and _in_window(line["created"], begin, end)),
                      key=lambda line: (line["created"], line["seq"]))
        return [self._line_view(line) for line in rows[offset:offset + limit]], len(rows)

    def order_detail(self, order_number: str) -> dict[str, Any]:
        """``GET /orders/merchantid/{id}/ordernumber/{orderNumber}`` (``OrderRepresentation``)."""
        order = self._orders.get(order_number)
        if order is None:
            raise OmsError(404, f"Order {order_number} not found")
        shipping, billing = self._addresses(order)
        return {"orderId": order["orderId"], "orderNumber": order_number, "orderDate": sim_iso(order["placed"]),
                "createdDate": sim_iso(order["placed"]), "paymentStatus": "Paid",
                "customer": {"customerId": order["customer"]["customerId"], "name": order["customer"]["name"]},
                "deliveryAddress": shipping, "invoice": {"address": billing, "taxNumber": "", "taxOffice": "",
                                                         "turkishIdentityNumber": "11111111111"},
                "items": [self._line_view(self._lines[i]) for i in order["lines"]]}

    def packages_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> list[dict[str, Any]]:
        """Packages created in [begin, end), oldest first, whatever their status now."""
        rows = sorted((p for p in self._packages.values() if _in_window(p["created"], begin, end)),
                      key=lambda p: (p["created"], p["seq"]))
        return [self._package_view(p) for p in rows[offset:offset + limit]]

    def status_page(self, kind: str, begin: float | None, end: float | None, offset: int,
                    limit: int) -> tuple[list, int]:
        """Packages shipped, delivered or undelivered in [begin, end) (PascalCase, as Hepsiburada answers)."""
        field_name = {"shipped": "shipped", "delivered": "delivered", "undelivered": "undelivered"}[kind]
        rows = sorted((p for p in self._packages.values() if _in_window(p[field_name], begin, end)),
                      key=lambda p: (p[field_name], p["seq"]))
        out = []
        for package in rows[offset:offset + limit]:
            numbers = list(dict.fromkeys(self._lines[i]["orderNumber"] for i in package["lines"]))
            item = {"Id": package["id"], "PackageNumber": package["packageNumber"], "Barcode": package["barcode"],
                    "MerchantId": self._options["merchant_id"], "OrderNumber": numbers[0], "OrderNumbers": numbers,
                    "EtgbNo": ""}
            if kind == "shipped":
                item.update(ShippedDate=sim_iso(package["shipped"]), Deci=len(package["lines"]))
            elif kind == "delivered":
                item["DeliveredDate"] = sim_iso(package["delivered"])
            else:
                item.update(UndeliveredDate=sim_iso(package["undelivered"]),
                            UndeliveredReason=package["undeliveredReason"])
            out.append(item)
        return out, len(rows)

    def cancelled_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        rows = [c for c in self._cancelled if _in_window(c["cancelDate"], begin, end)]
        return ([{**c, "cancelDate": sim_iso(c["cancelDate"]), "merchantId": self._options["merchant_id"]}
                 for c in rows[offset:offset + limit]], len(rows))

    def unpacked_page(self, begin: float | None, end: float | None, offset: int, limit: int) -> tuple[list, int]:
        rows = [u for u in self._unpacked if _in_window(u["unpackedDate"], begin, end)]
        return ([{"packageNumber": u["packageNumber"], "barcode": u["barcode"],
                  "unpackedDate": sim_iso(u["unpackedDate"])} for u in rows[offset:offset + limit]], len(rows))

    def tracking(self, package_number: str) -> dict[str, Any]:
        """``GET …/packagenumber/{pn}``: status, carrier and tracking code (``ExternalTrackingInfoRepresentation``)."""
        package = self._package(package_number)
        carrier = find_carrier(package["cargo"]) or {}
        code = package["trackingNumber"]
        url = package["trackingUrl"] or (carrier.get("url", "").replace("{code}", code) if code else None)
        return {"packageNumber": package["packageNumber"], "barcode": package["barcode"],
                "status": package["status"], "cargoCompany": carrier.get("name"), "deci": len(package["lines"]),
                "estimatedArrivalDate": sim_iso(package["created"] + 3 * 86400), "trackingInfoCode": code,
                "trackingInfoUrl": url}

    def labels(self, package_number: str, label_format: str) -> dict[str, Any]:
        if label_format not in LABEL_FORMATS:
            raise OmsError(400, f"format must be one of {', '.join(LABEL_FORMATS)}")
        package = self._package(package_number)
        if package["status"] not in (PACKAGED, IN_TRANSIT):
            raise OmsError(409, f"Package {package_number} is {package['status']}; it has no label")
        if label_format == "png":
            data = LABEL_PNG
        else:  # guess: the other formats carry the barcode in the format's own text (base64 for binaries)
            text = f"^XA^FO50,50^BCN,100,Y,N,N^FD{package['barcode']}^FS^XZ"
            data = text if label_format == "zpl" else base64.b64encode(text.encode()).decode()
        return {"data": [data], "format": label_format, "hasMerchantMutualBarcode": False}

    def package(self, package_number: str) -> dict[str, Any] | None:
        """A package as listed, plus its history, invoice, tracking and who packed it."""
        return self.view_of("_packages", package_number, self._package_detail)

    def packages(self) -> list[dict[str, Any]]:
        return self.views_of("_packages", self._package_detail)

    def order(self, order_number: str) -> dict[str, Any] | None:
        return self.view_of("_orders", order_number, self._order_view)

    def orders(self) -> list[dict[str, Any]]:
        return self.views_of("_orders", self._order_view)

    def oms_counters(self) -> dict[str, Any]:
        with self.current():
            return {"orders_total": self.orders_total, "packages_total": self.packages_total,
                    "claims_total": self.claims_total,
                    "lines_by_status": dict(Counter(line["status"] for line in self._lines.values())),
                    "packages_by_status": dict(Counter(p["status"] for p in self._packages.values())),
                    "claims_by_status": dict(Counter(c["status"] for c in self._claims.values()))}

    # --- claims -------------------------------------------------------------------------
    def create_claim(self, line_id: Any, *, quantity: Any = None, reason: Any = "PoorQuality", explanation: Any = "",
                     status: Any = AWAITING_ACTION, at: float | None = None) -> dict[str, Any]:
        """A customer's return claim on a delivered line (the SIT claim stub's job)."""
        if reason not in CLAIM_REASONS:
            raise OmsError(400, f"reason must be one of {', '.join(CLAIM_REASONS)}")
        if status not in (AWAITING_ACTION, NEW_REQUEST):
            raise OmsError(400, f"a claim starts as {AWAITING_ACTION} or {NEW_REQUEST}")
        with self.current():
            line = self._lines.get(line_id) if isinstance(line_id, str) else None
            if line is None:
                raise OmsError(404, f"Line item {line_id} not found")
            if line["status"] != DELIVERED:
                raise OmsError(409, f"Line item {line_id} is {line['status']}; claims are opened on delivered lines")
            quantity = line["quantity"] if quantity is None else quantity
            if not is_int(quantity) or not 1 <= quantity <= line["quantity"]:
                raise OmsError(400, f"quantity must be between 1 and {line['quantity']}")
            self.claims_total += 1
            now = self.clock.epoch() if at is None else at
            order = self._orders[line["orderNumber"]]
            claim = {"id": str(uuid.uuid4()), "number": f"HBT{8_000_000 + self.claims_total}", "status": status,
                     "claimType": "Return", "created": now, "updated": now, "lineItemId": line["id"],
                     "orderNumber": line["orderNumber"], "orderDate": order["placed"], "sku": line["hbSku"],
                     "merchantSku": line["merchantSku"], "quantity": quantity, "reason": reason,
                     "explanation": str(explanation or ""), "customerName": order["customer"]["name"],
                     "unitPrice": line["unitPrice"], "rejection": None, "acceptance": None, "refunded": None,
                     "history": [{"status": status, "at": now, "by": "customer"}]}
            self._claims[claim["number"]] = claim
            return self._claim_view(claim, detail=True)

    def _claim(self, number: str) -> dict[str, Any]:
        claim = self._claims.get(number)
        if claim is None:
            raise OmsError(404, f"Claim {number} not found")
        return claim

    def _set_claim_status(self, claim: dict[str, Any], status: str, by: str, at: float | None = None) -> None:
        now = self.clock.epoch() if at is None else at
        claim.update(status=status, updated=now)
        claim["history"].append({"status": status, "at": now, "by": by})
        if status == "Refunded":
            claim["refunded"] = now

    def accept_claim(self, number: str, body: Any) -> None:
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        claim = self._claim(number)
        if claim["status"] != AWAITING_ACTION:
            raise OmsError(409, f"Claim {number} is {claim['status']}; only {AWAITING_ACTION} claims can be "
                           "accepted")
        claim["acceptance"] = {k: body[k] for k in ("FinalizedWith", "InvoiceLink", "AcceptionReason") if k in body}
        self._set_claim_status(claim, "Accepted", "merchant")

    def reject_claim(self, number: str, body: Any) -> None:
        """The merchant's rejection sends the claim to Hepsiburada for review (``InDispute``)."""
        if not isinstance(body, dict):
            raise OmsError(400, "the body must be a JSON object")
        reason, statement = body.get("ClaimRejectionReason"), body.get("MerchantStatement")
        if not isinstance(reason, str) or not reason.strip():
            raise OmsError(400, "ClaimRejectionReason is required")
        if not isinstance(statement, str) or not statement.strip():
            raise OmsError(400, "MerchantStatement is required")
        if len(statement) > MAX_MERCHANT_STATEMENT:
            raise OmsError(400, f"MerchantStatement may be at most {MAX_MERCHANT_STATEMENT} characters "
                           f"({len(statement)} given)")
        reports = body.get("Reports") or []
        if not isinstance(reports, list) or not all(isinstance(r, str) for r in reports):
            raise OmsError(400, "Reports must be a list of base64 images")
        for report in reports:
            try:
                base64.b64decode(report, validate=True)
            except (binascii.Error, ValueError):
                raise OmsError(400, "Reports must be base64-encoded images") from None
        claim = self._claim(number)
        if claim["status"] != AWAITING_ACTION:
            raise OmsError(409, f"Claim {number} is {claim['status']}; only {AWAITING_ACTION} claims can be "
                           "rejected")
        claim["rejection"] = {"reason": reason.strip(), "statement": statement, "reports": len(reports)}
        self._set_claim_status(claim, IN_DISPUTE, "merchant")

    def move_claim(self, number: str, status: Any, at: float | None = None) -> dict[str, Any]:
        """Hepsiburada's (or the customer's) move of a claim: NewRequest → AwaitingAction, a dispute decided…"""
        with self.current():
            claim = self._claim(number)
            CLAIMS.check(claim, status)
            self._set_claim_status(claim, status, "hepsiburada", at)
            return self._claim_view(claim, detail=True)

    def _claim_view(self, claim: dict[str, Any], detail: bool = False) -> dict[str, Any]:
        """A claim as the claim listings answer it (documented fields, then the observed PascalCase ones)."""
        view = {
            "id": claim["id"], "number": claim["number"], "status": claim["status"], "claimType": claim["claimType"],
            "claimDate": sim_iso(claim["created"]), "orderNumber": claim["orderNumber"],
            "orderDate": sim_iso(claim["orderDate"]), "sku": claim["sku"], "quantity": claim["quantity"],
            "customerName": claim["customerName"], "explanation": claim["explanation"],
            "priceAmount": claim["unitPrice"], "priceCurrency": "TRY",
            "totalPriceAmount": round(claim["unitPrice"] * claim["quantity"], 2),
            "refundAmount": round(claim["unitPrice"] * claim["quantity"], 2) if claim["refunded"] else None,
            "refundCurrency": "TRY", "refundDate": sim_iso(claim["refunded"]),
            "merchantRejectionStatement": (claim["rejection"] or {}).get("statement"),
            "finalizedWith": (claim["acceptance"] or {}).get("FinalizedWith"),
            "lastStatusUpdateDate": sim_iso(claim["updated"]),  # guess: the status-date filter's field
            "lineItemId": claim["lineItemId"], "MerchantSku": claim["merchantSku"], "Reason": claim["reason"],
            "Reports": None, "RequestedProduct": None, "tags": [],
            "AwaitingActionExpireDate": sim_iso(claim["updated"] + 2 * 86400)
            if claim["status"] == AWAITING_ACTION else None,
        }
        if detail:
            view.update(rejection=copy.deepcopy(claim["rejection"]), acceptance=copy.deepcopy(claim["acceptance"]),
                        history=[{**h, "at": sim_iso(h["at"])} for h in claim["history"]])
        return view

    def claims_page(self, status: str | None, begin: float | None, end: float | None, status_begin: float | None,
                    status_end: float | None, offset: int, limit: int) -> tuple[list, int]:
        """Claims created in [begin, end) (and, with a status, that reached it in [status_begin, status_end))."""
        dated = begin is not None or end is not None
        status_dated = status_begin is not None or status_end is not None
        rows = [c for c in self._claims.values()
                if (status is None or c["status"] == status)
                and (not dated or _in_window(c["created"], begin, end))
                and (not status_dated or _in_window(c["updated"], status_begin, status_end))]
        return [self._claim_view(c) for c in rows[offset:offset + limit]], len(rows)

    def claim(self, number: str) -> dict[str, Any] | None:
        return self.view_of("_claims", number, partial(self._claim_view, detail=True))

    def claims(self) -> list[dict[str, Any]]:
        return self.views_of("_claims", partial(self._claim_view, detail=True))

