"""``manage.py import_catalog products|prices|stocks FILE.csv``: the CSV import.

Good rows land and bad rows are listed (see :mod:`mpdash.catalog.importer`); the
command exits with status 1 when any row was rejected or the file was refused.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mpdash.catalog.importer import KIND_COLUMNS, import_csv

MAX_LISTED = 200


class Command(BaseCommand):
    help = (
        "Import products, prices or stocks from a CSV file. Valid rows are written in chunks; "
        "rejected rows are listed with their line number, column and the fix."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KIND_COLUMNS))
        parser.add_argument("file")
        parser.add_argument("--price-list", help="price list code (prices; else a price_list column)")
        parser.add_argument("--stock-list", help="stock list code (stocks; else a stock_list column)")
        parser.add_argument("--catalog", help="catalog code to add the imported products to (products)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **opts):
        options = {k: opts[k] for k in ("price_list", "stock_list", "catalog") if opts.get(k)}
        result = import_csv(opts["kind"], opts["file"], progress=not opts["no_progress"], **options)
        if result.aborted:
            raise CommandError("; ".join(str(e) for e in result.errors))
        self.stdout.write(result.summary())
        for error in result.errors[:MAX_LISTED]:
            self.stdout.write(f"  {error}")
        if len(result.errors) > MAX_LISTED:
            self.stdout.write(f"  … and {len(result.errors) - MAX_LISTED} more")
        if result.errors:
            raise CommandError(f"{result.rejected} row(s) rejected; the other rows were imported", returncode=1)
