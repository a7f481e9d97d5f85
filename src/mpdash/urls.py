from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mpdash.api.trigger_views import FlowTriggerStatusView, FlowTriggerView, SplitPackagesTriggerView, UpdateWarehouseTriggerView
from mpdash.app_metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("mpdash.api.urls")),
    path("flow-trigger/requests/<uuid:correlation_id>", FlowTriggerStatusView.as_view(), name="flow-trigger-status"),
    path("flow-trigger/<slug:channel_slug>/split_packages", SplitPackagesTriggerView.as_view()),
    path("flow-trigger/<slug:channel_slug>/update_warehouse", UpdateWarehouseTriggerView.as_view()),
    path("flow-trigger/<slug:channel_slug>/<str:flow>", FlowTriggerView.as_view(), name="flow-trigger"),
    path("", include("mpdash.dashboard.urls")),
]
