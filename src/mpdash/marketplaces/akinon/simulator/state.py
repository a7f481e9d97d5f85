"""The Seller Center simulator's state: category tree, offers and pre-offers, packages and
their items, claims. Time follows simkit's clock: a pre-offer is reviewed ``approval_delay``
after it was sent, the shopper's orders fall due at ``order_rate``."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import simkit
from ...simkit import options as opt
from ...simkit.sample_data import COLOURS
from ..config import (CANCELLED, CUSTOMER, DELIVERED, INVOICED, MAX_OFFERS_PER_REQUEST,
                      MAX_PAGE_SIZE, PREPARING, REFUNDED, SELLER, SHIPPED)

_NS = uuid.UUID("7d3f1a52-0c7e-4a8e-9d0b-5b6f3c2a1e90")
SIZES = ("XS", "S", "M", "L", "XL")


def uid(*parts: Any) -> str:
    return str(uuid.uuid5(_NS, "/".join(map(str, parts))))


# Top level ids as the Mono seed lists them; children ours.
TREE = (
    ("f8aeb10e-f0f9-4f17-9687-60e542bdaefc", "Giyim", (("Kadın", ("Elbise", "Tişört")), ("Erkek", ("Gömlek",)))),
    ("ffcc74a6-6b46-4820-91fd-d30501037aa0", "Ayakkabı", (("Spor Ayakkabı", ()), ("Bot", ()))),
    ("16a74479-df58-4a37-8cc6-120f7d899554", "Elektronik", (("Telefon Kılıfı", ()),)),
)
ATTRIBUTES = (  # key, name, required, variant, allow custom, values
    ("COLOR", "Renk", True, False, False, COLOURS), ("SIZE", "Beden", True, True, False, SIZES),
    ("BRAND", "Marka", True, False, True, ()),
)
CANCEL_REASONS = {uid("reason", "cancel", i): s for i, s in enumerate(("Stokta yok", "Hatalı fiyat", "Müşteri vazgeçti"))}
REFUND_REASONS = {uid("reason", "refund", i): s for i, s in enumerate(("Beden uymadı", "Hasarlı ürün", "Beğenmedim"))}


def _node(cid: str, name: str, parent: str | None, children) -> dict[str, Any]:
    kids = []
    for child in children:
        child_name, grand = child if isinstance(child, tuple) else (child, ())
        kid = uid(cid, child_name)
        kids.append(_node(kid, child_name, cid, tuple((g, ()) for g in grand)))
    return {"id": cid, "name": name, "parent": parent, "children": kids}


CATEGORIES = [_node(cid, name, None, kids) for cid, name, kids in TREE]


def _leaves(nodes) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        out |= _leaves(node["children"]) if node["children"] else {node["id"]}
    return out


LEAVES = _leaves(CATEGORIES)


def attributes_json() -> list[dict[str, Any]]:
    return [{"id": uid("attr", key), "key": key, "name": name, "is_required": req, "is_variant": var,
             "allow_custom": custom, "data_type": "text" if custom else "dropdown",
             "values": [{"id": uid("value", key, v), "value": v, "label": v} for v in values]}
            for key, name, req, var, custom, values in ATTRIBUTES]


class Refused(simkit.Refusal):
    """Seller Center refuses the request: ``{detail, code}``."""

    def __init__(self, status: int, detail: str, code: str = "invalid"):
        super().__init__(status, detail, key=code)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str, name: str) -> float:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise Refused(400, f"{name}: Enter a valid date/time.", "invalid") from None


def amount(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{what}: A valid number is required.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{what}: A valid number is required.") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"{what}: Ensure this value is greater than 0.")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{what}: Ensure that there are no more than 2 decimal places.")
    return number


def page_of(rows: list[dict[str, Any]], query: dict[str, list[str]], path: str) -> dict[str, Any]:
    def arg(name, default):
        values = query.get(name)
        return values[0] if values else default
    try:
        page, limit = int(arg("page", "1")), int(arg("limit", "10"))
    except ValueError:
        raise Refused(400, "page and limit must be integers.") from None
    if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise Refused(400 if limit < 1 or limit > MAX_PAGE_SIZE else 404,
                      "Invalid page." if page < 1 else f"limit must be 1..{MAX_PAGE_SIZE}.", "invalid_page")
    start = (page - 1) * limit
    if start and start >= len(rows):
        raise Refused(404, "Invalid page.", "not_found")
    more = start + limit < len(rows)
    return {"count": len(rows), "next": f"{path}?page={page + 1}&limit={limit}" if more else None,
            "previous": f"{path}?page={page - 1}&limit={limit}" if page > 1 else None,
            "results": rows[start:start + limit]}


def _micros(epoch: float) -> int:
    return round(epoch * 1_000_000)


def filtered(rows, query: dict[str, list[str]], fields: dict[str, str]) -> list[dict[str, Any]]:
    """Django-style filters: exact, ``__in`` (comma list), and ``updated_at`` / ``created_at`` ranges."""
    out = list(rows)
    for name, values in query.items():
        value = values[0]
        base, _, op = name.partition("__")
        if name in ("page", "limit") or base not in fields:
            continue
        if fields[base] == "time":  # compared in whole microseconds, as the database keeps them
            bound = _micros(parse_time(value, name))
            test = {"gte": lambda v: v >= bound, "gt": lambda v: v > bound, "lte": lambda v: v <= bound,
                    "lt": lambda v: v < bound, "": lambda v: v == bound}.get(op)
            if test is None:
                raise Refused(400, f"{name}: unknown filter.")
            out = [r for r in out if test(_micros(r["_" + base]))]
        elif op == "in":
            wanted = set(value.split(","))
            out = [r for r in out if str(r[base]) in wanted]
        elif op == "":
            out = [r for r in out if str(r[base]) == value]
    return out


def public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


class State(simkit.SimState):
    OPTIONS = simkit.OptionSet(
        **opt.common(), api_key=opt.text("demo-api-key"), email=opt.text("seller@example.com"),
        password=opt.text("demo-password"), rate_limit=opt.limit(600), rate_window=opt.number(60.0, positive=True),
        order_rate=opt.number(0.0), token_ttl=opt.number(3600.0, positive=True),
    )

    def clear(self) -> None:
        super().clear()
        self.offers = simkit.ListingStore(key_name="sku", batch_name="request")
        self.pre_offers: dict[str, dict[str, Any]] = {}
        self.rejections: dict[str, str] = {}
        self.packages: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, float] = {}
        self.ids = itertools.count(int(self.clock.epoch()) % 100_000 * 100 + 1)
        self.writes = itertools.count(1)
        self.batches = simkit.BatchQueue(self.timeline, "offers", self._apply, retention=lambda: 6 * 3600.0)
        self.timeline.on("review", self._review)
        self.ticker = simkit.Ticker()
        self.ticker.set_rate(self.option("order_rate"), self.clock.now())
        self.orders_placed = 0

    def configured(self, clean: dict[str, Any]) -> None:
        if "order_rate" in clean:
            self.ticker.set_rate(clean["order_rate"], self.clock.now())

    def epoch(self, instant: float | None = None) -> float:
        return self.clock.epoch(instant)

    def tick(self, now: float) -> None:
        for instant in self.ticker.due(now):
            ready = [o["sku"] for o in self.offers.values() if o["stock"] and o["status"] == "active"]
            if ready:
                n = self.orders_placed
                self._place(simkit.basket(n, ready), shopper=n, instant=instant)

    # --- auth (i1) ------------------------------------------------------------------------
    def obtain_token(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("email") or not body.get("password"):
            raise Refused(400, "email and password are required.", "required")
        if body["email"] != self.option("email") or body["password"] != self.option("password"):
            raise Refused(401, "No active account found with the given credentials", "no_active_account")
        token = uuid.uuid4().hex
        self.tokens[token] = self.clock.now() + self.option("token_ttl")
        return {"access": token, "expires_in": self.option("token_ttl")}

    def token_valid(self, token: str) -> bool:
        with self.current():
            return self.tokens.get(token, 0) > self.clock.now()

    # --- offers ---------------------------------------------------------------------------
    def _items(self, body: Any) -> list[dict[str, Any]]:
        if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
            raise Refused(400, "Expected a list of items.", "not_a_list")
        if not body:
            raise Refused(400, "This list may not be empty.", "empty")
        if len(body) > MAX_OFFERS_PER_REQUEST:
            raise Refused(400, f"Ensure this list has no more than {MAX_OFFERS_PER_REQUEST} items.", "max_length")
        skus = [str(i.get("sku") or "") for i in body]
        if len(set(skus)) != len(skus):
            raise Refused(400, "Each sku may appear once in a request.", "duplicate_sku")
        return body

    def bulk(self, kind: str, body: Any) -> dict[str, Any]:
        """Accept a bulk write whole (or refuse it whole); its items are applied
        ``processing_delay`` later, each answered in the batch's results."""
        with self.current():
            items = self._items(body)
            batch = self.batches.accept(kind, "seller", [dict(i) for i in items], self.option("processing_delay"))
            return self.batch_json(batch.id)

    def batch_json(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches.get(batch_id)
        if batch is None:
            raise Refused(404, "Not found.", "not_found")
        return {"id": batch.id, "type": batch.kind, "status": "completed" if batch.processed else "waiting",
                "count": len(batch.items), "results": list(batch.results or [])}

    def _apply(self, batch, at: float) -> list[dict[str, Any]]:
        results = []
        for item in batch.items:
            sku = str(item.get("sku") or "")
            offer = self.offers.get(sku)
            try:
                if offer is None:
                    raise LookupError
                values = self._stock(item) if batch.kind == "stock" else self._price(item, offer)
            except LookupError:
                results.append({"sku": sku, "status": "error", "detail": "Offer not found.", "code": "offer_not_found"})
                continue
            except ValueError as exc:
                results.append({"sku": sku, "status": "error", "detail": str(exc), "code": "invalid"})
                continue
            for key, value in values.items():
                if offer[key] != value:
                    offer[key] = value
                    self.offers.record(batch.id, key, sku, value, batch.accepted_at, at)
            offer["_updated_at"] = at
            results.append({"sku": sku, "status": "success", **{k: offer[k] for k in values}})
        return results

    @staticmethod
    def _stock(item: dict[str, Any]) -> dict[str, Any]:
        stock = item.get("stock")
        if isinstance(stock, bool) or not isinstance(stock, int) or stock < 0:
            raise ValueError(f"stock: A valid integer 0 or more is required (got {stock!r}).")
        return {"stock": stock}

    @staticmethod
    def _price(item: dict[str, Any], offer: dict[str, Any]) -> dict[str, Any]:
        price = amount(item.get("price"), "price")
        retail = amount(item["retail_price"], "retail_price") if item.get("retail_price") is not None else price
        if retail < price:
            raise ValueError("price cannot be greater than retail_price.")
        if str(item.get("currency_type", "try")).lower() != "try":
            raise ValueError(f"currency_type: \"{item.get('currency_type')}\" is not a valid choice.")
        cent = Decimal("0.01")
        return {"price": str(price.quantize(cent)), "retail_price": str(retail.quantize(cent))}

    def add_offer(self, sku: str, *, stock: int = 0, price: str = "100.00", retail_price: str | None = None,
                  name: str = "", category: str = "") -> dict[str, Any]:
        with self.current():
            offer = {"id": uid("offer", sku), "sku": sku, "name": name or sku, "category": category, "stock": stock,
                     "price": str(price), "retail_price": str(retail_price or price), "status": "active",
                     "_updated_at": self.epoch()}
            self.offers[sku] = offer
            return public(offer)

    # --- pre-offers (products) ---------------------------------------------------------------
    def send_pre_offers(self, body: Any) -> dict[str, Any]:
        with self.current():
            items, accepted, errors = self._items(body), [], []
            for item in items:
                sku = str(item.get("sku") or "")
                problems = [f"{k}: This field is required." for k in ("sku", "name", "base_code", "category")
                            if not str(item.get(k) or "").strip()]
                if item.get("category") and item["category"] not in LEAVES:
                    problems.append(f"category: \"{item['category']}\" is not a leaf category.")
                try:
                    amount(item.get("price"), "price")
                except ValueError as exc:
                    problems.append(str(exc))
                if problems:
                    errors.append({"sku": sku, "detail": " ".join(problems), "code": "invalid"})
                    continue
                pre = {"id": uid("pre", sku, next(self.writes)), "sku": sku, "status": "waiting",
                       "rejection_reasons": [], "data": dict(item)}
                self.pre_offers[sku] = pre
                self.timeline.after(self.option("approval_delay"), "review", sku)
                accepted.append({k: pre[k] for k in ("id", "sku", "status", "rejection_reasons")})
            return {"updated": accepted, "errors": errors}

    def _review(self, sku: str, instant: float) -> None:
        """The marketplace owner's review: bad data (no https image, a required attribute
        missing, a value not allowed) and marked skus are rejected with reasons."""
        pre = self.pre_offers.get(sku)
        if pre is None or pre["status"] != "waiting":
            return
        data, reasons = pre["data"], []
        if sku in self.rejections:
            reasons.append(self.rejections.pop(sku))
        images = [u for u in data.get("images") or [] if isinstance(u, str)]
        if not images or not all(u.startswith("https://") for u in images):
            reasons.append("At least one image with an https URL is required.")
        given = data.get("attributes") or {}
        for key, name, required, _, custom, values in ATTRIBUTES:
            if required and not given.get(key):
                reasons.append(f"{key} ({name}) attribute is required.")
            elif given.get(key) and values and not custom and given[key] not in values:
                reasons.append(f"{key}: \"{given[key]}\" is not an allowed value.")
        pre["status"] = "rejected" if reasons else "approved"
        pre["rejection_reasons"] = reasons
        if not reasons:
            offer = self.offers.get(sku) or {"id": uid("offer", sku), "sku": sku, "stock": 0, "status": "active"}
            cent = Decimal("0.01")
            price = amount(data["price"], "price").quantize(cent)
            retail = amount(data.get("retail_price") or data["price"], "retail_price").quantize(cent)
            offer.update(name=data["name"], category=data["category"], price=str(price), retail_price=str(max(retail, price)),
                         _updated_at=self.epoch(instant))
            offer["stock"] = int(data.get("stock") or offer["stock"] or 0)
            self.offers[sku] = offer
            self.offers.record(None, "approved", sku, True, instant, instant)

    # --- packages ------------------------------------------------------------------------------
    def _place(self, lines: list[tuple[str, int]], *, shopper: int = 0, instant: float | None = None,
               order_number: str | None = None) -> dict[str, Any]:
        n = next(self.ids)
        when = self.epoch(instant)
        person = simkit.person(shopper)
        number, order = f"P{n}", order_number or f"O{n}"
        address = {"first_name": person.first, "last_name": person.last, "line": person.line, "city": person.city,
                   "township": person.district, "district": person.neighbourhood, "postcode": person.postcode,
                   "phone_number": person.phone, "email": person.email}
        package = {"id": str(n), "number": number, "order_number": order, "status": PREPARING, "currency": "TRY",
                   "shipping_amount": "0.00", "customer_name": person.name, "customer_email": person.email,
                   "shipping_company": "yurtici", "tracking_number": None, "tracking_url": None,
                   "invoice_number": None, "shipping_address": address, "billing_address": dict(address),
                   "created_at": iso(when), "updated_at": iso(when), "_updated_at": when, "_created_at": when}
        for sku, quantity in lines:
            offer = self.offers.get(sku)
            if offer is None:
                raise Refused(400, f"no offer {sku}")
            for _ in range(int(quantity)):
                item_id = str(next(self.ids))
                self.items[item_id] = {"id": item_id, "package": number, "sku": sku, "name": offer.get("name", sku),
                                       "price": offer["price"], "retail_price": offer["retail_price"],
                                       "discount_amount": "0.00", "tax_rate": "20.00", "status": PREPARING}
            offer["stock"] = max(0, offer["stock"] - int(quantity))
        self.packages[number] = package
        self.orders_placed += 1
        return {"number": number, "order_number": order, "items": self.package_items(number)}

    def place_order(self, lines, **spec) -> dict[str, Any]:
        with self.current():
            return self._place([(str(s), int(q)) for s, q in lines], **spec)

    def package(self, number: str) -> dict[str, Any]:
        package = self.packages.get(number)
        if package is None:
            raise Refused(404, "Not found.", "not_found")
        return package

    def package_items(self, number: str) -> list[dict[str, Any]]:
        return [dict(i) for i in self.items.values() if i["package"] == number]

    def _touch(self, package: dict[str, Any]) -> None:
        package["_updated_at"] = max(self.epoch(), package["_updated_at"] + 0.001)
        package["updated_at"] = iso(package["_updated_at"])

    def update_package(self, number: str, body: Any) -> dict[str, Any]:
        """Status forward only (the seed: "cannot be updated retroactively"), shipped needs a
        tracking number, a cancelled package takes nothing."""
        with self.current():
            package = self.package(number)
            if not isinstance(body, dict):
                raise Refused(400, "Expected an object.")
            if package["status"] == CANCELLED:
                raise Refused(400, "Package is cancelled.", "package_cancelled")
            target = body.get("status", package["status"])
            if target not in (PREPARING, INVOICED, SHIPPED, DELIVERED):
                raise Refused(400, f"status: \"{target}\" is not a valid choice.", "invalid_choice")
            if target < package["status"]:
                raise Refused(400, f"Package status cannot go back from {package['status']} to {target}.",
                              "invalid_status_transition")
            for key in ("tracking_number", "tracking_url", "shipping_company", "invoice_number", "invoice_date",
                        "e_archive_url", "shipped_date", "waybill_number"):
                if body.get(key):
                    package[key] = str(body[key])
            if target >= SHIPPED and not package.get("tracking_number"):
                raise Refused(400, "tracking_number: This field is required to ship.", "required")
            package["status"] = target
            for item in self.items.values():
                if item["package"] == number and item["status"] != CANCELLED:
                    item["status"] = target
            self._touch(package)
            return public(package)

    def _claim(self, item: dict[str, Any], kind: str, status: str, by: int, reason: str, detail: str = "") -> dict:
        now = self.epoch()
        package = self.packages[item["package"]]
        reasons = CANCEL_REASONS if kind == "cancel" else REFUND_REASONS
        claim = {"id": uid("claim", item["id"], kind, len(self.claims)), "type": kind, "status": status,
                 "package_item": item["id"], "package_number": item["package"], "order_number": package["order_number"],
                 "sku": item["sku"], "reason": {"id": reason, "subject": reasons.get(reason, "")}, "detail": detail,
                 "cancelled_by": by, "created_at": iso(now), "updated_at": iso(now), "_updated_at": now}
        self.claims[claim["id"]] = claim
        return claim

    def cancel_items(self, number: str, body: Any, *, by: int = SELLER) -> dict[str, Any]:
        with self.current():
            package = self.package(number)
            if not isinstance(body, dict) or not body.get("items"):
                raise Refused(400, "items: This field is required.", "required")
            reason = str(body.get("reason") or "")
            if reason not in CANCEL_REASONS:
                raise Refused(400, f"reason: \"{reason}\" is not a cancellation reason.", "invalid_reason")
            if package["status"] >= SHIPPED:
                raise Refused(400, "A shipped package cannot be cancelled.", "package_shipped")
            items = [self.items.get(str(i)) for i in body["items"]]
            if any(i is None or i["package"] != number or i["status"] == CANCELLED for i in items):
                raise Refused(400, "items: every item must be a live item of this package.", "invalid_item")
            claims = []
            for item in items:
                item["status"] = CANCELLED
                claims.append(public(self._claim(item, "cancel", "completed", by, reason)))
            if all(i["status"] == CANCELLED for i in self.items.values() if i["package"] == number):
                package["status"] = CANCELLED
            self._touch(package)
            return {"package": public(package), "claims": claims}

    def open_refund(self, item_id: str, reason: str | None = None) -> dict[str, Any]:
        with self.current():
            item = self.items[str(item_id)]
            return public(self._claim(item, "refund", "open", CUSTOMER, reason or next(iter(REFUND_REASONS)),
                                      "customer return"))

    def decide(self, claim_id: str, verdict: str, body: Any) -> dict[str, Any]:
        with self.current():
            claim = self.claims.get(claim_id)
            if claim is None:
                raise Refused(404, "Not found.", "not_found")
            if claim["status"] not in ("open", "waiting"):
                raise Refused(400, f"Claim is {claim['status']}; only open or waiting claims can be decided.",
                              "claim_not_open")
            if verdict == "rejected" and not str((body or {}).get("reason") or "").strip():
                raise Refused(400, "reason: This field is required.", "required")
            claim["status"] = verdict
            claim["decision_reason"] = (body or {}).get("reason", "")
            claim["_updated_at"] = max(self.epoch(), claim["_updated_at"] + 0.001)
            claim["updated_at"] = iso(claim["_updated_at"])
            if verdict == "approved":
                self.items[claim["package_item"]]["status"] = REFUNDED
            return public(claim)

