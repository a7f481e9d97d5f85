from django.contrib import admin

from .models import AlarmEvent, AlarmRule


class AlarmEventInline(admin.TabularInline):
    model = AlarmEvent
    extra = 0
    readonly_fields = ("value", "fired_at", "resolved_at", "resolved_value", "notified")
    can_delete = False


@admin.register(AlarmRule)
class AlarmRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "channel", "flow", "metric", "window_minutes", "threshold", "is_active")
    list_filter = ("channel", "metric", "is_active")
    inlines = [AlarmEventInline]
