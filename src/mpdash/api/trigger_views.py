"""``POST /flow-trigger/{channel_slug}/{flow}``: hand work to a flow from outside (SPEC 5)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from mpdash.integration import triggers
from mpdash.security import TokenAuthentication
from mpdash.integration.models import TriggerRequest

_ANSWER = inline_serializer("FlowTriggerAnswer", {
    "correlation_id": serializers.UUIDField(), "channel": serializers.CharField(), "flow": serializers.CharField(),
    "status": serializers.CharField(), "result": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "finished_at": serializers.DateTimeField(allow_null=True),
})


def _answer(request: TriggerRequest) -> dict:
    return {
        "correlation_id": str(request.correlation_id), "channel": request.channel.slug, "flow": request.flow,
        "status": request.status, "result": request.result, "created_at": request.created_at,
        "finished_at": request.finished_at,
    }


# The payload of each flow that takes triggers, as :mod:`mpdash.integration.triggers` checks it.
_TEXT = {"allow_blank": False, "trim_whitespace": True, "max_length": 128}
_LINE = inline_serializer("SplitPackagesLine", {
    "line_id": serializers.CharField(**_TEXT, help_text="The package line's id at the marketplace"),
    "quantity": serializers.IntegerField(min_value=1, max_value=100_000, default=1),
})
_PAYLOADS = {
    "split_packages": inline_serializer("SplitPackagesTrigger", {"payload": inline_serializer("SplitPackagesPayload", {
        "package_id": serializers.CharField(**_TEXT, help_text="The marketplace's package id"),
        "groups": serializers.ListField(child=serializers.ListField(child=_LINE, min_length=1, max_length=100),
                                        min_length=2, max_length=50,
                                        help_text="Two groups of lines or more: one new package each"),
    })}),
    "update_warehouse": inline_serializer("UpdateWarehouseTrigger", {"payload": inline_serializer("UpdateWarehousePayload", {
        "order_number": serializers.CharField(**_TEXT, help_text="An order of this channel: our number or the package id"),
        "stock_location": inline_serializer("StockLocation", {"erp_code": serializers.CharField(**_TEXT)}),
    })}),
}


class FlowTriggerView(APIView):
    """Any flow name: unknown ones get 404 naming the flows that take triggers. The schema lists
    one operation per such flow (below), each with its own payload."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def post(self, request, channel_slug: str, flow: str):
        try:
            accepted = triggers.accept(channel_slug, flow, request.data, user=request.user.get_username())
        except triggers.TriggerError as exc:
            return Response(exc.as_body(), status=exc.status)
        return Response(_answer(accepted), status=status.HTTP_202_ACCEPTED)


def _trigger_view(flow: str, summary: str, example: dict):
    class View(FlowTriggerView):
        @extend_schema(
            request=_PAYLOADS[flow], responses={202: _ANSWER}, summary=summary, operation_id=f"flow_trigger_{flow}",
            examples=[OpenApiExample(flow, request_only=True, value={"payload": example})],
        )
        def post(self, request, channel_slug: str):
            return super().post(request, channel_slug, flow)

    View.__name__ = View.__qualname__ = f"FlowTrigger_{flow}"
    return View


SplitPackagesTriggerView = _trigger_view("split_packages", "Split a package into several (answers with a correlation id)", {
    "package_id": "6500000001", "groups": [[{"line_id": "L1", "quantity": 1}], [{"line_id": "L1", "quantity": 1}]]})
UpdateWarehouseTriggerView = _trigger_view("update_warehouse", "Move an order to another warehouse (answers with a correlation id)", {
    "order_number": "ORD-1", "stock_location": {"erp_code": "WH-2"}})


class FlowTriggerStatusView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: _ANSWER}, summary="Where a triggered request stands, by its correlation id")
    def get(self, request, correlation_id):
        found = TriggerRequest.objects.select_related("channel").filter(correlation_id=correlation_id).first()
        if found is None:
            raise NotFound(f"no triggered request with correlation id {correlation_id}")
        return Response(_answer(found))
