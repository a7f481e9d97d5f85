from django.contrib import admin

from .models import BatchRequest, FailedIntegration, FlowLogLine, FlowRun, InboundCursor, InboundItem, ProductIntegration


class FlowLogLineInline(admin.TabularInline):
    model = FlowLogLine
    extra = 0
    fields = ("object_key", "outcome", "message", "answer")
    readonly_fields = fields
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(FlowRun)
class FlowRunAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "flow", "status", "trigger", "started_at", "duration_ms", "sent", "succeeded", "failed")
    list_filter = ("status", "flow", "trigger", "channel")
    readonly_fields = [f.name for f in FlowRun._meta.fields]
    inlines = [FlowLogLineInline]


@admin.register(BatchRequest)
class BatchRequestAdmin(admin.ModelAdmin):
    list_display = ("local_batch_id", "channel", "flow", "status", "remote_batch_id", "item_count", "sent_at", "answered_at")
    list_filter = ("status", "flow", "channel")
    readonly_fields = [f.name for f in BatchRequest._meta.fields]


@admin.register(FailedIntegration)
class FailedIntegrationAdmin(admin.ModelAdmin):
    list_display = ("object_key", "kind", "channel", "retry_count", "next_retry_at", "expiration_date", "last_error")
    list_filter = ("kind", "channel")
    search_fields = ("object_key",)
    actions = ["lift"]

    @admin.action(description="Lift the selected penalties (retry now)")
    def lift(self, request, queryset):
        from . import penalties

        by_channel = {}
        for p in queryset:
            by_channel.setdefault(p.channel, []).append(p.object_key)
        for channel, skus in by_channel.items():
            penalties.lift(channel, skus)


@admin.register(ProductIntegration)
class ProductIntegrationAdmin(admin.ModelAdmin):
    list_display = ("product", "channel", "state", "remote_sku", "accepted_version", "sent_version", "updated_at")
    list_filter = ("channel", "state")
    search_fields = ("product__sku", "remote_sku")
    raw_id_fields = ("product", "remote_category", "last_batch")


@admin.register(InboundCursor)
class InboundCursorAdmin(admin.ModelAdmin):
    list_display = ("channel", "flow", "high_water", "last_sweep_at", "updated_at")
    list_filter = ("channel", "flow")


@admin.register(InboundItem)
class InboundItemAdmin(admin.ModelAdmin):
    list_display = ("key", "flow", "channel", "error", "available_at", "first_seen_at")
    list_filter = ("channel", "flow")
    search_fields = ("key", "error")
