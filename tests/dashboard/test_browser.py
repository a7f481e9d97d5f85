"""The screens in a real browser (Debian's Chromium driven by Playwright) against a live
server: sign in, every screen, and the main things an operator does on them. Each test
saves screenshots under docs/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mpdash.integration.models import FlowLogLine, FlowRun, Reconciliation, ReconciliationLine

from ..conftest import list_on, make_products, wait_until
from .conftest import PNG_1PX, build_tree, dress_product, login, make_refund, make_user, refund_reason, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def expect(locator):
    from playwright.sync_api import expect as _expect

    return _expect(locator)


@pytest.fixture
def admin(fast_passwords):
    return make_user("ada", "admin")


@pytest.fixture
def operator(fast_passwords):
    return make_user("oscar", "operator")


def test_sign_in_and_open_every_screen(page, channel_factory, lists, admin):
    channel = channel_factory()
    tree = build_tree(channel)
    now = timezone.now()
    run = FlowRun.objects.create(channel=channel, flow="stock", status="partial", trigger="manual", selected=2, sent=2,
                                 succeeded=1, failed=1, message="1 request(s) sent", started_at=now - timedelta(seconds=2),
                                 finished_at=now, duration_ms=1834)
    FlowLogLine.objects.create(run=run, object_key="SKU-000001", outcome="success", answer={"status": "Done", "merchantSku": "SKU-000001"})
    FlowLogLine.objects.create(run=run, object_key="SKU-000002", outcome="fail", message="Stock data not found")
    make_refund(channel)
    report = Reconciliation.objects.create(channel=channel, run=run, figures={
        "total_skus": 2000, "on_sale": 1960, "sellable": 1990, "sku_difference": 30, "price_difference": 4,
        "price_corrected": 4, "total_stock": 51234, "total_stock_on_sale": 50980, "stock_difference": 254,
        "stock_difference_skus": 7, "stock_corrected": 7})
    ReconciliationLine.objects.create(reconciliation=report, sku="SKU-000009", kind="not_on_sale",
                                      reason="rejected by the marketplace: Marka alanı zorunludur")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    screenshot(page, "01-login")
    login(page, "ada")
    expect(page.get_by_test_id("role")).to_have_text("admin")
    expect(page.get_by_role("link", name="Hepsiburada")).to_be_visible()
    screenshot(page, "02-channels")

    slug = channel.slug
    screens = [
        ("03-dashboard", reverse("dashboard:channel", kwargs={"slug": slug}), "SKU difference"),
        ("04-logs", reverse("dashboard:logs", kwargs={"slug": slug}), f"#{run.pk}"),
        ("05-run", reverse("dashboard:run", kwargs={"slug": slug, "run_id": run.pk}), "Stock data not found"),
        ("06-trigger", reverse("dashboard:trigger", kwargs={"slug": slug}), "Run a flow now"),
        ("07-refunds", reverse("dashboard:refunds", kwargs={"slug": slug}), "ORD-1"),
        ("08-mapping", reverse("dashboard:mapping-category", kwargs={"slug": slug, "category_id": tree["dress"].pk}), "Renk"),
        ("09-settings", reverse("dashboard:settings", kwargs={"slug": slug}), "Feature flags"),
        ("10-reports", reverse("dashboard:reports", kwargs={"slug": slug}), "Marka alanı zorunludur"),
        ("11-alarms", reverse("dashboard:alarms", kwargs={"slug": slug}), "No alarm rules yet"),
    ]
    for name, url, text in screens:
        page.goto(url)
        expect(page.locator("main")).to_contain_text(text)
        if name == "03-dashboard":  # the trend charts are drawn (Chart.js canvases, served by us)
            expect(page.locator(".trend-chart canvas")).to_have_count(3)
        screenshot(page, name)

    # The nav reaches every screen from the channel list.
    page.goto("/")
    page.get_by_role("link", name="Hepsiburada").click()
    for label in ("Dashboard", "Reports", "Alarms", "Trigger", "Refunds", "Categories & Mapping", "Settings", "Logs"):
        page.locator(".sidebar").get_by_role("link", name=label).click()
        expect(page.locator(".sidebar a.current")).to_have_text(label)

    # The category tree loads lazily and is searchable.
    page.goto(reverse("dashboard:mapping", kwargs={"slug": slug}))
    page.locator(".tree summary").first.click()
    expect(page.get_by_test_id("tree")).to_contain_text("Tişört")
    page.get_by_label("search categories").fill("tişö")
    expect(page.get_by_test_id("search-results")).to_contain_text("Giyim > Tişört")

    page.locator(".topbar").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_settings_error_names_the_key_then_fix_and_toggle_a_flag(page, channel_factory, admin):
    from mpdash.channels.models import SalesChannel

    channel = channel_factory()
    login(page, "ada")
    page.goto(reverse("dashboard:settings", kwargs={"slug": channel.slug}))
    page.fill("#cfg-buffer_stock", "three")
    page.fill("#cfg-category_ids", "18021982\n18021983")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("error-buffer_stock")).to_contain_text("buffer_stock: expected a whole number")
    page.locator("#field-buffer_stock").scroll_into_view_if_needed()
    screenshot(page, "12-settings-error")
    assert SalesChannel.objects.get(pk=channel.pk).config.get("buffer_stock") is None  # nothing saved

    page.fill("#cfg-buffer_stock", "3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Saved: buffer_stock, category_ids")
    config = SalesChannel.objects.get(pk=channel.pk).config
    assert config["buffer_stock"] == 3 and config["category_ids"] == ["18021982", "18021983"]
    expect(page.locator("#cfg-password")).to_have_value("")  # a secret is never shown back

    toggle = page.get_by_label("product_create", exact=True)
    expect(toggle).not_to_be_checked()
    page.locator(".flag", has=toggle).locator(".slider").click()
    expect(page.get_by_test_id("flag-saved")).to_contain_text("product_create")
    expect(page.get_by_label("product_create", exact=True)).to_be_checked()
    assert SalesChannel.objects.get(pk=channel.pk).flag_on("product_create")


@pytest.mark.slow
def test_trigger_a_flow_and_watch_it_finish(page, lists, channel_factory, sim, workers, admin):
    products = make_products(lists, 5, quantity=4)
    list_on(sim, products)
    channel = channel_factory(url=sim.url, active=True, flags=("stock",))
    workers.start("w1", concurrency=1)
    # Activation already queued a first sync; let it finish so the manual run is ours to watch.
    wait_until(lambda: FlowRun.objects.filter(channel=channel, flow="stock", finished_at__isnull=False).exists(), 60,
               message=lambda: f"the activation's stock run\n{workers.logs()}")
    login(page, "ada")
    page.goto(reverse("dashboard:trigger", kwargs={"slug": channel.slug}))
    page.get_by_test_id("run-stock").click()
    watch = page.get_by_test_id("flow-watch")
    expect(watch).to_be_visible()
    expect(page.get_by_test_id("watch-status")).to_have_text("success", timeout=45_000)
    expect(watch).not_to_have_attribute("hx-trigger", re.compile("every"))  # finished: polling stopped
    screenshot(page, "13-trigger-watched-run")
    run = FlowRun.objects.filter(channel=channel, flow="stock").order_by("-id").first()
    assert run.trigger == "manual" and run.status == "success"
    watch.get_by_role("link", name=f"run #{run.pk}").click()
    expect(page.get_by_test_id("run-status")).to_have_text("success")


def test_csv_upload_bad_header_then_good(page, lists, channel_factory, operator):
    products = make_products(lists, 2)
    channel = channel_factory()
    login(page, "oscar")
    page.goto(reverse("dashboard:trigger", kwargs={"slug": channel.slug}))
    page.select_option("#csv-action", "bump")
    page.set_input_files("#csv-file", files=[{"name": "skus.csv", "mimeType": "text/csv", "buffer": b"code\nSKU-000000\n"}])
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("csv-error")).to_have_text(
        "sku cannot identify please check your csv file. Header value should be set this: sku"
    )
    good = f"sku\n{products[0].sku}\nNOPE-1\n{products[1].sku}\n".encode()
    page.select_option("#csv-action", "bump")
    page.set_input_files("#csv-file", files=[{"name": "skus.csv", "mimeType": "text/csv", "buffer": good}])
    page.get_by_role("button", name="Upload").click()
    results = page.get_by_test_id("csv-results")
    expect(results).to_contain_text("2 done")
    expect(results.locator("tr", has_text="NOPE-1")).to_contain_text("The relevant SKU not exists in the catalog")
    results.scroll_into_view_if_needed()
    screenshot(page, "14-trigger-csv-results")


def test_reject_a_refund_with_an_image(page, channel_factory, operator):
    import urllib.request

    from mpdash.orders.models import CancellationRequest

    channel = channel_factory()
    refund = make_refund(channel, number="ORD-77")
    reason = refund_reason()
    login(page, "oscar")
    page.goto(reverse("dashboard:refunds", kwargs={"slug": channel.slug}))
    card = page.get_by_test_id(f"refund-{refund.pk}")
    card.get_by_test_id(f"reject-open-{refund.pk}").click()
    card.get_by_test_id(f"reject-{refund.pk}").click()  # no reason yet
    card = page.get_by_test_id(f"refund-{refund.pk}")
    expect(card).to_contain_text("a rejection needs a reason")
    card.locator("select[name=reason]").select_option(str(reason.pk))
    card.locator("textarea[name=description]").fill("The seal was broken by the customer.")
    card.locator("input[name=images]").set_input_files(files=[{"name": "seal.png", "mimeType": "image/png", "buffer": PNG_1PX}])
    screenshot(page, "15-refund-reject-form")
    card.get_by_test_id(f"reject-{refund.pk}").click()
    expect(page.locator(".messages")).to_contain_text("rejected")
    expect(page.get_by_test_id("no-refunds")).to_be_visible()
    expect(page.get_by_test_id("decided")).to_contain_text("ORD-77")
    screenshot(page, "16-refund-decided")
    refund = CancellationRequest.objects.get(pk=refund.pk)
    assert (refund.status, refund.decision, refund.decision_reason_id) == ("waiting_approval", "reject", reason.pk)
    assert refund.decided_by == "oscar" and refund.decision_description == "The seal was broken by the customer."
    [url] = refund.decision_images
    assert url.startswith("http://localhost:") and "/media/refunds/" in url
    with urllib.request.urlopen(url, timeout=5) as answer:  # the marketplace can fetch it
        assert answer.read() == PNG_1PX


def test_map_an_attribute_and_the_preview_turns_valid(page, lists, channel_factory, operator):
    channel = channel_factory()
    tree = build_tree(channel)
    dress_product(tree, lists)  # its colour is under "color", which nothing maps to `Renk` yet
    login(page, "oscar")
    page.goto(reverse("dashboard:mapping-category", kwargs={"slug": channel.slug, "category_id": tree["dress"].pk}))
    page.get_by_label("SKU to preview").fill("D-1")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("preview-errors")).to_contain_text("`Renk` attribute is required")

    row = page.get_by_test_id("attr-Renk")
    row.get_by_test_id("edit-Renk").click()
    row.locator("select[name=source_type]").select_option("template")
    row.locator("input[name=source]").fill("no placeholder")
    row.get_by_test_id("save-Renk").click()
    expect(page.get_by_test_id("attr-Renk").get_by_test_id("attr-error")).to_contain_text("a template needs at least one {placeholder}")

    row = page.get_by_test_id("attr-Renk")
    row.locator("select[name=source_type]").select_option("attribute")
    row.locator("input[name=source]").fill("color")
    row.get_by_test_id("save-Renk").click()
    expect(page.locator(".messages")).to_contain_text("Mapping saved")
    expect(page.get_by_test_id("attr-Renk")).to_contain_text("for this category")

    page.get_by_label("SKU to preview").fill("D-1")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("preview-valid")).to_be_visible()
    expect(page.get_by_test_id("preview")).to_contain_text("Giyim > Elbise")
    screenshot(page, "17-mapping-preview-valid")


def test_create_an_alarm_and_see_its_email_after_a_forced_breach(page, channel_factory, admin, mailoutbox):
    channel = channel_factory()
    login(page, "ada")
    page.goto(reverse("dashboard:alarms", kwargs={"slug": channel.slug}))
    form = page.get_by_test_id("alarm-form")
    form.locator("#id_name").fill("Stock errors")
    form.locator("#id_flow").select_option("stock")
    form.locator("#id_threshold").fill("2")
    form.locator("#id_recipients").fill("ops@example.com, not-an-address")
    form.get_by_role("button", name="Save rule").click()
    expect(page.locator("main")).to_contain_text("not an e-mail address: not-an-address")
    page.get_by_test_id("alarm-form").locator("#id_recipients").fill("ops@example.com, oncall@example.com")
    page.get_by_test_id("alarm-form").get_by_role("button", name="Save rule").click()
    expect(page.get_by_test_id("rules")).to_contain_text("errors of stock over 60 min above 2")
    # A breach: three failed records in the window.
    FlowRun.objects.create(channel=channel, flow="stock", status="partial", failed=3, sent=5)
    page.get_by_test_id("evaluate-now").click()
    expect(page.get_by_test_id("alarm-history")).to_contain_text("e-mailed ops@example.com, oncall@example.com")
    expect(page.get_by_test_id("rules")).to_contain_text("firing")
    screenshot(page, "18-alarm-fired")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ops@example.com", "oncall@example.com"]
    assert "Stock errors fired" in mailoutbox[0].subject and "Now: 3" in mailoutbox[0].body
    # Evaluating again while still breached sends nothing more: one e-mail per breach.
    page.get_by_test_id("evaluate-now").click()
    expect(page.locator("main")).to_contain_text("nothing changed")
    assert len(mailoutbox) == 1


def test_content_security_policy_is_enforced_and_the_screens_work_under_it(page, channel_factory, lists, admin):
    """The header is on every screen and the browser enforces it: an injected inline script
    does not run and is reported. (Every other browser test asserts, in the ``page`` fixture,
    that using the screens — htmx swaps, the charts, static files — reports no violation.)"""
    channel = channel_factory()
    login(page, "ada")
    response = page.goto(reverse("dashboard:channel", kwargs={"slug": channel.slug}))
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    expect(page.locator(".trend-chart canvas")).to_have_count(3)  # Chart.js and Chartkick.js from our static files
    # htmx works under it: the settings screen's flag toggle swaps a fragment in.
    page.goto(reverse("dashboard:settings", kwargs={"slug": channel.slug}))
    expect(page.locator("#flag-list")).to_be_visible()
    toggle = page.get_by_label("product_create", exact=True)
    page.locator(".flag", has=toggle).locator(".slider").click()  # an htmx post that swaps the list in
    expect(page.get_by_test_id("flag-saved")).to_contain_text("product_create")
    page.goto("/admin/integration/")  # Django's admin lives under the same policy
    expect(page.locator("#content")).to_be_visible()

    assert page.csp_violations == []
    ran = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener('securitypolicyviolation', e => resolve({ran: !!window.__injected, directive: e.effectiveDirective}));
        const s = document.createElement('script'); s.textContent = 'window.__injected = true'; document.head.appendChild(s);
    })""")
    assert ran == {"ran": False, "directive": "script-src-elem"}
    wait_until(lambda: page.csp_violations, timeout=5, message="the violation in the console")
    page.csp_violations.clear()  # the one violation this test caused on purpose
