"""Ids in paths and values in filters that do not parse answer 404 or 400, never 500.

Two places turn client text into database values, and both must refuse what the column
cannot hold before a query runs:

- Path ids. :class:`IdRouter` routes detail URLs only for ids of 1 to 18 digits (a 64-bit
  integer has 19, so every id we can hand out fits) and :class:`IdConverter` (``<id:…>``) does
  the same for hand-written paths; anything else is "no such page", 404. Without it, ``null``
  raised ValueError in ``get_object`` and a 20-digit id overflowed the SQLite driver.
- Filter values. :class:`FilterBackend` is django-filter's backend plus one check: every
  cleaned filter value of a comparison lookup (exact, in, range, gt…) goes through its model
  field's ``to_python`` and validators (the integer range of the database, choices are left to
  the form). A value that does not parse is a 400 naming the parameter; before, a bare
  ``BaseInFilter`` on an integer column handed ``['null']`` to the database. Date-times go to
  the database in UTC (PostgreSQL refuses offsets beyond ±15:59 that Python takes).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import FieldDoesNotExist, ValidationError as DjangoValidationError
from django.db.models import Model
from django.db.models.constants import LOOKUP_SEP
from django.urls import register_converter
from django_filters import utils
from django_filters.filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter

ID_REGEX = r"[0-9]{1,18}"
_CHECKED_LOOKUPS = {"exact", "in", "range", "gt", "gte", "lt", "lte"}


class IdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")


class IdRouter(DefaultRouter):
    """A DefaultRouter whose detail routes match integer ids only (unless a viewset says otherwise)."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None and getattr(viewset, "lookup_field", "pk") in ("pk", "id"):
            viewset.lookup_value_regex = ID_REGEX
        return super().get_lookup_regex(viewset, lookup_prefix)


def _model_field(model, field_name: str):
    field = None
    for part in field_name.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            model = field.related_model
    if field is not None and field.is_relation and field.target_field is not None:
        return field.target_field  # a foreign key compares with the primary key it points at
    return field


def check_values(filterset) -> None:
    """Raise a 400 naming each filter parameter whose value its model field cannot hold."""
    if not filterset.is_bound or not filterset.is_valid():
        return
    errors = {}
    model = filterset.queryset.model
    for name, value in filterset.form.cleaned_data.items():
        flt = filterset.filters.get(name)
        if flt is None or value in (None, "", [], ()) or getattr(flt, "method", None):
            continue
        if flt.lookup_expr not in _CHECKED_LOOKUPS or not flt.field_name:
            continue
        field = _model_field(model, flt.field_name)
        if field is None:
            continue
        values = list(value) if flt.lookup_expr in ("in", "range") or isinstance(value, (list, tuple)) else [value]
        if hasattr(value, "start") and hasattr(value, "stop"):  # a range filter's slice
            values = [v for v in (value.start, value.stop) if v is not None]
        for item in values:
            if isinstance(item, Model):  # a model choice filter found the row already
                continue
            try:
                field.run_validators(field.to_python(item))
            except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
                messages = getattr(exc, "messages", None) or [str(exc)]
                errors[name] = [f"{item!r} is not a valid value for {name}: {' '.join(messages)}"]
                break
    if errors:
        raise ValidationError(errors)


def _utc(value):
    return value.astimezone(dt.timezone.utc) if isinstance(value, dt.datetime) and value.tzinfo is not None else value


def datetimes_in_utc(filterset) -> None:
    """Aware date-times of filters in UTC before they reach the database: Python takes any
    offset below 24 hours, PostgreSQL none beyond ±15:59 (a 500 for ``-17:21``); a moment that
    has no UTC date (year 1 at -01:00) is a 400 naming the parameter."""
    if not filterset.is_bound or not filterset.is_valid():
        return
    data = filterset.form.cleaned_data
    errors = {}
    for name, value in list(data.items()):
        try:
            if isinstance(value, slice):
                data[name] = slice(_utc(value.start), _utc(value.stop), value.step)
            else:
                data[name] = _utc(value)
        except OverflowError:
            errors[name] = [f"{value!r} is not a valid value for {name}: it falls outside the dates UTC can hold"]
    if errors:
        raise ValidationError(errors)


def _only_unknown_ids(filterset) -> bool:
    """True when every error is a model-choice filter given a well-formed id that no row has."""
    for name, errors in filterset.form.errors.items():
        flt = filterset.filters.get(name)
        if not isinstance(flt, (ModelChoiceFilter, ModelMultipleChoiceFilter)):
            return False
        if any(e.code != "invalid_choice" for e in errors.as_data()):
            return False
        raw = filterset.form.data.getlist(name) if hasattr(filterset.form.data, "getlist") else [filterset.form.data.get(name)]
        model = getattr(flt.queryset, "model", None)
        target = model._meta.get_field(flt.field.to_field_name) if model is not None and flt.field.to_field_name else (
            model._meta.pk if model is not None else None)
        for value in raw:
            try:
                if target is not None:
                    target.run_validators(target.to_python(value))
            except (DjangoValidationError, ValueError, TypeError):
                return False
    return bool(filterset.form.errors)


class FilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            if _only_unknown_ids(filterset):
                return queryset.none()  # ?channel=999 with no channel 999: nothing matches, not a 400
            if self.raise_exception:
                raise utils.translate_validation(filterset.errors)
        check_values(filterset)
        datetimes_in_utc(filterset)
        return filterset.qs
