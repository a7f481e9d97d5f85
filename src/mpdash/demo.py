"""``mpdash demo``: the whole system on the embedded default, against simulated marketplaces.

Creates (once) a demo catalog with Turkish-looking products, prices and stock, an admin
user and an API token; starts every marketplace simulator the registry lists and sets up
the demo channel each marketplace package declares (``marketplaces/<name>/demo.py``, made
into a channel by :mod:`mpdash.demo_channels`); then
runs web, worker and beat, and a "shopper" that keeps changing stock and prices so flows
visibly run. Ctrl-C or SIGTERM stops every process it started.
"""

from __future__ import annotations

import json
import os
import random
import socket
import signal
import sys
import threading
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

CATEGORIES = [
    ("giyim", "Giyim"), ("ayakkabi", "Ayakkabı"), ("elektronik", "Elektronik"), ("ev-yasam", "Ev & Yaşam"),
    ("kozmetik", "Kozmetik"), ("spor", "Spor & Outdoor"), ("kitap", "Kitap"), ("oyuncak", "Oyuncak"),
    ("mutfak", "Mutfak"), ("aksesuar", "Aksesuar"),
]
COLOURS = ["Siyah", "Beyaz", "Kırmızı", "Lacivert", "Yeşil", "Bej", "Gri", "Mavi"]
SIZES = ["XS", "S", "M", "L", "XL"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_demo_catalog(count: int, seed: int = 7) -> dict:
    """Create the demo catalog once; returns the codes of the lists it made."""
    from faker import Faker

    from .catalog.models import Catalog, CatalogItem, Category, PriceList, Product, ProductPrice, ProductStock, StockList

    catalog, created = Catalog.objects.get_or_create(code="demo", defaults={"name": "Demo catalog"})
    price_list, _ = PriceList.objects.get_or_create(code="demo-tl", defaults={"name": "Demo prices (TL)", "currency": "TRY"})
    stock_list, _ = StockList.objects.get_or_create(code="demo-depo", defaults={"name": "Demo warehouse"})
    if Product.objects.filter(sku__startswith="DEMO-").exists():
        return {"catalog": catalog, "price_list": price_list, "stock_list": stock_list}
    fake = Faker("tr_TR")
    Faker.seed(seed)
    rng = random.Random(seed)
    cats = [Category.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in CATEGORIES]
    products = []
    for i in range(count):
        cat = cats[i % len(cats)]
        colour, size = rng.choice(COLOURS), rng.choice(SIZES)
        word = fake.word().capitalize()
        sku = f"DEMO-{i + 1:06d}"
        products.append(
            Product(
                sku=sku,
                base_code=f"DEMO-BASE-{i // 5 + 1:05d}",
                name=f"{fake.company().split()[0]} {word} {cat.name} {colour} {size}",
                description=fake.paragraph(nb_sentences=3),
                attributes={"renk": colour, "beden": size, "marka": fake.company().split()[0]},
                category=cat,
                images=[f"https://img.example.invalid/{sku.lower()}-{n}.jpg" for n in range(1, rng.randint(2, 5))],
            )
        )
    Product.objects.bulk_create(products, batch_size=1000)
    products = list(Product.objects.filter(sku__startswith="DEMO-").only("pk", "sku"))
    CatalogItem.objects.bulk_create([CatalogItem(catalog=catalog, product=p) for p in products], batch_size=1000)
    prices, stocks = [], []
    for p in products:
        price = Decimal(rng.randrange(4990, 499990)) / 100
        prices.append(ProductPrice(price_list=price_list, product=p, price=price, retail_price=(price * Decimal("1.2")).quantize(Decimal("0.01"))))
        extra = {"maximumPurchasableQuantity": rng.choice([2, 3, 5])} if rng.random() < 0.2 else {}
        stocks.append(ProductStock(stock_list=stock_list, product=p, quantity=rng.randint(0, 80), extra=extra))
    ProductPrice.objects.bulk_create(prices, batch_size=1000)
    ProductStock.objects.bulk_create(stocks, batch_size=1000)
    return {"catalog": catalog, "price_list": price_list, "stock_list": stock_list}


def ensure_admin(data_dir: Path):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from .keys import data_dir_secret

    password = data_dir_secret(data_dir, "admin_password", lambda: __import__("secrets").token_urlsafe(12))
    User = get_user_model()
    user = User.objects.filter(username="admin").first()
    if user is None:
        user = User.objects.create_superuser("admin", "admin@example.com", password)
    token, _ = Token.objects.get_or_create(user=user)
    return password, token.key


def shopper(stop: threading.Event, interval: float, stock_list_code: str, price_list_code: str) -> None:
    """Change a few stocks and prices every few seconds, the way a busy shop does."""
    from django.db import close_old_connections

    from .catalog.models import ProductPrice, ProductStock

    rng = random.Random()
    while not stop.wait(interval):
        try:
            ids = list(ProductStock.objects.filter(stock_list__code=stock_list_code).values_list("pk", flat=True)[:5000])
            for pk in rng.sample(ids, min(len(ids), rng.randint(3, 12))):
                row = ProductStock.objects.get(pk=pk)
                row.quantity = max(0, row.quantity + rng.choice([-3, -2, -1, -1, 1, 5, 10]))
                row.save(update_fields=["quantity", "modified_at"])
            if rng.random() < 0.5:
                pids = list(ProductPrice.objects.filter(price_list__code=price_list_code).values_list("pk", flat=True)[:5000])
                for pk in rng.sample(pids, min(len(pids), rng.randint(1, 4))):
                    row = ProductPrice.objects.get(pk=pk)
                    row.price = (row.price * Decimal(rng.choice(["0.95", "0.98", "1.03", "1.05"]))).quantize(Decimal("0.01"))
                    row.save(update_fields=["price", "modified_at"])
        except Exception as exc:  # keep shopping; the demo must not die on one hiccup
            print(f"shopper: {exc}", file=sys.stderr)
        finally:
            close_old_connections()


def main(args) -> int:
    from .bootstrap import migrate, setup
    from .processes import Supervisor, beat_command, wait_forever, web_command, worker_command

    # The demo talks to simulators: their answers need not be rationed like a real marketplace's.
    os.environ.setdefault("MPDASH_CALL_BUDGET_SCALE", "20")
    # Simulated approvals take seconds, not hours: look for them often.
    os.environ.setdefault("MPDASH_APPROVAL_POLL_SECONDS", "5")
    # Alarm e-mails land as files under <data dir>/mail (no mail server needed).
    os.environ.setdefault("MPDASH_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    os.environ.setdefault("MPDASH_PUBLIC_URL", f"http://{args.host}:{args.port}")
    setup(args.data_dir)
    import logging

    logging.getLogger("mpdash.marketplaces").setLevel(logging.WARNING)  # keep the console for the summary
    import mpdash.celery  # noqa: F401  (the process sends tasks: use our Celery app)
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"mpdash demo: data directory {data_dir}")
    print("  applying migrations…", flush=True)
    migrate()
    print(f"  demo catalog ({args.products} products)…", flush=True)
    lists = create_demo_catalog(args.products)
    password, token = ensure_admin(data_dir)

    sup = Supervisor()
    stop = threading.Event()
    # Until the supervisor loop takes over, Ctrl-C or SIGTERM stops what has started.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from . import demo_channels  # imports models: only after setup() above
        from .marketplaces import registry

        for marketplace in registry.DEMOS:
            declaration = registry.demo(marketplace)
            port = free_port()
            command = [sys.executable, "-m", "mpdash.cli", "simulate", marketplace, "--port", str(port)]
            for key, value in declaration.simulator_options.items():
                command += ["--set", f"{key}={json.dumps(value)}"]
            sup.start(f"{marketplace}-simulator", command, str(logs / f"simulator-{marketplace}.log"))
            sim_url = f"http://127.0.0.1:{port}"
            _wait_http(f"{sim_url}/_sim/state", 20)
            demo_channels.set_up(marketplace, declaration, lists, sim_url, log=lambda msg: print(msg, flush=True))
        sup.start("worker", worker_command(2), str(logs / "worker.log"))
        sup.start("beat", beat_command(str(data_dir)), str(logs / "beat.log"))
        sup.start("web", web_command(args.host, args.port, 2), str(logs / "web.log"))
        _wait_http(f"http://{args.host}:{args.port}/health/", 30)
    except KeyboardInterrupt:
        print("mpdash demo: interrupted while starting; stopping…", file=sys.stderr)
        sup.stop()
        return 130
    except Exception as exc:
        print(f"mpdash demo: could not start: {exc}", file=sys.stderr)
        sup.stop()
        return 1
    if not args.no_shopper:
        threading.Thread(target=shopper, args=(stop, args.shopper_interval, "demo-depo", "demo-tl"), daemon=True).start()
    print(
        f"\n  Dashboard:  http://{args.host}:{args.port}/\n"
        f"  Admin:      http://{args.host}:{args.port}/admin/   user admin, password {password}\n"
        f"  API:        http://{args.host}:{args.port}/api/docs/   header  Authorization: Token {token}\n"
        f"  Logs:       {logs}\n\n  Ctrl-C stops everything.\n",
        flush=True,
    )
    code = wait_forever(sup, stop)
    stop.set()
    return code


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status < 500:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {seconds:.0f} s ({last})")
