"""Views of the orders API (routes in :mod:`mpdash.orders.api`)."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from mpdash.channels.models import SalesChannel

from . import cancellations, cargo, outbound, statuses, webhooks
from . import serializers as s
from .errors import OrderError
from .filters import CancellationReasonFilter, CancellationRequestFilter, OrderFilter, WebhookDeliveryFilter
from .models import (
    CancellationReason,
    CancellationRequest,
    CancellationType,
    Order,
    OrderStatus,
    ShippingCompany,
    StatusChange,
    WebhookDelivery,
    WebhookEndpoint,
)


def _as_validation_error(exc: OrderError) -> ValidationError:
    return ValidationError({exc.field: [exc.message]})


def _source(request) -> str:
    user = getattr(request, "user", None)
    return f"api:{user.get_username()}" if user is not None and user.is_authenticated else "api"


# --- orders --------------------------------------------------------------------------------------


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Orders, newest first. Writes go through the actions; orders themselves come from the marketplaces."""

    queryset = Order.objects.select_related("cargo_company").order_by("-date_placed", "-id")
    serializer_class = s.OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related(
                "customer", "shipping_address__country", "shipping_address__city", "shipping_address__township",
                "shipping_address__district", "billing_address__country", "billing_address__city",
                "billing_address__township", "billing_address__district",
            ).prefetch_related("items")
        return qs

    def get_serializer_class(self):
        return s.OrderSerializer if self.action == "list" else s.OrderDetailSerializer

    def _detail(self, order: Order, code=status.HTTP_200_OK) -> Response:
        return Response(s.OrderDetailSerializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(request=None, responses={200: s.OrderDetailSerializer}, summary="Mark the order as received by the ERP")
    @action(detail=True, methods=["post"], url_path="mark_sent_to_erp")
    def mark_sent_to_erp(self, request, pk=None):
        order = self.get_object()
        with transaction.atomic():
            changed = Order.objects.filter(pk=order.pk, sent_to_erp=False).update(
                sent_to_erp=True, sent_to_erp_at=timezone.now(), modified_at=timezone.now()
            )
            if changed:
                order.refresh_from_db()
                webhooks.emit("order.updated", order)
        return self._detail(order)

    @extend_schema(
        request=s.StatusUpdateSerializer,
        responses={200: s.OrderDetailSerializer},
        summary="Move the order (and its items that can follow) to a status; never backwards",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def update_status(self, request, pk=None):
        order = self.get_object()
        body = s.StatusUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        new = body.validated_data["status"]
        try:
            with transaction.atomic():
                before = order.status
                moved = statuses.set_order_status(order, new, source=_source(request), note=body.validated_data["note"])
                order.refresh_from_db()
                if moved or order.status != before:
                    webhooks.emit("order.cancelled" if new == OrderStatus.CANCELLED else "order.updated", order)
                    if new != OrderStatus.CANCELLED:
                        outbound.order_changed(order)
        except OrderError as exc:
            raise _as_validation_error(exc) from None
        return self._detail(order)

    @extend_schema(request=s.InvoiceSerializer, responses={200: s.OrderDetailSerializer}, summary="Set the invoice")
    @action(detail=True, methods=["post"], url_path="invoice")
    def set_invoice(self, request, pk=None):
        order = self.get_object()
        body = s.InvoiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with transaction.atomic():
            order.invoice_number = data["invoice_number"]
            order.invoice_date = data.get("invoice_date") or timezone.now()
            order.invoice_link = data.get("invoice_link", "")
            order.save(update_fields=["invoice_number", "invoice_date", "invoice_link", "modified_at"])
            webhooks.emit("order.updated", order)
            outbound.order_changed(order)
        return self._detail(order)

    @extend_schema(
        request=s.TrackingSerializer,
        responses={200: s.OrderDetailSerializer},
        summary="Set the carrier and tracking number; the tracking URL is built from the carrier's template",
    )
    @action(detail=True, methods=["post"], url_path="tracking")
    def set_tracking(self, request, pk=None):
        order = self.get_object()
        body = s.TrackingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        company = body.validated_data["cargo_company"]
        number = body.validated_data["tracking_number"].strip()
        url = cargo.tracking_url(company, number, order.channel)
        with transaction.atomic():
            order.cargo_company = company
            order.tracking_number = number
            order.tracking_url = url
            order.save(update_fields=["cargo_company", "tracking_number", "tracking_url", "modified_at"])
            order.items.exclude(status__in=statuses.FINAL).update(
                tracking_number=number, tracking_url=url, modified_at=timezone.now()
            )
            webhooks.emit("order.updated", order)
            outbound.order_changed(order)
        return self._detail(order)

    @extend_schema(
        request=s.CancelItemsSerializer,
        responses={201: s.CancellationRequestSerializer},
        summary="Cancel items (all or some units): creates an approved cancellation request and a plan",
    )
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk=None):
        order = self.get_object()
        body = s.CancelItemsSerializer(data=request.data, context={"order": order})
        body.is_valid(raise_exception=True)
        lines = [cancellations.Line(l["order_item"], l["quantity"]) for l in body.validated_data["items"]]
        try:
            created = cancellations.cancel_items(
                order, lines, reason=body.validated_data.get("reason"),
                description=body.validated_data["description"], source=_source(request),
            )
        except OrderError as exc:
            raise _as_validation_error(exc) from None
        return Response(s.CancellationRequestSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.StatusChangeSerializer(many=True)}, summary="Status history of the order and its items")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        order = self.get_object()
        changes = StatusChange.objects.filter(order=order).order_by("created_at", "id")
        return Response(s.StatusChangeSerializer(changes, many=True).data)


# --- cancellations and refunds ---------------------------------------------------------------------


@extend_schema(
    parameters=[
        OpenApiParameter("channel_id", int, OpenApiParameter.PATH),
        OpenApiParameter("cancellation_type", str, enum=CancellationType.values),
        OpenApiParameter("is_active", bool),
    ],
    summary="Cancellation and refund reasons (ids for the channel config's reason settings)",
)
class ChannelCancellationReasonList(generics.ListAPIView):
    serializer_class = s.CancellationReasonSerializer
    filterset_class = CancellationReasonFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CancellationReason.objects.none()
        get_object_or_404(SalesChannel, pk=self.kwargs["channel_id"])
        return CancellationReason.objects.order_by("cancellation_type", "sort_order", "id")


@extend_schema(parameters=[OpenApiParameter("channel_id", int, OpenApiParameter.PATH)])
class ChannelCancellationReasonDetail(generics.RetrieveAPIView):
    serializer_class = s.CancellationReasonSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CancellationReason.objects.none()
        get_object_or_404(SalesChannel, pk=self.kwargs["channel_id"])
        return CancellationReason.objects.all()


class CancellationRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Cancellation and refund requests, newest first."""

    queryset = (
        CancellationRequest.objects.select_related("order")
        .prefetch_related("items__order_item", "plans")
        .order_by("-created_at", "-id")
    )
    serializer_class = s.CancellationRequestSerializer
    filterset_class = CancellationRequestFilter


class RefundRequestViewSet(CancellationRequestViewSet):
    """Refund (return) requests: the Reject Refund screen's list, and the operator's decision."""

    queryset = CancellationRequestViewSet.queryset.filter(cancellation_type=CancellationType.REFUND)

    @extend_schema(
        request=s.RefundDecisionSerializer,
        responses={200: s.CancellationRequestSerializer},
        summary="Approve or reject an open refund request (reason, description ≤ 500, images)",
        description="Records the decision and moves the request to waiting_approval; the refund flow sends it to the marketplace.",
    )
    @action(detail=True, methods=["post"], url_path="decision")
    def decision(self, request, pk=None):
        refund = self.get_object()
        body = s.RefundDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            decided = cancellations.decide_refund(
                refund, data["decision"], reason=data.get("reason"), description=data["description"],
                images=data["images"], decided_by=request.user.get_username(),
            )
        except OrderError as exc:
            raise _as_validation_error(exc) from None
        return Response(s.CancellationRequestSerializer(self.get_queryset().get(pk=decided.pk)).data)


# --- reference data and webhooks ---------------------------------------------------------------------


class ShippingCompanyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ShippingCompany.objects.order_by("name")
    serializer_class = s.ShippingCompanySerializer
    filterset_fields = ["slug", "is_active"]


class WebhookEndpointViewSet(viewsets.ModelViewSet):
    """Webhook endpoints. The secret is write-only: shown masked, kept when sent masked or empty."""

    queryset = WebhookEndpoint.objects.order_by("id")
    serializer_class = s.WebhookEndpointSerializer
    filterset_fields = ["is_active"]


class WebhookDeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = WebhookDelivery.objects.prefetch_related("attempt_log").order_by("-id")
    serializer_class = s.WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter

    @extend_schema(request=None, responses={202: s.WebhookDeliverySerializer}, summary="Send the delivery again now")
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = webhooks.redeliver(self.get_object())
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
