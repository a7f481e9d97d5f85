"""Typed errors of the order side. Each carries the field it concerns (for API answers)
and a message fit for a flow log line; flows catch :class:`OrderError` and penalise the record."""

from __future__ import annotations


class OrderError(Exception):
    field: str = "non_field_errors"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field:
            self.field = field

    def __str__(self) -> str:
        return self.message


class AddressNotValid(OrderError):
    """A city, township or district that neither a mapping nor a name match resolves."""

    field = "address"

    def __init__(self, message: str, *, model: str, code: str):
        super().__init__(message)
        self.model = model
        self.code = code


class CargoCompanyNotFound(OrderError):
    field = "cargo_company"


class StatusTransitionError(OrderError):
    """A status change that would move backwards or leave a final status."""

    field = "status"


class OrderNumberConflict(OrderError):
    field = "number"


class CancellationError(OrderError):
    """A cancellation that cannot be made (quantities, final items, unreported order…)."""


class CancellationPlanLimit(CancellationError):
    pass


class RefundDecisionError(OrderError):
    field = "status"
