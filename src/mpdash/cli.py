"""The ``mpdash`` command."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .bootstrap import migrate, setup


def cmd_run(args) -> int:
    from .processes import Supervisor, beat_command, wait_forever, web_command, worker_command

    setup(args.data_dir)
    migrate()
    from django.conf import settings

    sup = Supervisor()
    sup.start("web", web_command(args.host, args.port, args.web_workers))
    sup.start("worker", worker_command(args.concurrency))
    sup.start("beat", beat_command(str(settings.DATA_DIR)))
    print(f"mpdash running: http://{args.host}:{args.port}/  (Ctrl-C stops everything)")
    return wait_forever(sup, threading.Event())


def cmd_web(args) -> int:
    from .processes import clean_metrics_dir, web_command

    setup(args.data_dir)
    clean_metrics_dir()
    if args.migrate:
        migrate()
    cmd = web_command(args.host, args.port, args.web_workers)
    os.execv(cmd[0], cmd)


def cmd_worker(args) -> int:
    from .processes import clean_metrics_dir, worker_command

    setup(args.data_dir)
    clean_metrics_dir()
    cmd = worker_command(args.concurrency, args.name)
    os.execv(cmd[0], cmd)


def cmd_beat(args) -> int:
    from .processes import beat_command, clean_metrics_dir

    setup(args.data_dir)
    clean_metrics_dir()
    from django.conf import settings

    cmd = beat_command(str(settings.DATA_DIR))
    os.execv(cmd[0], cmd)


def cmd_migrate(args) -> int:
    setup(args.data_dir)
    migrate()
    print("database is up to date")
    return 0


def cmd_simulate(args) -> int:
    from .marketplaces.registry import simulator_factory

    try:
        serve = simulator_factory(args.marketplace)
    except LookupError as exc:
        print(f"mpdash simulate: {exc}", file=sys.stderr)
        return 2
    options = {}
    if args.processing_delay is not None:
        options["processing_delay"] = args.processing_delay
    for item in args.set or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            print(f"mpdash simulate: --set takes KEY=VALUE, got {item!r}", file=sys.stderr)
            return 2
        try:
            options[key.strip()] = json.loads(raw)
        except ValueError:
            options[key.strip()] = raw
    sim = serve(host=args.host, port=args.port, **options)
    print(f"{args.marketplace} simulator listening on {sim.url} (Ctrl-C stops it)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    stop.wait()
    sim.stop()
    return 0


def cmd_import(args) -> int:
    setup(args.data_dir)
    from .catalog.importer import import_csv

    options = {k: v for k, v in {"price_list": args.price_list, "stock_list": args.stock_list, "catalog": args.catalog}.items() if v}
    result = import_csv(args.kind, args.file, progress=True, **options)
    print(result.summary())
    for error in result.errors[:200]:
        print(f"  {error}")
    if len(result.errors) > 200:
        print(f"  … and {len(result.errors) - 200} more")
    return 1 if result.errors else 0


def cmd_penalties(args) -> int:
    setup(args.data_dir)
    from .channels.models import SalesChannel
    from .integration import penalties

    channel = SalesChannel.objects.filter(slug=args.channel).first()
    if channel is None:
        print(f"no channel with slug {args.channel!r}", file=sys.stderr)
        return 2
    skus = list(args.sku or [])
    if args.file:
        import csv

        with open(args.file, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None or "sku" not in [f.strip() for f in reader.fieldnames]:
                print("sku cannot identify please check your csv file. Header value should be set this: sku", file=sys.stderr)
                return 2
            skus += [row["sku"].strip() for row in reader if row.get("sku", "").strip()]
    if not skus and not args.all:
        print("name SKUs with --sku or --file, or use --all", file=sys.stderr)
        return 2
    lifted = penalties.lift(channel, None if args.all else skus)
    print(f"lifted {lifted} penalt{'y' if lifted == 1 else 'ies'} on {channel.slug}")
    return 0


def cmd_demo(args) -> int:
    from . import demo

    return demo.main(args)


def cmd_manage(args) -> int:
    setup(args.data_dir)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mpdash manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mpdash", description="Marketplace hub: catalog, prices, stock and orders in sync with every marketplace.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--data-dir", default=None, help="data directory for the embedded default (default ./.mpdash or $MPDASH_DATA_DIR)")
        return p

    p = common(sub.add_parser("demo", help="install demo data and run everything against simulated marketplaces"))
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--products", type=int, default=2000)
    p.add_argument("--shopper-interval", type=float, default=3.0, help="seconds between the shopper's changes")
    p.add_argument("--no-shopper", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = common(sub.add_parser("run", help="run web, worker and beat (configured from the environment)"))
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--web-workers", type=int, default=2)
    p.add_argument("--concurrency", type=int, default=2)
    p.set_defaults(func=cmd_run)

    p = common(sub.add_parser("web", help="the web server only (gunicorn)"))
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--web-workers", type=int, default=2)
    p.add_argument("--migrate", action="store_true", help="apply migrations first")
    p.set_defaults(func=cmd_web)

    p = common(sub.add_parser("worker", help="one Celery worker"))
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--name", default="worker")
    p.set_defaults(func=cmd_worker)

    p = common(sub.add_parser("beat", help="the scheduler (run exactly one)"))
    p.set_defaults(func=cmd_beat)

    p = common(sub.add_parser("migrate", help="create or upgrade the database"))
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("simulate", help="run a marketplace simulator alone")
    p.add_argument("marketplace")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--processing-delay", type=float, default=None)
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="a simulator option, e.g. --set order_rate=0.5 (repeatable)")
    p.set_defaults(func=cmd_simulate)

    p = common(sub.add_parser("import", help="import products, prices or stocks from a CSV file"))
    p.add_argument("kind", choices=["products", "prices", "stocks"])
    p.add_argument("file")
    p.add_argument("--price-list")
    p.add_argument("--stock-list")
    p.add_argument("--catalog")
    p.set_defaults(func=cmd_import)

    p = common(sub.add_parser("penalties", help="lift penalties so records are retried now"))
    p.add_argument("action", choices=["lift"])
    p.add_argument("--channel", required=True, help="channel slug")
    p.add_argument("--sku", action="append", help="a SKU (repeatable)")
    p.add_argument("--file", help="CSV file whose header is: sku")
    p.add_argument("--all", action="store_true")
    p.set_defaults(func=cmd_penalties)

    p = common(sub.add_parser("manage", help="run a Django management command"))
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
