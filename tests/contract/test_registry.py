"""Registering a marketplace gives it the contract suite: it must come with a driver."""

from __future__ import annotations

import pytest

from mpdash.marketplaces import registry

from .driver import STEPS, Driver, MissingDriver, driver_class, missing_methods


def test_every_registered_marketplace_has_a_complete_driver(marketplace):
    try:
        cls = driver_class(marketplace)
    except MissingDriver as exc:
        pytest.fail(str(exc), pytrace=False)
    assert marketplace in registry.SIMULATORS, f"{marketplace} has no simulator in registry.SIMULATORS to run the contract against"
    unknown = set(cls.unsupported) - set(STEPS)
    assert not unknown, f"{cls.__name__}.unsupported names steps the suite does not have: {sorted(unknown)}; steps: {sorted(STEPS)}"
    assert all(isinstance(reason, str) and reason.strip() for reason in cls.unsupported.values()), \
        f"{cls.__name__}.unsupported: every step needs a reason, shown when its scenarios skip"
    absent = missing_methods(cls)
    assert not absent, (f"{cls.__name__} neither implements nor declares unsupported: "
                        + "; ".join(f"step {step!r} needs {', '.join(ms)}" for step, ms in absent.items()))
    for flow, step in (("stock", "faults_sync"), ("price", "faults_sync"), ("product_create", "faults_products"),
                       ("get_orders", "faults_orders")):
        if step not in cls.unsupported:
            assert cls.fault_paths.get(flow), f"{cls.__name__}.fault_paths has no request paths for {flow!r} ({step})"


def test_a_marketplace_without_a_driver_is_named_with_the_file_to_add():
    with pytest.raises(MissingDriver) as caught:
        driver_class("no_such_marketplace")
    message = str(caught.value)
    assert "'no_such_marketplace'" in message and "tests/contract/drivers/no_such_marketplace.py" in message


def test_a_driver_that_skips_a_method_is_reported():
    class Half(Driver):
        name = "half"
        unsupported = {"claim_reject": "no such thing there"}

    absent = missing_methods(Half)
    assert "claim_reject" not in absent and absent["sync"][0] == "list_products"


def test_an_unsupported_step_skips_with_the_marketplace_and_its_reason():
    from .conftest import require

    class NoClaims(Driver):
        name = "noclaims"
        unsupported = {"claim_reject": "the seller cannot reject a return there"}

    with pytest.raises(pytest.skip.Exception) as skipped:
        require(NoClaims(), "orders", "claim_reject")
    assert str(skipped.value.msg) == "noclaims does not support claim_reject: the seller cannot reject a return there"
    require(NoClaims(), "orders")  # supported: no skip
