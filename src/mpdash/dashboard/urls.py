"""Routes of the operator screens (mounted at the site root) and /health/."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from .views import alarms, channels, health, logs, mapping, mapping_edit, media, overview, refunds, trigger
from .views import settings as settings_views

app_name = "dashboard"

channel = "channels/<slug:slug>/"

urlpatterns = [
    path("health/", health.health, name="health"),
    path("login/", auth_views.LoginView.as_view(template_name="dashboard/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", channels.channel_list, name="channels"),
    path(channel, overview.dashboard, name="channel"),
    path(channel + "reports/", overview.reports, name="reports"),
    # Monitoring / Logs
    path(channel + "logs/", logs.run_list, name="logs"),
    path(channel + "logs/<int:run_id>/", logs.run_detail, name="run"),
    path(channel + "logs/<int:run_id>/summary/", logs.run_summary, name="run-summary"),
    # Alarms
    path(channel + "alarms/", alarms.alarm_list, name="alarms"),
    path(channel + "alarms/new/", alarms.save_rule, name="alarm-create"),
    path(channel + "alarms/<int:rule_id>/", alarms.save_rule, name="alarm-save"),
    path(channel + "alarms/<int:rule_id>/toggle/", alarms.toggle_rule, name="alarm-toggle"),
    path(channel + "alarms/evaluate/", alarms.evaluate_now, name="alarms-evaluate"),
    # Trigger
    path(channel + "trigger/", trigger.trigger_page, name="trigger"),
    path(channel + "trigger/run/<slug:flow>/", trigger.run_now, name="run-now"),
    path(channel + "trigger/watch/<slug:flow>/", trigger.watch, name="watch"),
    path(channel + "trigger/csv/", trigger.upload_csv, name="upload-csv"),
    path(channel + "trigger/csv/jobs/<int:job_id>/", trigger.csv_job, name="csv-job"),
    path(channel + "trigger/csv/jobs/<int:job_id>/results.csv", trigger.csv_job_results, name="csv-job-results"),
    # Refunds
    path(channel + "refunds/", refunds.refund_list, name="refunds"),
    path(channel + "refunds/<int:refund_id>/decide/", refunds.decide, name="refund-decide"),
    # Categories & Mapping
    path(channel + "mapping/", mapping.mapping_page, name="mapping"),
    path(channel + "mapping/categories/<int:category_id>/", mapping.mapping_page, name="mapping-category"),
    path(channel + "mapping/categories/<int:category_id>/children/", mapping.tree_children, name="tree-children"),
    path(channel + "mapping/search/", mapping.tree_search, name="tree-search"),
    path(channel + "mapping/attributes/<int:attribute_id>/values/", mapping.attribute_values, name="attribute-values"),
    path(channel + "mapping/preview/", mapping.product_preview, name="preview"),
    path(channel + "mapping/control/", mapping.mapping_control, name="mapping-control"),
    path(channel + "mapping/attribute-mappings/", mapping_edit.save_attribute_mapping, name="attribute-mapping-save"),
    path(channel + "mapping/attribute-mappings/<int:mapping_id>/delete/", mapping_edit.delete_attribute_mapping,
         name="attribute-mapping-delete"),
    path(channel + "mapping/category-mappings/", mapping_edit.save_category_mapping, name="category-mapping-save"),
    path(channel + "mapping/category-mappings/<int:mapping_id>/delete/", mapping_edit.delete_category_mapping,
         name="category-mapping-delete"),
    # Settings
    path(channel + "settings/", settings_views.settings_page, name="settings"),
    path(channel + "settings/save/", settings_views.save_settings, name="settings-save"),
    path(channel + "settings/flags/", settings_views.toggle_flag, name="flag-toggle"),
    path(channel + "settings/schedules/", settings_views.save_schedule, name="schedule-save"),
    path(channel + "settings/activation/", settings_views.activation, name="activation"),
    # Refund images handed to marketplaces: public, under unguessable names.
    re_path(r"^media/(?P<path>refunds/.+)$", media.refund_image, name="media"),
]
