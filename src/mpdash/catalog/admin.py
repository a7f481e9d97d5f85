from django.contrib import admin

from .models import Catalog, CatalogItem, Category, PriceList, Product, ProductPrice, ProductStock, StockList


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "product_type", "is_active", "category", "modified_at")
    list_filter = ("is_active", "product_type")
    search_fields = ("sku", "name", "base_code")
    raw_id_fields = ("category",)


@admin.register(ProductPrice)
class ProductPriceAdmin(admin.ModelAdmin):
    list_display = ("product", "price_list", "price", "retail_price", "currency", "modified_at")
    list_filter = ("price_list",)
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)


@admin.register(ProductStock)
class ProductStockAdmin(admin.ModelAdmin):
    list_display = ("product", "stock_list", "quantity", "modified_at")
    list_filter = ("stock_list",)
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ("catalog", "product", "added_at")
    list_filter = ("catalog",)
    search_fields = ("product__sku",)
    raw_id_fields = ("product",)


admin.site.register(Category)
admin.site.register(PriceList)
admin.site.register(StockList)
admin.site.register(Catalog)
