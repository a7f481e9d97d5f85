"""Categories & Mapping (changing): category and attribute mappings, created, edited and
deleted through the models' own validation. Saving a mapping makes the products it
affects pending again (see mpdash.integration.signals)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from mpdash.catalog.models import Category
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteAttribute, RemoteCategory

from ..pages import channel_for, render_channel
from ..roles import OPERATOR, role_required
from .mapping import mapping_context


def _back(slug: str, category_id, anchor: str = ""):
    if category_id:
        url = reverse("dashboard:mapping-category", kwargs={"slug": slug, "category_id": category_id})
    else:
        url = reverse("dashboard:mapping", kwargs={"slug": slug})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _rejected(request, channel, category, form: str, errors: dict[str, str]):
    context = mapping_context(channel, category, errors={"form": form, **errors}, posted=request.POST)
    return render_channel(request, channel, "dashboard/mapping.html", "mapping", context, status=400)


def _json_object(text: str, field: str) -> dict:
    text = (text or "").strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValidationError({field: f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"}) from None
    if not isinstance(value, dict):
        raise ValidationError({field: 'must be a JSON object such as {"Kırmızı": "1001"}'})
    return value


def _messages(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "message_dict"):
        return {("form_error" if k == "__all__" else k): "; ".join(v) for k, v in exc.message_dict.items()}
    return {"form_error": "; ".join(exc.messages)}


def _save(instance) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:  # a concurrent save of the same rule
        raise ValidationError(f"another mapping for this was saved meanwhile; reload the page ({exc})") from None


@require_POST
@role_required(OPERATOR)
def save_attribute_mapping(request, slug: str):
    channel = channel_for(slug)
    page_category = RemoteCategory.objects.filter(channel=channel, pk=request.POST.get("page_category") or None).first()
    attribute = get_object_or_404(RemoteAttribute, channel=channel, pk=request.POST.get("remote_attribute")) \
        if request.POST.get("remote_attribute") else None
    scope = request.POST.get("scope", "global")
    remote_category = None
    if scope != "global":
        remote_category = get_object_or_404(RemoteCategory, channel=channel, pk=scope)
    key = request.POST.get("attribute", "").strip() or (
        (attribute.remote_id if remote_category else attribute.name) if attribute else ""
    )
    form = f"attr-{request.POST.get('row', key)}"
    try:
        if not key:
            raise ValidationError({"attribute": "name the marketplace attribute (its id or name)"})
        # The rule shown is edited in place when it has the scope chosen; another scope means
        # that scope's rule (e.g. a category's override of a mapping for all categories).
        shown = AttributeMapping.objects.filter(channel=channel, pk=request.POST.get("mapping_id") or None).first()
        if shown is not None and shown.remote_category_id == (remote_category.pk if remote_category else None):
            mapping = shown
        else:
            mapping = AttributeMapping.objects.filter(channel=channel, remote_category=remote_category, attribute=key).first()
            mapping = mapping or AttributeMapping(channel=channel, remote_category=remote_category, attribute=key)
        mapping.source_type = request.POST.get("source_type", "")
        mapping.source = request.POST.get("source", "").strip()
        mapping.value_map = _json_object(request.POST.get("value_map", ""), "value_map")
        _save(mapping)
    except ValidationError as exc:
        return _rejected(request, channel, page_category, form, _messages(exc))
    messages.success(request, f"Mapping saved: {mapping}.")
    return _back(slug, page_category.pk if page_category else None, form)


@require_POST
@role_required(OPERATOR)
def delete_attribute_mapping(request, slug: str, mapping_id: int):
    channel = channel_for(slug)
    mapping = get_object_or_404(AttributeMapping, channel=channel, pk=mapping_id)
    label = str(mapping)
    mapping.delete()
    messages.success(request, f"Mapping deleted: {label}.")
    return _back(slug, request.POST.get("page_category") or None)


@require_POST
@role_required(OPERATOR)
def save_category_mapping(request, slug: str):
    channel = channel_for(slug)
    remote = get_object_or_404(RemoteCategory, channel=channel, pk=request.POST.get("remote_category"))
    code = request.POST.get("local_category", "").strip()
    try:
        local = None
        if code:
            local = Category.objects.filter(code=code).first()
            if local is None:
                raise ValidationError({"local_category": f"no local category with code {code!r}"})
        conditions = _json_object(request.POST.get("conditions", ""), "conditions")
        mapping = CategoryMapping.objects.filter(channel=channel, local_category=local, conditions=conditions).first()
        mapping = mapping or CategoryMapping(channel=channel, local_category=local, conditions=conditions)
        mapping.remote_category = remote
        _save(mapping)
    except ValidationError as exc:
        return _rejected(request, channel, remote, "category-mapping", _messages(exc))
    messages.success(request, f"Category mapping saved: {mapping}.")
    return _back(slug, remote.pk, "category-mappings")


@require_POST
@role_required(OPERATOR)
def delete_category_mapping(request, slug: str, mapping_id: int):
    channel = channel_for(slug)
    mapping = get_object_or_404(CategoryMapping, channel=channel, pk=mapping_id)
    label = str(mapping)
    mapping.delete()
    messages.success(request, f"Category mapping deleted: {label}.")
    return _back(slug, request.POST.get("page_category") or None, "category-mappings")
