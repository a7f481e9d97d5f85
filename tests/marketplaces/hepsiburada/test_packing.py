"""Automatic packing against the simulator: many orders packed at once keep their order, a
refused one is left out, and the package's carrier comes from the lines unless the store
account names another carrier (then one GET of the package gives its full name)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mpdash.marketplaces.errors import RequestRejected
from mpdash.marketplaces.hepsiburada import adapter as hb_adapter


def waiting(sim, adapter, count: int):
    sim.add_listings([{"merchantSku": f"S{i}", "price": 10, "availableStock": 100} for i in range(count)])
    for i in range(count):
        sim.place_order([{"merchantSku": f"S{i}", "quantity": 1}], shopper=i)
    now = datetime.now(timezone.utc)
    page = adapter.list_orders(now - timedelta(hours=1), now + timedelta(minutes=5))
    assert len(page.items) == count and not any(o.package_id for o in page.items)
    return page.items


def counting(adapter, monkeypatch, name: str) -> list[str]:
    calls: list[str] = []
    real = getattr(adapter.oms, name)

    def counted(*args, **kwargs):
        calls.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(adapter.oms, name, counted)
    return calls


def test_many_orders_are_packed_concurrently_in_their_order(sim, make_adapter, monkeypatch):
    monkeypatch.setattr(hb_adapter, "PACKING_CHUNK", 7)  # several budget chunks
    adapter = make_adapter(automatic_packing=True)
    orders = waiting(sim, adapter, 30)
    gets = counting(adapter, monkeypatch, "get_package")
    packed = adapter.prepare_packages(orders)
    assert [o.order_number for o in packed] == [o.order_number for o in orders]
    assert len({o.package_id for o in packed}) == 30 and all(o.package_id for o in packed)
    for order in packed:
        assert sim.order(order.order_number)["packageNumbers"] == [order.package_id]
        assert order.cargo_company == sim.package(order.package_id)["cargoCompany"]
    assert gets == []  # the lines name the carrier: no GET per package


def test_a_refused_order_is_left_out_and_the_others_are_packed(sim, make_adapter, monkeypatch):
    adapter = make_adapter(automatic_packing=True)
    orders = waiting(sim, adapter, 5)
    refused = orders[2].raw["lines"][0]["id"]
    real = adapter.oms.create_package

    def create(lines, cargo=None):
        if lines[0][0] == refused:
            raise RequestRejected("POST /packages: line cannot be packaged", status_code=400)
        return real(lines, cargo)

    monkeypatch.setattr(adapter.oms, "create_package", create)
    packed = adapter.prepare_packages(orders)
    assert [o.order_number for o in packed] == [o.order_number for i, o in enumerate(orders) if i != 2]


def test_an_error_stops_the_packing(sim, make_adapter, monkeypatch):
    from mpdash.marketplaces.errors import TransientError

    adapter = make_adapter(automatic_packing=True)
    orders = waiting(sim, adapter, 3)

    def failing(lines, cargo=None):
        raise TransientError("POST /packages: the marketplace failed with 503", status_code=503)

    monkeypatch.setattr(adapter.oms, "create_package", failing)
    with pytest.raises(TransientError):
        adapter.prepare_packages(orders)


@pytest.mark.parametrize("store_account, expect_get", [("", False), ("same", False), ("other", True)])
def test_the_carrier_is_read_only_when_the_store_account_names_another(sim, make_adapter, monkeypatch,
                                                                       store_account, expect_get):
    probe = make_adapter(automatic_packing=True)
    [order] = waiting(sim, probe, 1)
    line_carrier = order.raw["lines"][0]["cargoCompanyModel"]
    other = next(code for code in ("MNG", "YK", "ARAS") if code != line_carrier["shortName"])
    account = {"": "", "same": line_carrier["shortName"].lower(), "other": other}[store_account]
    adapter = make_adapter(automatic_packing=True, store_account_cargo_company=account)
    gets = counting(adapter, monkeypatch, "get_package")
    [packed] = adapter.prepare_packages([order])
    assert (len(gets) == 1) is expect_get
    assert packed.cargo_company == sim.package(packed.package_id)["cargoCompany"]
    if not expect_get:
        assert packed.cargo_company == line_carrier["name"]
