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

_REQUEST = inline_serializer("FlowTriggerBody", {"payload": serializers.DictField()})
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


class FlowTriggerView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=_REQUEST, responses={202: _ANSWER},
        summary="Queue a flow with a payload (split_packages); answers with a correlation id",
        examples=[OpenApiExample("split a package", request_only=True, value={"payload": {
            "package_id": "6500000001",
            "groups": [[{"line_id": "L1", "quantity": 1}], [{"line_id": "L1", "quantity": 1}]]}})],
    )
    def post(self, request, channel_slug: str, flow: str):
        try:
            accepted = triggers.accept(channel_slug, flow, request.data, user=request.user.get_username())
        except triggers.TriggerError as exc:
            return Response(exc.as_body(), status=exc.status)
        return Response(_answer(accepted), status=status.HTTP_202_ACCEPTED)


class FlowTriggerStatusView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: _ANSWER}, summary="Where a triggered request stands, by its correlation id")
    def get(self, request, correlation_id):
        found = TriggerRequest.objects.select_related("channel").filter(correlation_id=correlation_id).first()
        if found is None:
            raise NotFound(f"no triggered request with correlation id {correlation_id}")
        return Response(_answer(found))
