"""OpenAPI naming of this app's choice sets.

drf-spectacular names enums after field names ("status") and warns when one name stands
for several choice sets (order status codes, request statuses, delivery statuses…). Fields
of :class:`NamedChoiceField` register their choice set as a named component instead
("OrderStatusEnum", "CancellationRequestStatusEnum"…), so the schema stays warning-free
without global ``ENUM_NAME_OVERRIDES``.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    def __init__(self, choices, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field: NamedChoiceField = self.target
        values = [v for v in field.choices if v not in ("", None)]
        kind = "integer" if values and all(isinstance(v, int) for v in values) else "string"
        schema = {
            "type": kind,
            "enum": values,
            "description": "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items() if value not in ("", None)),
        }
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
