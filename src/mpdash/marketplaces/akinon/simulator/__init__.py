"""A local HTTP server speaking the Seller Center integration API, on simkit: one simulator
serves Mono, Fashfed and Passo alike (each channel points at its own instance or shares one).

Paths under ``/api/i2/`` (API key in ``Authorization``) and the same under ``/api/i1/``
(``Authorization: Bearer <token>`` from ``POST /api/i1/token/obtain/``): ``GET categories/``,
``GET categories/{id}/attributes/``, ``GET|PATCH offers/``, ``PATCH offers/stocks/``,
``PATCH offers/prices/`` (202 with a batch id), ``GET offers/batches/{id}/``, ``GET|POST pre-offers/``, ``GET packages/``,
``GET packages/{number}/items/``, ``PATCH packages/{number}/``, ``POST packages/{number}/cancel/``,
``GET claims/``, ``GET claims/reasons/``, ``POST claims/{id}/approve/``, ``POST claims/{id}/reject/``.
Lists page with ``page`` (from 1) and ``limit`` and answer ``{count, next, previous, results}``;
errors are ``{detail, code}``.

Refused as the real API refuses (or as we expect it to [UNVERIFIED where the docs are
silent]): no or a wrong key (401), a bulk write not a list, empty, over 100 items or naming a
sku twice (400, nothing applied); per item: an unknown sku, a stock not a whole number 0 or
more, a price not positive with at most two decimals or above its retail price, a currency
other than try; a package status going back, shipping without a tracking number, a cancelled
package changed, a shipped package cancelled, a reason not of the claim reasons; deciding a
claim not open or waiting, a rejection without a reason; a page past the end (404).

Control paths (no auth), besides simkit's: ``POST /_sim/offers`` (``{"offers": [{sku, stock,
price}]}``), ``POST /_sim/orders`` (``{lines: [[sku, qty]]}``), ``POST /_sim/claims``
(``{item, reason?}``: a customer's refund claim), ``POST /_sim/cancel`` (``{package, items}``: the
customer cancels).
"""

from __future__ import annotations

import json
from typing import Any

from ... import simkit
from ..config import CUSTOMER
from .state import CANCEL_REASONS, CATEGORIES, LEAVES, REFUND_REASONS, Refused, State, attributes_json, filtered, page_of, public

R = simkit.route
V = r"/(?P<v>i1|i2)"
PACKAGE_FIELDS = {"number": "", "order_number": "", "status": "", "updated_at": "time", "created_at": "time",
                  "order": ""}
CLAIM_FIELDS = {"type": "", "status": "", "cancelled_by": "", "updated_at": "time", "package_number": "",
                "created_at": "time"}


class SellerCenterApi(simkit.Api):
    prefix = "/api"
    routes = (
        R("POST", r"/i1/token/obtain", "token"),
        R("GET", V + r"/categories", "categories"),
        R("GET", V + r"/categories/(?P<cid>[^/]+)/attributes", "attributes"),
        R("GET", V + r"/offers", "offers"),
        R("PATCH", V + r"/offers/stocks", "stocks"),
        R("PATCH", V + r"/offers/prices", "prices"),
        R("GET", V + r"/offers/batches/(?P<bid>[^/]+)", "batch"),
        R("GET", V + r"/pre-offers", "pre_offers"),
        R("POST", V + r"/pre-offers", "send_pre_offers"),
        R("GET", V + r"/packages", "packages"),
        R("GET", V + r"/packages/(?P<num>[^/]+)/items", "items"),
        R("PATCH", V + r"/packages/(?P<num>[^/]+)", "update"),
        R("POST", V + r"/packages/(?P<num>[^/]+)/cancel", "cancel"),
        R("GET", V + r"/claims/reasons", "reasons"),
        R("GET", V + r"/claims", "claims"),
        R("POST", V + r"/claims/(?P<cid>[^/]+)/(?P<verdict>approve|reject)", "decide"),
    )

    def error(self, status, message, request, *, key=None, headers=None) -> simkit.Answer:
        code = key or {401: "authentication_failed", 404: "not_found", 429: "throttled"}.get(status, "error")
        return simkit.Answer(status, {"detail": message, "code": code}, headers or {})

    def fault_headers(self, request) -> dict[str, str]:
        return {"Retry-After": "1"}

    def check_caller(self, request) -> simkit.Answer | None:
        if request.route is not None and request.route.name == "token":
            return None
        given = request.headers.get("Authorization") or ""
        if not given:
            return self.error(401, "Authentication credentials were not provided.", request, key="not_authenticated")
        if request.params.get("v") == "i1":
            scheme, _, token = given.partition(" ")
            ok = scheme == "Bearer" and self.state.token_valid(token)
        else:
            ok = given == request.options["api_key"]
        return None if ok else self.error(401, "Invalid token.", request, key="authentication_failed")

    def rate_window(self, request) -> simkit.RateWindow:
        return simkit.RateWindow("seller", request.options["rate_limit"], request.options["rate_window"])

    def rate_refused(self, request, window, reset) -> simkit.Answer:
        return self.error(429, "Request was throttled.", request, headers={"Retry-After": simkit.reset_header(reset)})

    @staticmethod
    def _body(request) -> Any:
        return simkit.json_body(request.body, Refused(400, "JSON parse error.", "parse_error"))

    @staticmethod
    def _path(request) -> str:
        return "/api" + request.path if not request.path.startswith("/api") else request.path

    def _list(self, request, rows) -> simkit.Answer:
        return simkit.Answer(200, page_of(rows, request.query, self._path(request)))

    def on_token(self, request):
        with self.state.current():
            return simkit.Answer(200, self.state.obtain_token(self._body(request)))

    def on_categories(self, request):
        return simkit.Answer(200, CATEGORIES)

    def on_attributes(self, request):
        if request.params["cid"] not in LEAVES:
            raise Refused(404, "Not found.", "not_found")
        return simkit.Answer(200, attributes_json())

    def on_offers(self, request):
        with self.state.current():
            rows = filtered([dict(o) for o in self.state.offers.values()], request.query, {"sku": ""})
            return self._list(request, [public(r) for r in rows])

    def on_stocks(self, request):
        return simkit.Answer(202, self.state.bulk("stock", self._body(request)))

    def on_prices(self, request):
        return simkit.Answer(202, self.state.bulk("price", self._body(request)))

    def on_batch(self, request):
        with self.state.current():
            return simkit.Answer(200, self.state.batch_json(request.params["bid"]))

    def on_pre_offers(self, request):
        with self.state.current():
            rows = [{k: p[k] for k in ("id", "sku", "status", "rejection_reasons")} for p in self.state.pre_offers.values()]
            return self._list(request, filtered(rows, request.query, {"sku": "", "status": ""}))

    def on_send_pre_offers(self, request):
        return simkit.Answer(201, self.state.send_pre_offers(self._body(request)))

    def on_packages(self, request):
        with self.state.current():
            query = dict(request.query)
            if "order__number" in query:
                query["order_number"] = query.pop("order__number")
            rows = filtered(self.state.packages.values(), query, PACKAGE_FIELDS)
            return self._list(request, [public(r) for r in sorted(rows, key=lambda r: int(r["id"]))])

    def on_items(self, request):
        with self.state.current():
            self.state.package(request.params["num"])
            return self._list(request, self.state.package_items(request.params["num"]))

    def on_update(self, request):
        return simkit.Answer(200, self.state.update_package(request.params["num"], self._body(request)))

    def on_cancel(self, request):
        return simkit.Answer(200, self.state.cancel_items(request.params["num"], self._body(request)))

    def on_reasons(self, request):
        kind = request.arg("type")
        rows = [{"id": k, "subject": s, "type": t} for t, table in (("cancel", CANCEL_REASONS), ("refund", REFUND_REASONS))
                for k, s in table.items() if kind in (None, t)]
        return self._list(request, rows)

    def on_claims(self, request):
        with self.state.current():
            rows = filtered(self.state.claims.values(), request.query, CLAIM_FIELDS)
            return self._list(request, [public(r) for r in rows])

    def on_decide(self, request):
        verdict = "approved" if request.params["verdict"] == "approve" else "rejected"
        return simkit.Answer(200, self.state.decide(request.params["cid"], verdict, self._body(request)))


C = simkit.control


class SellerCenterControl(simkit.ControlApi):
    key_param, item, items, owner_option = "sku", "offer", "offers", "email"
    routes = (*simkit.ControlApi.routes, C("POST", "offers", "add"), C("POST", "orders", "order"),
              C("POST", "claims", "claim"), C("POST", "cancel", "cancel"))

    def add(self, call):
        offers = call.payload if isinstance(call.payload, list) else call.body.get("offers") or []
        return simkit.Answer(200, {"added": [self.sim.add_offer(**o) for o in offers]})

    def order(self, call):
        return simkit.Answer(200, self.sim.place_order(call.body.get("lines") or []))

    def claim(self, call):
        return simkit.Answer(200, self.sim.open_refund(call.body["item"], call.body.get("reason")))

    def cancel(self, call):
        return simkit.Answer(200, self.sim.customer_cancel(call.body["package"], call.body.get("items")))


class SellerCenterSimulator(simkit.Simulator):
    label = "Seller Center simulator"
    state_class = State
    api_classes = (SellerCenterApi,)
    control_class = SellerCenterControl
    secret_options = ("api_key", "password")

    def error(self, status, message, path, *, key=None):
        return simkit.Answer(status, {"detail": message, "code": key or "error"})

    # --- steering -----------------------------------------------------------------------------
    def add_offer(self, sku: str, **values: Any) -> dict[str, Any]:
        return self.state.add_offer(str(sku), **values)

    def remove_offer(self, sku: str) -> None:
        """The offer is withdrawn: writes to it are answered "Offer not found." per item."""
        with self.state.current():
            if str(sku) in self.state.offers:
                self.state.offers.remove(str(sku))

    def place_order(self, lines, **spec: Any) -> dict[str, Any]:
        """One package of per-unit items: ``lines`` ``[(sku, quantity)]``; ``{number, order_number, items}``."""
        return self.state.place_order(lines, **spec)

    def customer_cancel(self, number: str, items: list[str] | None = None) -> dict[str, Any]:
        live = [i["id"] for i in self.package_items(number) if i["status"] != 6]
        return self.state.cancel_items(number, {"items": items or live, "reason": next(iter(CANCEL_REASONS))}, by=CUSTOMER)

    def open_refund(self, item_id: str, reason: str | None = None) -> dict[str, Any]:
        return self.state.open_refund(item_id, reason)

    def reject(self, sku: str, reason: str) -> None:
        """The owner's review will reject ``sku`` with ``reason`` (set before it is sent)."""
        with self.state.current():
            self.state.rejections[str(sku)] = reason

    def wait_until_processed(self, timeout: float = 10.0) -> bool:
        """Block until every accepted bulk write is applied."""
        return self.state.wait_until(lambda: not self.state.batches.waiting(), lambda: self.state.timeline.next_due(),
                                     timeout)

    def wait_until_reviewed(self, timeout: float = 10.0) -> bool:
        return self.state.wait_until(lambda: not self.state.timeline.pending(("review",)),
                                     lambda: self.state.timeline.next_due(), timeout)

    def set_status(self, number: str, status: int, **fields: Any) -> dict[str, Any]:
        """Move a package as the marketplace or its carrier would."""
        with self.state.current():
            package = self.state.package(number)
            package.update(status=int(status), **fields)
            for item in self.state.items.values():
                if item["package"] == number and item["status"] != 6:
                    item["status"] = int(status)
            self.state._touch(package)
            return public(package)

    # --- inspection ---------------------------------------------------------------------------
    def offer(self, sku: str) -> dict[str, Any] | None:
        with self.state.current():
            offer = self.state.offers.get(str(sku))
            return public(offer) if offer else None

    def offers(self) -> list[dict[str, Any]]:
        with self.state.current():
            return [public(o) for o in self.state.offers.values()]

    def history(self, sku: str | None = None, start: int = 0) -> list[dict[str, Any]]:
        """Applied changes ``{request, kind (stock|price|retail_price|approved), sku, value, ...}``."""
        with self.state.current():
            return self.state.offers.history(sku, start)

    def pre_offer(self, sku: str) -> dict[str, Any] | None:
        with self.state.current():
            pre = self.state.pre_offers.get(str(sku))
            return json.loads(json.dumps(pre)) if pre else None

    def package(self, number: str) -> dict[str, Any]:
        with self.state.current():
            return public(self.state.package(number))

    def package_items(self, number: str) -> list[dict[str, Any]]:
        with self.state.current():
            return self.state.package_items(number)

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        with self.state.current():
            claim = self.state.claims.get(claim_id)
            return public(claim) if claim else None

    def claims(self) -> list[dict[str, Any]]:
        with self.state.current():
            return [public(c) for c in self.state.claims.values()]

    def counters(self) -> dict[str, int]:
        with self.state.current():
            return {"requests_total": self.requests_total, "offers_total": len(self.state.offers),
                    "orders_total": self.state.orders_placed, "claims_total": len(self.state.claims)}

    def adapter_config(self, version: str = "i2") -> dict[str, Any]:
        options = self.options
        config = {"base_url": self.url, "api_version": version, "access_token": options["api_key"]}
        if version == "i1":
            config.update(email=options["email"], password=options["password"])
        return config


serve = simkit.serve_factory(SellerCenterSimulator)
serve.__doc__ = """Start a Seller Center simulator in a background thread (port 0: a free port).

Options: ``processing_delay`` (s before a bulk write is applied, 1); ``api_key``, ``email``, ``password`` (i1 login), ``token_ttl``; ``approval_delay`` (s
until the owner reviews a pre-offer, 2); ``latency``; ``rate_limit``/``rate_window`` (600 per 60 s
[UNVERIFIED], 0 = off); ``order_rate`` (orders a second from active, in-stock offers);
``timeout_sleep``; ``fault``."""


def main(argv: list[str] | None = None) -> int:
    return simkit.run_main(
        argv, serve=lambda *a, **k: serve(*a, **k), prog="python -m mpdash.marketplaces.akinon.simulator",
        description="Run a local Seller Center (Mono, Fashfed, Passo) API simulator until Ctrl-C.", port=8770,
        flags=(("--approval-delay", float, "seconds until a pre-offer is reviewed (default 2)"),
               ("--latency", float, "seconds added to every answer"),
               ("--order-rate", float, "orders per second placed by the shopper (default 0 = off)")),
        banner=lambda sim: [f"Seller Center API simulator on {sim.url} (base_url {sim.url})"],
    )
