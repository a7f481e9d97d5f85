"""Routes of the REST API, mounted at ``/api/v1/`` (paths in the Omnitron style)."""


from mpdash.orders import api as orders_api

from django.urls import path

from . import mapping_views, views
from .lookups import IdRouter

router = IdRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("price_lists", views.PriceListViewSet, basename="price-list")
router.register("stock_lists", views.StockListViewSet, basename="stock-list")
router.register("catalogs", views.CatalogViewSet, basename="catalog")
router.register("product_prices", views.ProductPriceViewSet, basename="product-price")
router.register("product_stocks", views.ProductStockViewSet, basename="product-stock")
router.register("catalog_items", views.CatalogItemViewSet, basename="catalog-item")
router.register("channels", views.SalesChannelViewSet, basename="channel")
router.register("flow-runs", views.FlowRunViewSet, basename="flow-run")
router.register("batch-requests", views.BatchRequestViewSet, basename="batch-request")
router.register("remote-categories", mapping_views.RemoteCategoryViewSet, basename="remote-category")
router.register("remote-attributes", mapping_views.RemoteAttributeViewSet, basename="remote-attribute")
router.register("remote-brands", mapping_views.RemoteBrandViewSet, basename="remote-brand")
router.register("attribute-changes", mapping_views.AttributeChangeViewSet, basename="attribute-change")
router.register("category-mappings", mapping_views.CategoryMappingViewSet, basename="category-mapping")
router.register("attribute-mappings", mapping_views.AttributeMappingViewSet, basename="attribute-mapping")
router.register("product-integrations", mapping_views.ProductIntegrationViewSet, basename="product-integration")
orders_api.register(router)

urlpatterns = [
    path("channels/<id:channel_id>/products/<path:sku>/preview/", mapping_views.ProductPreviewView.as_view(), name="product-preview"),
    path("channels/<id:channel_id>/products/resend/", mapping_views.ProductResendView.as_view(), name="product-resend"),
    *router.urls,
    *orders_api.urlpatterns,
]
