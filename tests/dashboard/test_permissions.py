"""Roles on the screens: who sees what, and every write refused below its role (403),
checked on the server whatever the page shows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from mpdash.alarms.models import AlarmRule
from mpdash.dashboard.roles import ADMIN, OPERATOR, VIEWER, user_role
from mpdash.integration.models import CsvJob, FlowLogLine, FlowRun

from .conftest import make_refund, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    channel = tree["channel"]
    run = FlowRun.objects.create(channel=channel, flow="stock", status="success")
    FlowLogLine.objects.create(run=run, object_key="SKU-1", outcome="success")
    refund = make_refund(channel)
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping

    return {
        "channel": channel, "slug": channel.slug, "run": run, "refund": refund, "tree": tree,
        "attribute_mapping": AttributeMapping.objects.get(channel=channel, attribute="Marka"),
        "category_mapping": CategoryMapping.objects.get(channel=channel),
        "alarm": AlarmRule.objects.create(channel=channel, name="Errors", threshold=3, recipients="ops@example.com"),
        "csv_job": CsvJob.objects.create(channel=channel, action="bump", rows=[[2, "SKU-1"]], total=1),
    }


def read_urls(w) -> dict[str, str]:
    slug, tree = w["slug"], w["tree"]
    return {
        "channels": reverse("dashboard:channels"),
        "channel": reverse("dashboard:channel", kwargs={"slug": slug}),
        "alarms": reverse("dashboard:alarms", kwargs={"slug": slug}),
        "mapping-control": reverse("dashboard:mapping-control", kwargs={"slug": slug}),
        "csv-job": reverse("dashboard:csv-job", kwargs={"slug": slug, "job_id": w["csv_job"].pk}),
        "csv-job-results": reverse("dashboard:csv-job-results", kwargs={"slug": slug, "job_id": w["csv_job"].pk}),
        "reports": reverse("dashboard:reports", kwargs={"slug": slug}) + "?kind=price&format=csv",
        "logs": reverse("dashboard:logs", kwargs={"slug": slug}) + "?key=SKU-1",
        "run": reverse("dashboard:run", kwargs={"slug": slug, "run_id": w["run"].pk}),
        "run-summary": reverse("dashboard:run-summary", kwargs={"slug": slug, "run_id": w["run"].pk}),
        "trigger": reverse("dashboard:trigger", kwargs={"slug": slug}),
        "watch": reverse("dashboard:watch", kwargs={"slug": slug, "flow": "stock"}) + "?after=0",
        "refunds": reverse("dashboard:refunds", kwargs={"slug": slug}),
        "mapping": reverse("dashboard:mapping", kwargs={"slug": slug}),
        "mapping-category": reverse("dashboard:mapping-category", kwargs={"slug": slug, "category_id": tree["dress"].pk}),
        "tree-children": reverse("dashboard:tree-children", kwargs={"slug": slug, "category_id": tree["root"].pk}),
        "tree-search": reverse("dashboard:tree-search", kwargs={"slug": slug}) + "?q=elb",
        "attribute-values": reverse("dashboard:attribute-values", kwargs={"slug": slug, "attribute_id": tree["colour"].pk}),
        "preview": reverse("dashboard:preview", kwargs={"slug": slug}) + "?sku=NOPE",
        "settings": reverse("dashboard:settings", kwargs={"slug": slug}),
    }


def write_urls(w) -> dict[str, tuple[str, dict, str]]:
    """name → (url, a valid POST body, the role it needs)."""
    slug = w["slug"]
    return {
        "run-now": (reverse("dashboard:run-now", kwargs={"slug": slug, "flow": "category_node"}), {}, OPERATOR),
        "upload-csv": (reverse("dashboard:upload-csv", kwargs={"slug": slug}), {"action": "bump"}, OPERATOR),
        "refund-decide": (
            reverse("dashboard:refund-decide", kwargs={"slug": slug, "refund_id": w["refund"].pk}), {"decision": "approve"}, OPERATOR,
        ),
        "attribute-mapping-save": (
            reverse("dashboard:attribute-mapping-save", kwargs={"slug": slug}),
            {"remote_attribute": w["tree"]["colour"].pk, "scope": w["tree"]["dress"].pk, "source_type": "attribute", "source": "color"},
            OPERATOR,
        ),
        "attribute-mapping-delete": (
            reverse("dashboard:attribute-mapping-delete", kwargs={"slug": slug, "mapping_id": w["attribute_mapping"].pk}), {}, OPERATOR,
        ),
        "category-mapping-save": (
            reverse("dashboard:category-mapping-save", kwargs={"slug": slug}),
            {"remote_category": w["tree"]["tee"].pk, "local_category": "giyim"}, OPERATOR,
        ),
        "category-mapping-delete": (
            reverse("dashboard:category-mapping-delete", kwargs={"slug": slug, "mapping_id": w["category_mapping"].pk}), {}, OPERATOR,
        ),
        "settings-save": (reverse("dashboard:settings-save", kwargs={"slug": slug}), {"cfg-erp_code": "ERP-1"}, ADMIN),
        "flag-toggle": (reverse("dashboard:flag-toggle", kwargs={"slug": slug}), {"flag": "price", "on": "1"}, ADMIN),
        "schedule-save": (
            reverse("dashboard:schedule-save", kwargs={"slug": slug}), {"flow": "stock", "mode": "interval", "value": "120"}, ADMIN,
        ),
        "activation": (reverse("dashboard:activation", kwargs={"slug": slug}), {"confirm": "yes"}, ADMIN),
        "alarm-create": (reverse("dashboard:alarm-create", kwargs={"slug": slug}), {
            "name": "Stock errors", "flow": "stock", "metric": "errors", "window_minutes": "60", "threshold": "5",
            "recipients": "ops@example.com", "is_active": "on"}, ADMIN),
        "alarm-save": (reverse("dashboard:alarm-save", kwargs={"slug": slug, "rule_id": w["alarm"].pk}), {
            "name": "Slow stock", "flow": "stock", "metric": "avg_duration", "window_minutes": "30", "threshold": "60",
            "recipients": "ops@example.com"}, ADMIN),
        "alarm-toggle": (reverse("dashboard:alarm-toggle", kwargs={"slug": slug, "rule_id": w["alarm"].pk}), {}, ADMIN),
        "alarms-evaluate": (reverse("dashboard:alarms-evaluate", kwargs={"slug": slug}), {}, OPERATOR),
    }


def _dashboard_views() -> dict[str, object]:
    resolver = get_resolver()
    out = {}
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "dashboard":
            for p in pattern.url_patterns:
                out[p.name] = p.callback
    return out


def test_every_screen_declares_its_role_and_every_write_is_listed_here(world):
    views = _dashboard_views()
    public = {"health", "login", "logout", "media"}
    undeclared = [name for name, view in views.items() if name not in public and not hasattr(view, "required_role")]
    assert undeclared == []
    writes = {name for name, view in views.items() if getattr(view, "required_role", VIEWER) != VIEWER}
    assert writes == set(write_urls(world)), "a write view is missing from the permission tests"
    assert set(read_urls(world)) == {n for n, v in views.items() if getattr(v, "required_role", None) == VIEWER}


def test_anonymous_users_are_sent_to_the_login_page(world):
    client = Client()
    for name, url in read_urls(world).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next="), name
    for name, (url, body, _) in write_urls(world).items():
        assert client.post(url, body).status_code == 302, name
    assert client.get("/health/").status_code == 200


def test_a_user_without_a_role_sees_nothing(world, client_as):
    client = client_as("nobody")
    for name, url in read_urls(world).items():
        response = client.get(url)
        assert response.status_code == 403, name
    assert b"no dashboard role" in client.get(read_urls(world)["channels"]).content


@pytest.mark.parametrize("role", [VIEWER, OPERATOR, ADMIN])
def test_every_role_reads_every_screen(world, client_as, role):
    client = client_as(role)
    for name, url in read_urls(world).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)


@pytest.mark.parametrize("role", [VIEWER, OPERATOR])
def test_writes_above_the_role_are_refused_and_change_nothing(world, client_as, role):
    from mpdash.channels.models import SalesChannel
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.alarms.models import AlarmEvent
    from mpdash.orders.models import CancellationRequest

    client = client_as(role)

    def state():
        return (
            SalesChannel.objects.get(pk=world["channel"].pk).config, AttributeMapping.objects.count(),
            CategoryMapping.objects.count(), CancellationRequest.objects.get(pk=world["refund"].pk).status,
            FlowRun.objects.count(), list(AlarmRule.objects.values_list("name", "is_active", "threshold")),
            AlarmEvent.objects.count(),
        )

    before = state()
    refused = 0
    for name, (url, body, needed) in write_urls(world).items():
        if role == OPERATOR and needed == OPERATOR:
            continue
        response = client.post(url, body)
        assert response.status_code == 403, (name, response.status_code)
        refused += 1
    assert refused == (15 if role == VIEWER else 7)
    assert state() == before


@pytest.mark.parametrize("name", ["run-now", "upload-csv", "refund-decide", "attribute-mapping-save", "category-mapping-save",
                                  "attribute-mapping-delete", "category-mapping-delete", "alarms-evaluate"])
def test_an_operator_may_do_the_operator_writes(world, client_as, no_celery, name):
    url, body, _ = write_urls(world)[name]
    response = client_as(OPERATOR).post(url, body)
    assert response.status_code in (200, 302, 400), response.status_code  # 400: the CSV lacks a file
    assert response.status_code != 403


@pytest.mark.parametrize("name", ["settings-save", "flag-toggle", "schedule-save", "activation"])
def test_an_admin_may_change_settings(world, client_as, name):
    url, body, _ = write_urls(world)[name]
    response = client_as(ADMIN).post(url, body)
    assert response.status_code in (200, 302, 400)


def test_get_on_a_write_is_not_allowed(world, client_as):
    client = client_as(ADMIN)
    for name, (url, _, _) in write_urls(world).items():
        if name != "activation":  # the activation's GET is its confirmation step
            assert client.get(url).status_code == 405, name


def test_csrf_is_enforced_on_every_form(world, users):
    client = Client(enforce_csrf_checks=True, SERVER_NAME="localhost")
    client.force_login(users["admin"])
    for name, (url, body, _) in write_urls(world).items():
        assert client.post(url, body).status_code == 403, name
    page = client.get(read_urls(world)["settings"]).content.decode()
    assert "csrfmiddlewaretoken" in page and "X-CSRFToken" in page  # forms and htmx requests carry the token


def test_pages_show_only_what_the_role_may_do(world, client_as):
    urls = read_urls(world)
    viewer, operator, admin = client_as(VIEWER), client_as(OPERATOR), client_as(ADMIN)
    assert b"Run now" not in viewer.get(urls["trigger"]).content
    assert b"Run now" in operator.get(urls["trigger"]).content
    assert b"Approve refund" not in viewer.get(urls["refunds"]).content
    assert b"Approve refund" in operator.get(urls["refunds"]).content
    assert b"Save mapping" not in viewer.get(urls["mapping-category"]).content
    assert b"Save mapping" in operator.get(urls["mapping-category"]).content
    for client in (viewer, operator):
        page = client.get(urls["settings"]).content.decode()
        assert "Save settings" not in page and "needs the admin role" in page
    page = admin.get(urls["settings"]).content.decode()
    assert "Save settings" in page and "Activate…" in page


def test_roles_rank_and_superusers_are_admins(db):
    assert user_role(make_user("root", superuser=True)) == ADMIN
    both = make_user("both", VIEWER)
    from django.contrib.auth.models import Group

    both.groups.add(Group.objects.get(name=OPERATOR))
    assert user_role(type(both).objects.get(pk=both.pk)) == OPERATOR
    assert set(Group.objects.filter(name__in=[VIEWER, OPERATOR, ADMIN]).values_list("name", flat=True)) == {VIEWER, OPERATOR, ADMIN}
