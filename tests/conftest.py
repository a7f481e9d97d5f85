"""Shared fixtures: catalogs, channels, the Hepsiburada simulator, real Celery workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest

CI = os.environ.get("CI", "").lower() == "true"


def using_services() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("CELERY_BROKER_URL", "").startswith("redis")


def pytest_collection_modifyitems(config, items):
    if using_services():
        import socket

        for host, port, name in (("127.0.0.1", 5432, "PostgreSQL"), ("127.0.0.1", 6379, "Redis")):
            try:
                socket.create_connection((host, port), timeout=2).close()
            except OSError:
                if CI:
                    raise pytest.UsageError(f"CI=true but {name} is not reachable on {host}:{port}")
                skip = pytest.mark.skip(reason=f"{name} is not reachable on {host}:{port}")
                for item in items:
                    item.add_marker(skip)
                return
    else:
        skip = pytest.mark.skip(reason="needs DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (the services pass of .ci/run)")
        for item in items:
            if "services" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test its own cache (the wrong-token throttle counts there), not the data directory's."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _empty_broker_queue(settings):
    """Each test starts with an empty task queue.

    Tests queue tasks (a channel's activation queues its first sync, a change queues a run)
    that no worker consumes unless the test starts one; left in the broker they would be
    the next worker's backlog, and a later test would wait behind hundreds of runs of
    channels that no longer exist.
    """
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return
        for name in names:
            if name.endswith(".msg"):
                try:
                    os.unlink(os.path.join(folder, name))
                except FileNotFoundError:
                    pass
    elif settings.CELERY_BROKER_URL.startswith("redis"):
        from mpdash.celery import app

        app.control.purge()


@pytest.fixture
def lists(db):
    from mpdash.catalog.models import Catalog, PriceList, StockList

    return {
        "catalog": Catalog.objects.create(code="c1", name="Catalog"),
        "price_list": PriceList.objects.create(code="p1", name="Prices"),
        "stock_list": StockList.objects.create(code="s1", name="Stock"),
    }


def make_products(lists, count: int, *, prefix="SKU", quantity=10, price="100.00", with_stock=True, with_price=True):
    from mpdash.catalog.models import CatalogItem, Product, ProductPrice, ProductStock

    products = Product.objects.bulk_create(
        [Product(sku=f"{prefix}-{i:06d}", name=f"Ürün {i}", images=["https://img.invalid/1.jpg"]) for i in range(count)],
        batch_size=1000,
    )
    products = list(Product.objects.filter(sku__startswith=f"{prefix}-").order_by("sku"))
    CatalogItem.objects.bulk_create([CatalogItem(catalog=lists["catalog"], product=p) for p in products], batch_size=1000)
    if with_stock:
        ProductStock.objects.bulk_create([ProductStock(stock_list=lists["stock_list"], product=p, quantity=quantity) for p in products], batch_size=1000)
    if with_price:
        ProductPrice.objects.bulk_create(
            [ProductPrice(price_list=lists["price_list"], product=p, price=Decimal(price), retail_price=Decimal(price) * 2) for p in products],
            batch_size=1000,
        )
    return products


@pytest.fixture
def channel_factory(lists):
    from mpdash.channels.models import SalesChannel

    def make(*, url="http://127.0.0.1:9", active=False, flags=("stock", "price"), penalty=None, **config):
        channel = SalesChannel(name="Hepsiburada", slug="hb", marketplace="hepsiburada", **lists)
        channel.save()
        base = {
            "base_url": url, "oms_url": url, "listing_url": url, "username": "demo-merchant",
            "password": "demo-service-key", "merchant_id": "demo-merchant", "user_agent": "mpdash",
            "category_ids": ["1"], "default_reason_id": 1, "cancellation_reason_id": 1,
            "cargo_company_mapping": {"default": 1},
        }
        fl = dict(channel.config["feature_flags"])
        fl.update({f: True for f in flags})
        base["feature_flags"] = fl
        fi = dict(channel.config["failed_integration"])
        for kind in ("productstock", "productprice"):
            fi[kind] = penalty or {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
        base["failed_integration"] = fi
        base.update(config)
        channel.update_config(base)
        channel.is_active = active
        channel.full_clean()
        channel.save()
        return channel

    return make


@pytest.fixture
def sim():
    from mpdash.marketplaces.hepsiburada.simulator import serve

    server = serve(port=0, processing_delay=0.2)
    yield server
    server.stop()


def list_on(sim, products, price=100, stock=0):
    sim.add_listings([{"merchantSku": p.sku, "price": price, "availableStock": stock} for p in products])


@pytest.fixture
def no_celery(monkeypatch):
    """For in-process engine tests: record queued tasks instead of sending them."""
    sent = []
    from mpdash.integration import tasks

    monkeypatch.setattr(tasks.run_flow, "apply_async", lambda *a, **k: sent.append(("run_flow", a, k)))
    monkeypatch.setattr(tasks.poll_batch, "apply_async", lambda *a, **k: sent.append(("poll_batch", a, k)))
    monkeypatch.setattr(tasks.poll_batches, "apply_async", lambda *a, **k: sent.append(("poll_batches", a, k)))
    return sent


def test_database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


test_database_url.__test__ = False


class Workers:
    """Real Celery worker processes on the test database and broker."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def start(self, name="w1", concurrency=2) -> subprocess.Popen:
        env = dict(os.environ)
        env["DATABASE_URL"] = test_database_url()
        env["MPDASH_LOG_LEVEL"] = "INFO"
        log = open(self.tmp_path / f"{name}.log", "ab")
        cmd = [
            sys.executable, "-m", "celery", "-A", "mpdash.celery:app", "worker", "--loglevel", "INFO",
            "--concurrency", str(concurrency), "--hostname", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def kill(self, proc, sig=signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in self.tmp_path.glob("*.log"))

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)


@pytest.fixture
def workers(tmp_path):
    w = Workers(tmp_path)
    yield w
    w.stop_all()


def wait_until(predicate, timeout=30.0, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message() if callable(message) else message}")


def ensure_reference_data() -> int:
    """The data migrations' seeds (cities, townships, shipping companies), loaded again if gone.

    A transactional test (real workers, races) empties every table when it ends, seeds
    included, and pytest-django runs those tests last; a later one that stores orders needs
    the seeds back. Returns the id of a shipping company, for a channel's cargo mapping.
    """
    from mpdash.orders import seed_data
    from mpdash.orders.models import City, Country, ShippingCompany, Township

    if not Township.objects.exists():
        seed_data.load_geography(Country, City, Township)
    if not ShippingCompany.objects.exists():
        seed_data.load_shipping_companies(ShippingCompany)
    return ShippingCompany.objects.order_by("pk").values_list("pk", flat=True).first()
