"""Fixtures of the screen tests: users in each role, a Hepsiburada channel with a small
remote category tree, refund requests, and (for the browser tests) Chromium."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from ..conftest import CI

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "screens-pass-123"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of each test in a directory of its own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


# --- users ---------------------------------------------------------------------------
def make_user(username: str, role: str | None = None, *, superuser: bool = False):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD)
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def users(db, fast_passwords):
    return {
        "viewer": make_user("vera", "viewer"),
        "operator": make_user("oscar", "operator"),
        "admin": make_user("ada", "admin"),
        "nobody": make_user("nora"),
    }


@pytest.fixture
def client_as(users):
    """A Django test client signed in as the user of a role ("viewer", "operator", "admin", "nobody")."""
    from django.test import Client

    def make(role: str) -> Client:
        client = Client(SERVER_NAME="localhost")  # refund image URLs must be valid http(s) URLs
        client.force_login(users[role])
        return client

    return make


# --- a channel with a remote category tree (as tests/channels/test_mapper.py builds it) ------
def build_tree(channel) -> dict:
    """Two leaf categories under "Giyim"; "Elbise" has the required `Renk` and `Beden`."""
    from django.utils import timezone

    from mpdash.catalog.models import Category
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.channels.models_remote import RemoteAttribute, RemoteAttributeValue, RemoteCategory

    fetched = timezone.now()  # the leaves' attributes as Category Attributes fetched them
    root = RemoteCategory.objects.create(channel=channel, remote_id="1", name="Giyim", path="Giyim")
    dress = RemoteCategory.objects.create(channel=channel, remote_id="10", name="Elbise", path="Giyim > Elbise", parent=root,
                                          is_leaf=True, attributes_fetched_at=fetched)
    tee = RemoteCategory.objects.create(channel=channel, remote_id="11", name="Tişört", path="Giyim > Tişört", parent=root,
                                        is_leaf=True, attributes_fetched_at=fetched)
    colour = RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="renk", name="Renk", required=True)
    for rid, name in (("101", "Kırmızı"), ("102", "Mavi"), ("103", "İndigo")):
        RemoteAttributeValue.objects.create(attribute=colour, remote_id=rid, name=name)
    size = RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="beden", name="Beden", required=True, variant=True)
    for rid, name in (("201", "S"), ("202", "M"), ("203", "L")):
        RemoteAttributeValue.objects.create(attribute=size, remote_id=rid, name=name)
    RemoteAttribute.objects.create(channel=channel, category=dress, remote_id="materyal", name="Materyal", allow_custom=True, data_type="text")
    # The default attributes as the Default Attributes flow stores them (the marketplace's declaration).
    for d in channel.adapter_class.default_attributes():
        RemoteAttribute.objects.create(
            channel=channel, category=None, remote_id=d.key, name=d.label, source=d.source, required=d.required,
            data_type=d.data_type, is_default=True,
        )
    for attribute, value in (("Marka", "Mpdash Moda"), ("GarantiSuresi", "24"), ("kg", "1")):
        AttributeMapping.objects.create(channel=channel, attribute=attribute, source_type="constant", source=value)
    local_root = Category.objects.create(code="giyim", name="Giyim")
    local_dress = Category.objects.create(code="elbise", name="Elbise", parent=local_root)
    CategoryMapping.objects.create(channel=channel, local_category=local_dress, remote_category=dress)
    return {"channel": channel, "root": root, "dress": dress, "tee": tee, "colour": colour, "local_dress": local_dress}


def dress_product(tree, lists, sku="D-1", *, attributes=None):
    """A sellable dress; without ``renk`` its preview lacks the required `Renk`."""
    from mpdash.catalog.models import CatalogItem, Product, ProductPrice, ProductStock

    p = Product.objects.create(
        sku=sku, name="Yazlık elbise", description="Keten yazlık elbise", category=tree["local_dress"],
        attributes={"barcode": "8690000000001", "color": "kırmızı", "Beden": "M"} if attributes is None else attributes,
        images=["https://img.invalid/0.jpg"],
    )
    CatalogItem.objects.create(catalog=lists["catalog"], product=p)
    ProductPrice.objects.create(price_list=lists["price_list"], product=p, price=Decimal("199.90"), tax_rate=Decimal("20"))
    ProductStock.objects.create(stock_list=lists["stock_list"], product=p, quantity=5)
    return p


@pytest.fixture
def channel(channel_factory):
    return channel_factory()


@pytest.fixture
def tree(channel):
    return build_tree(channel)


# --- refunds ---------------------------------------------------------------------------
def make_refund(channel, number="ORD-1", sku="SKU-1"):
    """An open refund request of a one-item order (written directly: no address mapping needed)."""
    from mpdash.orders.cancellations import Line, request_cancellation
    from mpdash.orders.models import Order, OrderItem

    order = Order.objects.create(
        channel=channel, number=number, marketplace_order_number=number, package_id=f"PKG-{number}",
        amount=Decimal("100.00"), sent_to_erp=True,
    )
    item = OrderItem.objects.create(order=order, sku=sku, name="Yazlık elbise", quantity=1, price=Decimal("100.00"))
    request, _ = request_cancellation(order, [Line(item, 1, claim_line_id=f"CL-{number}")], cancellation_type="refund",
                                      description="Ürün beklediğim gibi değil", claim_id=f"CLAIM-{number}")
    return request


def refund_reason():
    from mpdash.orders.models import CancellationReason

    return CancellationReason.objects.get_or_create(
        cancellation_type="refund", code="not_as_described", defaults={"name": "Not as described"}
    )[0]


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a0e7a2b60000000049454e44ae426082"
)


# --- browser ---------------------------------------------------------------------------
def chromium_or_skip() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests"
    if CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture
def page(live_server, monkeypatch):
    """A fresh Chromium page on the live server. Playwright starts after the database is
    set up and stops before it is flushed: while it runs, its sync API keeps an event loop
    in this thread, and the ORM calls the test makes between browser steps are allowed."""
    path = chromium_or_skip()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if CI:
            pytest.fail("CI=true but the playwright package is missing (pip install -e '.[test]')")
        pytest.skip("the playwright package is missing: pip install -e '.[test]'")
    from django.db import connections

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--headless", "--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        # Every browser test also checks the Content-Security-Policy: the screens, htmx and the
        # charts must work under it without a single violation reported in the console.
        page.csp_violations = []
        page.on("console", lambda msg: page.csp_violations.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        yield page
        violations = list(page.csp_violations)
        # The ORM calls made meanwhile ran in Playwright's context, on a connection of their
        # own (asgiref's Local): close it, or it outlives the test and blocks the test database.
        connections.close_all()
        context.close()
        browser.close()
    assert not violations, f"Content-Security-Policy violations in the console: {violations}"


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def screenshot(page, name: str) -> None:
    """docs/screenshots/<name>.png, overwritten on every run (the viewport, not the whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
