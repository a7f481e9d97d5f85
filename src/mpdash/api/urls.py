"""Routes of the REST API, mounted at ``/api/v1/`` (paths in the Omnitron style)."""

from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
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

urlpatterns = router.urls
