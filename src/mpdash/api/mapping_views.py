"""REST API of the catalog-to-marketplace side: what the marketplace offers (remote
categories, attributes, brands), the Mapper's rules (with CSV/JSON import and export),
product previews, re-sends and where each product stands."""

from __future__ import annotations

import csv
import io
import json

import django_filters
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from mpdash.catalog.models import Product
from mpdash.channels.mapper import preview
from mpdash.channels.models import SalesChannel
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import AttributeChange, RemoteAttribute, RemoteAttributeValue, RemoteBrand, RemoteCategory
from mpdash.integration.models import ProductIntegration
from mpdash.integration.product_flow import resend

from . import mapping_serializers as ms

# --- what the marketplace offers (read only) -------------------------------------------


class RemoteCategoryFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(field_name="path", lookup_expr="icontains", help_text="Part of the category path")

    class Meta:
        model = RemoteCategory
        fields = ["channel", "is_leaf", "is_active", "available", "remote_id", "search"]


class RemoteCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RemoteCategory.objects.order_by("channel_id", "path")
    serializer_class = ms.RemoteCategorySerializer
    filterset_class = RemoteCategoryFilter


class RemoteAttributeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RemoteAttribute.objects.select_related("category").order_by("channel_id", "category_id", "-required", "name")
    serializer_class = ms.RemoteAttributeSerializer
    filterset_fields = ["channel", "category", "required", "is_default", "is_active"]

    @extend_schema(responses={200: ms.RemoteAttributeValueSerializer(many=True)}, summary="Allowed values of an attribute")
    @action(detail=True, methods=["get"], filter_backends=[])
    def values(self, request, pk=None):
        qs = RemoteAttributeValue.objects.filter(attribute=self.get_object()).order_by("name")
        if request.query_params.get("search"):
            qs = qs.filter(name__icontains=request.query_params["search"])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ms.RemoteAttributeValueSerializer(page, many=True).data)


class RemoteBrandViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = RemoteBrand.objects.order_by("channel_id", "name")
    serializer_class = ms.RemoteBrandSerializer
    filterset_fields = {"channel": ["exact"], "name": ["exact", "icontains"]}


class AttributeChangeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AttributeChange.objects.select_related("category").order_by("-id")
    serializer_class = ms.AttributeChangeSerializer
    filterset_fields = ["channel", "change", "run"]


# --- mappings ---------------------------------------------------------------------------


class _CSVRenderer(BaseRenderer):
    """Lets ``?format=csv`` through DRF's content negotiation (it answered 404 before); the
    export writes the CSV itself."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, (bytes, str)) else json.dumps(data, ensure_ascii=False)


def _csv_rows(upload) -> tuple[list[str], list[dict]]:
    """The header and rows of an uploaded CSV file; ValueError, in words, for a file that is not CSV text."""
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("not a UTF-8 text file; save the CSV as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        rows = list(reader)
        return list(reader.fieldnames or []), rows
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV file: {exc}") from None


class _MappingViewSet(viewsets.ModelViewSet):
    """CRUD plus ``export`` (``?format=csv|json``) and ``import`` (a JSON list or a CSV
    file): import is all-or-nothing, a bad row answers 400 naming the row and field."""

    # JSON bodies (a mapping has nullable ids and JSON objects, which a form cannot carry);
    # the import takes a CSV file as multipart as well.
    parser_classes = [JSONParser]
    columns: tuple[str, ...] = ()

    def _rows_for_export(self, queryset):
        raise NotImplementedError

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "json"], description="csv (default) or json")],
        responses={200: OpenApiTypes.STR},
        summary="Export mappings (filter by ?channel=)",
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=[JSONRenderer, _CSVRenderer])
    def export(self, request):
        rows = list(self._rows_for_export(self.filter_queryset(self.get_queryset())))
        if request.query_params.get("format") == "json":
            return Response(rows)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.basename}.csv"'
        return response

    @action(detail=False, methods=["post"], url_path="import", parser_classes=[JSONParser, MultiPartParser])
    def import_rows(self, request):
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                header, rows = _csv_rows(upload)
            except ValueError as exc:
                return Response({"file": [str(exc)]}, status=400)
            missing = [c for c in self.columns if c not in header]
            if missing:
                return Response({"detail": f"the CSV header lacks {', '.join(missing)}; expected: {','.join(self.columns)}"}, status=400)
        elif isinstance(request.data, list):
            rows = request.data
        else:
            return Response({"detail": "send a JSON list of mappings, or a CSV file in the form field 'file'"}, status=400)
        serializer = self.import_serializer(data=rows, many=True)
        if not serializer.is_valid():
            raw = serializer.errors
            pairs = raw.items() if isinstance(raw, dict) else enumerate(raw)  # DRF lists only bad rows in newer versions
            errors = [
                {"row": int(i) + 1, **({"line": int(i) + 2} if upload is not None else {}), "errors": e}
                for i, e in sorted(pairs, key=lambda p: int(p[0])) if e
            ]
            return Response({"detail": "nothing was imported; fix these rows", "rows": errors}, status=400)
        with transaction.atomic():
            created = updated = 0
            for data in serializer.validated_data:
                _, was_created = self.upsert(data)
                created += was_created
                updated += not was_created
        return Response({"created": created, "updated": updated})


_IMPORT_RESULT = inline_serializer("MappingImportResult", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()})


def _import_schema(row_serializer, columns: tuple[str, ...]):
    """The import body is a JSON list of rows or a CSV file; nothing else is taken."""
    return extend_schema(
        request={"application/json": row_serializer(many=True), "multipart/form-data": inline_serializer(
            f"{row_serializer.__name__.removesuffix('Serializer')}CsvUpload",
            {"file": serializers.FileField(help_text=f"A UTF-8 CSV file whose header is: {','.join(columns)}; "
                                                     "JSON cells (conditions, value_map) hold JSON text")},
        )},
        responses={200: _IMPORT_RESULT},
        summary="Import mappings (a JSON list of rows, or a CSV file in the form field 'file'); all or nothing",
    )


_CATEGORY_COLUMNS = ("channel", "local_category", "conditions", "remote_category")
_ATTRIBUTE_COLUMNS = ("channel", "remote_category", "attribute", "source_type", "source", "value_map")


@extend_schema_view(import_rows=_import_schema(ms.CategoryMappingImportSerializer, _CATEGORY_COLUMNS))
class CategoryMappingViewSet(_MappingViewSet):
    queryset = CategoryMapping.objects.select_related("local_category", "remote_category").order_by("id")
    serializer_class = ms.CategoryMappingSerializer
    import_serializer = ms.CategoryMappingImportSerializer
    filterset_fields = ["channel", "local_category", "remote_category"]
    columns = _CATEGORY_COLUMNS

    def _rows_for_export(self, queryset):
        for m in queryset:
            yield {
                "channel": m.channel_id, "local_category": m.local_category.code if m.local_category_id else "",
                "conditions": m.conditions or {}, "remote_category": m.remote_category.remote_id,
            }

    def upsert(self, data):
        return CategoryMapping.objects.update_or_create(
            channel=data["channel"], local_category=data.get("local_category"), conditions=data.get("conditions") or {},
            defaults={"remote_category": data["remote_category"]},
        )


@extend_schema_view(import_rows=_import_schema(ms.AttributeMappingImportSerializer, _ATTRIBUTE_COLUMNS))
class AttributeMappingViewSet(_MappingViewSet):
    queryset = AttributeMapping.objects.select_related("remote_category").order_by("id")
    serializer_class = ms.AttributeMappingSerializer
    import_serializer = ms.AttributeMappingImportSerializer
    filterset_fields = ["channel", "remote_category", "attribute", "source_type"]
    columns = _ATTRIBUTE_COLUMNS

    def _rows_for_export(self, queryset):
        for m in queryset:
            yield {
                "channel": m.channel_id, "remote_category": m.remote_category.remote_id if m.remote_category_id else "",
                "attribute": m.attribute, "source_type": m.source_type, "source": m.source, "value_map": m.value_map or {},
            }

    def upsert(self, data):
        return AttributeMapping.objects.update_or_create(
            channel=data["channel"], remote_category=data.get("remote_category"), attribute=data["attribute"],
            defaults={"source_type": data["source_type"], "source": data["source"], "value_map": data.get("value_map") or {}},
        )


# --- products on a channel ---------------------------------------------------------------


class ProductIntegrationFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku")

    class Meta:
        model = ProductIntegration
        fields = ["channel", "state", "sku"]


class ProductIntegrationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ProductIntegration.objects.select_related("product", "remote_category", "last_batch").order_by("-updated_at", "-id")
    serializer_class = ms.ProductIntegrationSerializer
    filterset_class = ProductIntegrationFilter


class ProductPreviewView(APIView):
    @extend_schema(responses={200: ms.PreviewSerializer}, summary="The exact payload the product flow would send, and its errors")
    def get(self, request, channel_id: int, sku: str):
        channel = get_object_or_404(SalesChannel, pk=channel_id)
        product = get_object_or_404(Product.objects.select_related("category"), sku=sku)
        return Response(preview(channel, product))


class ProductResendView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ms.ResendRequestSerializer,
        responses={202: ms.ResendResultSerializer},
        summary="Send products again (creates and updates), from a list of skus or a CSV with header 'sku'",
    )
    def post(self, request, channel_id: int):
        channel = get_object_or_404(SalesChannel, pk=channel_id)
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                header, rows = _csv_rows(upload)
            except ValueError as exc:
                return Response({"file": [str(exc)]}, status=400)
            if "sku" not in header:
                return Response({"file": ["the CSV needs a header row with the column 'sku'"]}, status=400)
            skus = [row["sku"].strip() for row in rows if (row.get("sku") or "").strip()]
        else:
            body = ms.ResendRequestSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            skus = body.validated_data["skus"]
        if not skus:
            return Response({"skus": ["give at least one sku"]}, status=400)
        return Response(resend(channel, skus), status=status.HTTP_202_ACCEPTED)


__all__ = [
    "AttributeChangeViewSet", "AttributeMappingViewSet", "CategoryMappingViewSet", "ProductIntegrationViewSet",
    "ProductPreviewView", "ProductResendView", "RemoteAttributeViewSet", "RemoteBrandViewSet", "RemoteCategoryViewSet",
]
