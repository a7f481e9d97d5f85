"""A toy marketplace simulator on simkit: the example of the guide, and the toolkit's test bed."""

from __future__ import annotations

from mpdash.marketplaces import simkit
from mpdash.marketplaces.simkit import options as opt


class ToyState(simkit.SimState):
    OPTIONS = simkit.OptionSet(**opt.common(fault=opt.fault_option((*simkit.BASE_FAULT_MODES, "fail_later"))),
                               api_key=opt.text("key"), rate_limit=opt.limit(5))

    def clear(self) -> None:
        super().clear()
        self.stock = simkit.ListingStore(key_name="sku", batch_name="batch_id")
        self.batches = simkit.BatchQueue(self.timeline, "batch", self._apply)

    def _apply(self, batch: simkit.Batch, at: float) -> list[dict]:
        if batch.extra.get("fail"):
            return [{"sku": item["sku"], "ok": False} for item in batch.items]
        for item in batch.items:
            self.stock.put(item["sku"], {"sku": item["sku"], "quantity": item["quantity"]})
            self.stock.record(batch.id, "stock", item["sku"], item["quantity"], batch.accepted_at, at)
        return [{"sku": item["sku"], "ok": True} for item in batch.items]

    def waiting(self) -> int:
        with self.current():
            return self.batches.waiting()


class ToyApi(simkit.Api):
    routes = (simkit.route("POST", r"/stock", "send", faults=("fail_later",)),
              simkit.route("GET", r"/stock/(?P<bid>[^/]+)", "status"))

    def check_caller(self, request):
        if request.headers.get("X-Key") != request.options["api_key"]:
            return self.error(401, "bad key", request)
        return None

    def rate_window(self, request):
        return simkit.RateWindow("seller", request.options["rate_limit"], 1.0)

    def on_send(self, request):
        items = simkit.json_body(request.body, simkit.Refusal(400, "not JSON"))
        with self.state.current():
            batch = self.state.batches.accept("stock", "seller", items, request.options["processing_delay"],
                                              fail=bool(request.fault))
        return simkit.Answer(200, {"id": batch.id})

    def on_status(self, request):
        with self.state.current():
            batch = self.state.batches.get(request.params["bid"])
            if batch is None:
                raise simkit.Refusal(404, "no such batch")
            return simkit.Answer(200, {"done": batch.processed, "results": batch.results})


class ToySimulator(simkit.Simulator):
    label, state_class, api_classes, secret_options = "Toy simulator", ToyState, (ToyApi,), ("api_key",)
    forwarded = frozenset({"waiting"})

    def listing(self, sku):
        with self.state.current():
            return self.state.stock.get(sku)

    def listings(self):
        with self.state.current():
            return list(self.state.stock)

    def history(self, sku=None):
        with self.state.current():
            return self.state.stock.history(sku)


serve = simkit.serve_factory(ToySimulator)
