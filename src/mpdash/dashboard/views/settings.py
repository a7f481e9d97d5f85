"""Settings: the channel's config form, feature flag toggles, flow schedules, and
activation with a confirmation step. Reading is for every role; changing is for admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from mpdash.integration.flows import runnable

from .. import config_form, schedules
from ..pages import channel_for, is_htmx, render_channel
from ..roles import ADMIN, VIEWER, role_required


def _flags(channel) -> list[dict]:
    """One toggle per flag, in the marketplace's flow order; a flag turning on several flows
    (one marketplace flag for create and update) is one toggle naming them all."""
    stored = (channel.config or {}).get(config_form.FLAGS_KEY) or {}
    out: dict[str, dict] = {}
    for spec in channel.adapter_class.flows:
        if not spec.flag:
            continue
        if spec.flag in out:
            row = out[spec.flag]
            row["label"] = f"{row['label']} · {spec.label}"
            row["available"] = row["available"] or runnable(spec.name)
            continue
        out[spec.flag] = {"flag": spec.flag, "label": spec.label, "flow": spec.name, "on": bool(stored.get(spec.flag)),
                          "available": runnable(spec.name)}
    return list(out.values())


def _page(request, channel, *, posted=None, errors=None, schedule_errors=None, status=200):
    return render_channel(
        request, channel, "dashboard/settings.html", "settings",
        {
            "fields": config_form.build_fields(channel, posted, errors),
            "errors": errors or {},
            "other_errors": {k: v for k, v in (errors or {}).items() if k not in (channel.schema or {})},
            "flags": _flags(channel),
            "schedules": schedules.flow_schedules(channel),
            "schedule_errors": schedule_errors or {},
        },
        status=status,
    )


@role_required(VIEWER)
def settings_page(request, slug: str):
    return _page(request, channel_for(slug))


@require_POST
@role_required(ADMIN)
def save_settings(request, slug: str):
    channel = channel_for(slug)
    changes, errors = config_form.changes_from_post(channel, request.POST)
    if not changes and not errors:
        messages.info(request, "Nothing changed.")
        return redirect("dashboard:settings", slug=slug)
    errors.update(config_form.save_config(channel, changes, commit=not errors))
    if errors:
        return _page(request, channel_for(slug), posted=request.POST, errors=errors, status=400)
    messages.success(request, f"Saved: {', '.join(sorted(changes))}.")
    return redirect("dashboard:settings", slug=slug)


@require_POST
@role_required(ADMIN)
def toggle_flag(request, slug: str):
    """Turn one feature flag on (``on`` posted) or off, through the channel's validation."""
    channel = channel_for(slug)
    flag = request.POST.get("flag", "")
    flags = dict((channel.config or {}).get(config_form.FLAGS_KEY) or {})
    flags[flag] = "on" in request.POST
    errors = config_form.save_config(channel, {config_form.FLAGS_KEY: flags})
    if errors:
        channel = channel_for(slug)
    if is_htmx(request):
        return render(
            request, "dashboard/partials/flags.html",
            {"channel": channel, "flags": _flags(channel), "flag_errors": errors, "saved": not errors and flag},
        )  # 200 either way: htmx swaps only successful answers in
    for message in errors.values():
        messages.error(request, message)
    return redirect("dashboard:settings", slug=slug)


@require_POST
@role_required(ADMIN)
def save_schedule(request, slug: str):
    channel = channel_for(slug)
    flow, mode, value = request.POST.get("flow", ""), request.POST.get("mode", ""), request.POST.get("value", "")
    try:
        if mode == "interval":
            schedules.set_interval(channel, flow, schedules.parse_interval(value))
        elif mode == "cron":
            schedules.set_crontab(channel, flow, value)
        elif mode == "default":
            schedules.reset(channel, flow)
        else:
            raise ValidationError("choose an interval in seconds, a cron expression, or the default")
    except ValidationError as exc:
        return _page(request, channel, schedule_errors={flow: "; ".join(exc.messages)}, status=400)
    messages.success(request, f"Schedule of {flow} saved.")
    return redirect(reverse("dashboard:settings", kwargs={"slug": slug}) + "#schedules")


def _activation_context(channel, activate: bool) -> dict:
    scheduled = schedules.flow_schedules(channel)
    flags_on = {f["flow"] for f in _flags(channel) if f["on"]}
    return {
        "activate": activate,
        "starting": [s for s in scheduled if s.flow in flags_on],
        "stopping": [s for s in scheduled if s.enabled],
    }


@role_required(ADMIN)
def activation(request, slug: str):
    """The confirmation step: what activating (or deactivating) will do, and what blocks it."""
    channel = channel_for(slug)
    activate = not channel.is_active
    errors = config_form.save_config(channel_for(slug), {}, commit=False, is_active=True) if activate else {}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            return redirect("dashboard:settings", slug=slug)
        if not errors:
            errors = config_form.save_config(channel, {}, is_active=activate)
        if not errors:
            messages.success(request, f"{channel.name} is {'active' if activate else 'inactive'} now.")
            return redirect("dashboard:settings", slug=slug)
    context = {**_activation_context(channel, activate), "blocking": errors}
    return render_channel(
        request, channel, "dashboard/activation.html", "settings", context, status=400 if errors and request.method == "POST" else 200
    )
