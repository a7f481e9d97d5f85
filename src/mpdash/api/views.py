"""REST API views (mounted at ``/api/v1/``). Every endpoint needs authentication
(``Authorization: Token <key>`` or a session)."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mpdash.catalog.models import Catalog, CatalogItem, Category, PriceList, Product, ProductPrice, ProductStock, StockList
from mpdash.channels.models import SalesChannel
from mpdash.integration import penalties
from mpdash.integration.dispatch import FlowNotAvailable, check_runnable, request_flow
from mpdash.integration.flows import runnable
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowLogLine, FlowRun

from . import serializers as s
from .bulk import bulk_response
from .lookups import FilterBackend


class WriteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """list, retrieve, create, update, partial_update — no delete."""


def _bulk_schema(row_serializer, what: str):
    return extend_schema(
        summary=f"Upsert many {what} in one request",
        description=(
            f"A JSON list of {what}. Every row is validated first: if any is invalid the answer is 400 listing "
            "each bad row (`row` is its index in the list) and nothing is written. Otherwise all rows are "
            "upserted in one transaction; rows equal to the stored values are counted as unchanged and not written."
        ),
        request=row_serializer(many=True),
        responses={200: s.BulkResultSerializer, 400: s.BulkErrorsSerializer},
    )


# --- catalog ----------------------------------------------------------------------------------------


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code", help_text="Category code")
    modified_at__gte = django_filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")

    class Meta:
        model = Product
        fields = ["sku", "base_code", "is_active", "product_type", "category", "modified_at__gte"]


class ProductViewSet(WriteViewSet):
    queryset = Product.objects.select_related("category").order_by("sku")
    serializer_class = s.ProductSerializer
    filter_backends = [FilterBackend, filters.SearchFilter]
    filterset_class = ProductFilter
    search_fields = ["sku", "name", "base_code"]

    @_bulk_schema(s.BulkProductRowSerializer, "products (keyed by sku; category by code)")
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return bulk_response("products", request.data)


class CategoryViewSet(WriteViewSet):
    queryset = Category.objects.select_related("parent").order_by("code")
    serializer_class = s.CategorySerializer
    filter_backends = [FilterBackend, filters.SearchFilter]
    filterset_fields = ["code"]
    search_fields = ["code", "name"]


class PriceListViewSet(WriteViewSet):
    queryset = PriceList.objects.order_by("code")
    serializer_class = s.PriceListSerializer
    filterset_fields = ["code"]


class StockListViewSet(WriteViewSet):
    queryset = StockList.objects.order_by("code")
    serializer_class = s.StockListSerializer
    filterset_fields = ["code"]


class CatalogViewSet(WriteViewSet):
    queryset = Catalog.objects.order_by("code")
    serializer_class = s.CatalogSerializer
    filterset_fields = ["code"]


class ProductPriceFilter(django_filters.FilterSet):
    price_list = django_filters.CharFilter(field_name="price_list__code", help_text="Price list code")
    price_list_id = django_filters.NumberFilter(field_name="price_list_id")
    product__sku = django_filters.CharFilter(field_name="product__sku")
    modified_at__gte = django_filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")

    class Meta:
        model = ProductPrice
        fields = ["price_list", "price_list_id", "product__sku", "modified_at__gte"]


class ProductPriceViewSet(WriteViewSet):
    queryset = ProductPrice.objects.select_related("product", "price_list").order_by("id")
    serializer_class = s.ProductPriceSerializer
    filterset_class = ProductPriceFilter

    @_bulk_schema(s.BulkPriceRowSerializer, "prices (keyed by sku + price_list code)")
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return bulk_response("prices", request.data)


class ProductStockFilter(django_filters.FilterSet):
    stock_list = django_filters.CharFilter(field_name="stock_list__code", help_text="Stock list code")
    stock_list_id = django_filters.NumberFilter(field_name="stock_list_id")
    product__sku = django_filters.CharFilter(field_name="product__sku")
    modified_at__gte = django_filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")

    class Meta:
        model = ProductStock
        fields = ["stock_list", "stock_list_id", "product__sku", "modified_at__gte"]


class ProductStockViewSet(WriteViewSet):
    queryset = ProductStock.objects.select_related("product", "stock_list").order_by("id")
    serializer_class = s.ProductStockSerializer
    filterset_class = ProductStockFilter

    @_bulk_schema(s.BulkStockRowSerializer, "stocks (keyed by sku + stock_list code)")
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return bulk_response("stocks", request.data)


class CatalogItemFilter(django_filters.FilterSet):
    catalog = django_filters.CharFilter(field_name="catalog__code", help_text="Catalog code")
    catalog_id = django_filters.NumberFilter(field_name="catalog_id")
    product__sku = django_filters.CharFilter(field_name="product__sku")

    class Meta:
        model = CatalogItem
        fields = ["catalog", "catalog_id", "product__sku"]


class CatalogItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = CatalogItem.objects.select_related("catalog", "product").order_by("id")
    serializer_class = s.CatalogItemSerializer
    filterset_class = CatalogItemFilter

    @_bulk_schema(s.BulkCatalogItemRowSerializer, "catalog items (catalog code + sku)")
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request):
        return bulk_response("catalog_items", request.data)


# --- channels ------------------------------------------------------------------------------------------


class PenaltyFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter()
    sku = django_filters.CharFilter(field_name="object_key")

    class Meta:
        model = FailedIntegration
        fields = ["kind", "sku"]


@extend_schema_view(partial_update=extend_schema(description=(
    "Change a channel. `config` takes the changed keys only; a secret sent empty or as the mask keeps its "
    "stored value; `feature_flags` may name only the flags to change; `schema` takes the config keys to add "
    "(null removes one you added). Validation errors name the key."
)))
class SalesChannelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SalesChannel.objects.select_related("catalog", "price_list", "stock_list").order_by("name", "id")
    serializer_class = s.SalesChannelSerializer
    filterset_fields = ["marketplace", "is_active", "slug"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="The channel's config schema")
    @action(detail=True, methods=["get"], url_path="schema", url_name="schema", filter_backends=[], pagination_class=None)
    def config_schema(self, request, pk=None):
        return Response(self.get_object().schema or {})

    @extend_schema(responses={200: s.FlowSerializer(many=True)}, summary="The marketplace's flows on this channel")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def flows(self, request, pk=None):
        channel = self.get_object()
        data = [
            {
                "name": spec.name,
                "flag": spec.flag,
                "label": spec.label,
                "direction": spec.direction,
                "kind": spec.kind,
                "schedule": spec.schedule_text,
                "enabled": channel.flow_enabled(spec.name),
                "runnable": runnable(spec.name, channel.adapter_class),
            }
            for spec in channel.adapter_class.flows
        ]
        return Response(s.FlowSerializer(data, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("flow", str, OpenApiParameter.PATH, description="Flow name, e.g. stock")],
        responses={202: s.QueuedSerializer, 409: s.DetailSerializer},
        summary="Run a flow now",
    )
    @action(detail=True, methods=["post"], url_path=r"flows/(?P<flow>[\w-]+)/run", filter_backends=[])
    def run_flow(self, request, pk=None, flow=None):
        channel = self.get_object()
        try:
            check_runnable(channel, flow)
        except FlowNotAvailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        request_flow(channel.id, flow, FlowRun.Trigger.MANUAL, countdown=0)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={200: s.FailedIntegrationSerializer(many=True)},
        parameters=[
            OpenApiParameter("kind", str, description="productstock, productprice, order…"),
            OpenApiParameter("sku", str, description="SKU (or order number) of the record"),
        ],
        summary="The channel's penalties (failed integrations)",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def penalties(self, request, pk=None):
        channel = self.get_object()
        qs = FailedIntegration.objects.filter(channel=channel).order_by("-last_failed_at", "-id")
        qs = PenaltyFilter(request.query_params, queryset=qs).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.FailedIntegrationSerializer(page, many=True).data)

    @extend_schema(
        request=s.LiftRequestSerializer,
        responses={200: s.LiftResultSerializer},
        summary="Lift penalties so their records are sent again now",
    )
    @action(detail=True, methods=["post"], url_path="penalties/lift", filter_backends=[])
    def lift_penalties(self, request, pk=None):
        channel = self.get_object()
        body = s.LiftRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        skus = None if body.validated_data.get("all") else body.validated_data["skus"]
        lifted = penalties.lift(channel, skus, kinds=body.validated_data.get("kinds") or None)
        return Response({"lifted": lifted})


# --- flow runs and batches -------------------------------------------------------------------------------


class FlowRunFilter(django_filters.FilterSet):
    channel__slug = django_filters.CharFilter(field_name="channel__slug")
    started_at__gte = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_at__lte = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lte")
    sku = django_filters.CharFilter(method="filter_sku", help_text="Runs that logged a line for this SKU / order number")

    class Meta:
        model = FlowRun
        fields = ["channel", "channel__slug", "flow", "status", "trigger", "started_at__gte", "started_at__lte", "sku"]

    def filter_sku(self, queryset, name, value):
        # A subquery on the indexed object_key: no join, no duplicates.
        return queryset.filter(id__in=FlowLogLine.objects.filter(object_key=value).values("run_id"))


class FlowLogLineFilter(django_filters.FilterSet):
    class Meta:
        model = FlowLogLine
        fields = ["outcome", "object_key"]


class FlowRunViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = FlowRun.objects.select_related("channel").order_by("-id")
    serializer_class = s.FlowRunSerializer
    filterset_class = FlowRunFilter

    @extend_schema(
        responses={200: s.FlowLogLineSerializer(many=True)},
        parameters=[
            OpenApiParameter("outcome", str, enum=list(FlowLogLine.Outcome.values)),
            OpenApiParameter("object_key", str, description="SKU or order number"),
        ],
        summary="The run's log lines",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def lines(self, request, pk=None):
        run = get_object_or_404(FlowRun, pk=pk)
        qs = FlowLogLine.objects.filter(run=run).order_by("id")
        qs = FlowLogLineFilter(request.query_params, queryset=qs).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.FlowLogLineSerializer(page, many=True).data)


class BatchRequestViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = BatchRequest.objects.order_by("-id")
    serializer_class = s.BatchRequestSerializer
    filterset_fields = ["channel", "status", "flow", "kind", "run"]



