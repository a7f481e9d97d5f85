"""The pydantic base of marketplace answers and the one parser that turns a bad answer into
:class:`~mpdash.marketplaces.errors.MalformedResponse` saying what was wrong."""

from __future__ import annotations

from typing import Any, TypeVar, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, ValidationError, model_validator

from ..errors import MalformedResponse


class AnswerModel(BaseModel):
    """Unknown fields are kept (``extra="allow"``) so that a new field never breaks parsing;
    fields are read by their wire name or ours; a list field answered ``null`` is an empty
    list (marketplaces send both for "none"); answers are immutable."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_lists_are_empty(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        keys = _list_keys.get(cls)
        if keys is None:
            keys = _list_keys[cls] = _keys_of_list_fields(cls)
        if any(data.get(key, ()) is None for key in keys):
            data = {key: [] if value is None and key in keys else value for key, value in data.items()}
        return data


_list_keys: dict[type, frozenset[str]] = {}


def _keys_of_list_fields(model: type[BaseModel]) -> frozenset[str]:
    """The names and wire names of a model's fields typed as a list."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        if get_origin(field.annotation) is not list:
            continue
        keys.update(k for k in (name, field.alias) if k)
        if isinstance(field.validation_alias, AliasChoices):
            keys.update(c for c in field.validation_alias.choices if isinstance(c, str))
        elif isinstance(field.validation_alias, str):
            keys.add(field.validation_alias)
    return frozenset(keys)


def none_as_empty_list(value: Any) -> Any:
    """For ``field_validator(..., mode="before")``: a null list is an empty one."""
    return [] if value is None else value


ModelT = TypeVar("ModelT", bound=BaseModel)


def describe(exc: ValidationError, limit: int = 3) -> str:
    """The first few validation problems as ``where: what``."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error.get("loc", ())) or "(answer)"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def excerpt(data: Any, limit: int = 500) -> str:
    text = repr(data)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_answer(model: type[ModelT], data: Any, what: str, marketplace: str) -> ModelT:
    """Validate ``data`` as ``model``; raise :class:`MalformedResponse` naming ``what`` (the
    request) and ``marketplace`` (who answered)."""
    if data is None:
        raise MalformedResponse(f"{what}: {marketplace} answered with an empty body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedResponse(f"{what}: unexpected answer from {marketplace} ({describe(exc)})",
                                body=excerpt(data)) from None


def answer_parser(marketplace: str):
    """``parse_answer`` bound to one marketplace's name, for a package's ``models.py``."""

    def parse(model: type[ModelT], data: Any, what: str) -> ModelT:
        return parse_answer(model, data, what, marketplace)

    parse.__doc__ = f"Validate ``data`` as ``model``; MalformedResponse naming {marketplace} when it does not fit."
    return parse


__all__ = ["AnswerModel", "answer_parser", "describe", "excerpt", "none_as_empty_list", "parse_answer"]
