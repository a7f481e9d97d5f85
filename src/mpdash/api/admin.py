"""Admin: lifting brute-force locks (mpdash.security) and their audit trail.

- "Lock lifts" lists every lift (read only); "Add lock lift" takes an address and/or a
  username and lifts their locks on saving.
- On django-axes' "access attempts" (the sign-in locks) and "access failures" (failed sign-ins
  and failed API tokens) the action "Lift the locks of these addresses and usernames".
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from django import forms
from django.contrib import admin, messages

from mpdash import security

from .models import LockLift


class LockLiftForm(forms.ModelForm):
    class Meta:
        model = LockLift
        fields = ["address", "username"]

    def clean(self):
        data = super().clean()
        if not data.get("address") and not (data.get("username") or "").strip():
            raise forms.ValidationError("Give the client address, the username, or both.")
        return data


@admin.register(LockLift)
class LockLiftAdmin(admin.ModelAdmin):
    form = LockLiftForm
    list_display = ["created_at", "address", "username", "token_failures", "login_attempts", "lifted_by", "source"]
    search_fields = ["address", "username", "lifted_by"]
    list_filter = ["source"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in LockLift._meta.fields] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # an audit trail

    def save_model(self, request, obj, form, change):
        lifted = security.lift_locks(address=obj.address, username=obj.username, by=request.user.get_username(),
                                     source="admin")
        obj.pk = lifted.pk  # the record lift_locks wrote; the admin redirects to it
        obj.__dict__.update({f.attname: getattr(lifted, f.attname) for f in LockLift._meta.concrete_fields})


@admin.action(description="Lift the locks of these addresses and usernames (recorded)")
def lift_selected(modeladmin, request, queryset):
    pairs = sorted({(row.ip_address or None, row.username or None) for row in queryset}, key=str)
    for address, username in pairs:
        security.lift_locks(address=address, username=username, by=request.user.get_username(), source="admin")
    modeladmin.message_user(request, f"Lifted the locks of {len(pairs)} address/username pair(s); see Lock lifts.",
                            messages.SUCCESS)


for model, base in ((AccessAttempt, AccessAttemptAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (base,), {"actions": [*(base.actions or []), lift_selected]}))
