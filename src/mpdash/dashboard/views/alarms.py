"""Alarms: rules on a flow's errors or run time, their e-mail recipients, and the history
of breaches. Everyone reads; admins create, edit and switch rules; operators may have the
rules evaluated now instead of waiting for the minute's evaluation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from mpdash.alarms.evaluation import evaluate
from mpdash.alarms.models import AlarmEvent, AlarmRule

from ..pages import channel_for, render_channel
from ..roles import ADMIN, OPERATOR, VIEWER, role_required


class AlarmRuleForm(forms.ModelForm):
    class Meta:
        model = AlarmRule
        fields = ["name", "flow", "metric", "window_minutes", "threshold", "recipients", "is_active"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 3, "placeholder": "ops@example.com, oncall@example.com"})}

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.channel = channel
        choices = [("", "Any flow")] + [(spec.name, spec.label) for spec in channel.adapter_class.flows]
        self.fields["flow"] = forms.ChoiceField(choices=choices, required=False)


def _page(request, channel, form=None, editing=None, status=200):
    rules = list(AlarmRule.objects.filter(channel=channel).prefetch_related("events"))
    history = AlarmEvent.objects.filter(rule__channel=channel).select_related("rule")[:50]
    return render_channel(request, channel, "dashboard/alarms.html", "alarms", {
        "rules": rules, "history": history, "editing": editing,
        "form": form or AlarmRuleForm(channel=channel, instance=editing),
    }, status=status)


@role_required(VIEWER)
def alarm_list(request, slug: str):
    channel = channel_for(slug)
    editing = None
    if request.GET.get("edit"):
        editing = get_object_or_404(AlarmRule, channel=channel, pk=request.GET["edit"])
    return _page(request, channel, editing=editing)


@require_POST
@role_required(ADMIN)
def save_rule(request, slug: str, rule_id: int | None = None):
    channel = channel_for(slug)
    rule = get_object_or_404(AlarmRule, channel=channel, pk=rule_id) if rule_id else None
    form = AlarmRuleForm(request.POST, channel=channel, instance=rule)
    if not form.is_valid():
        return _page(request, channel, form=form, editing=rule, status=400)
    saved = form.save()
    messages.success(request, f"Alarm “{saved.name}” saved: {saved.describe()}.")
    return redirect("dashboard:alarms", slug=slug)


@require_POST
@role_required(ADMIN)
def toggle_rule(request, slug: str, rule_id: int):
    channel = channel_for(slug)
    rule = get_object_or_404(AlarmRule, channel=channel, pk=rule_id)
    rule.is_active = not rule.is_active
    rule.save(update_fields=["is_active"])
    messages.success(request, f"Alarm “{rule.name}” {'enabled' if rule.is_active else 'disabled'}.")
    return redirect("dashboard:alarms", slug=slug)


@require_POST
@role_required(OPERATOR)
def evaluate_now(request, slug: str):
    channel = channel_for(slug)
    outcomes = [(rule, evaluate(rule)) for rule in AlarmRule.objects.filter(channel=channel, is_active=True)]
    changed = [f"{rule.name} {outcome}" for rule, outcome in outcomes if outcome]
    messages.info(request, f"Evaluated {len(outcomes)} rule(s)" + (f": {', '.join(changed)}." if changed else "; nothing changed."))
    return redirect("dashboard:alarms", slug=slug)
