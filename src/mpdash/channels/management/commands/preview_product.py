"""Show the exact payload a product would be sent with, and why it would not be sent."""

import json

from django.core.management.base import BaseCommand, CommandError

from mpdash.catalog.models import Product
from mpdash.channels.mapper import preview
from mpdash.channels.models import SalesChannel


class Command(BaseCommand):
    help = "Preview a product's marketplace payload: mpdash manage preview_product --channel SLUG --sku SKU"

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, help="channel slug")
        parser.add_argument("--sku", required=True, action="append", help="a SKU (repeatable)")

    def handle(self, *args, channel, sku, **options):
        found = SalesChannel.objects.filter(slug=channel).first()
        if found is None:
            raise CommandError(f"no channel with slug {channel!r}; see the channel list in the admin or GET /api/v1/channels/")
        invalid = 0
        for one in sku:
            product = Product.objects.select_related("category").filter(sku=one).first()
            if product is None:
                raise CommandError(f"no product with sku {one!r}")
            result = preview(found, product)
            invalid += not result["valid"]
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        if invalid:
            raise CommandError(f"{invalid} of {len(sku)} product(s) would not be sent; see 'errors' above")
