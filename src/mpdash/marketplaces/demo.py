"""What a marketplace package declares for ``mpdash demo``: plain data, no Django.

Each package's ``demo.py`` holds one :class:`DemoChannel` named ``DEMO``; the registry's
``DEMOS`` lists those modules in the order the demo starts them. The demo starts the
package's simulator with ``simulator_options``, then :mod:`mpdash.demo_channels` turns the
declaration into a channel on it, in this order:

1. the catalog: the demo catalog, or the channel's own (:class:`OwnCatalog`);
2. listings the simulator starts with, POSTed to its ``/_sim/`` API (:class:`SeedListings`);
3. the channel (``name``, ``slug``) with ``config`` (where :class:`SimUrl` and
   :class:`Reason` are filled in), ``flags`` on and short penalties for ``penalised_kinds``;
4. the catalog path, when declared (:class:`CatalogPath`): the channel reads the
   marketplace's catalog with its flows run once, then gets category and attribute
   mappings; the products are then created by the flows as on a real first day;
5. the channel is activated, and ``schedules`` set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

# Short penalties so that the demo recovers visibly (RETRY_INTERVAL, EXPIRATION_DATE in seconds).
SHORT_PENALTY = {"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 3600, "MAX_RETRY_COUNT": 5}
# The demo's orders show up quickly; the Dashboard's figures are fresh every two minutes.
SCHEDULES = {"get_orders": 20, "reconcile": 120}


@dataclass(frozen=True)
class SimUrl:
    """A config value: the simulator's address (``http://127.0.0.1:<port>``) followed by ``path``."""

    path: str = ""


@dataclass(frozen=True)
class Reason:
    """A config value: the id of the local cancellation reason ``code`` of ``cancellation_type``
    (``"cancel"`` or ``"refund"``), one of those the orders app ships."""

    cancellation_type: str
    code: str


@dataclass(frozen=True)
class FirstBrand:
    """A mapping source: the first brand the channel read from the marketplace (by remote id),
    or ``fallback`` when it read none."""

    fallback: str


@dataclass(frozen=True)
class SeedListings:
    """Listings the simulator starts with: one per product of the demo's price list,
    ``listing(sku, price)`` shaped as the simulator's ``path`` takes them."""

    path: str
    listing: Callable[[str, float], dict[str, Any]]


@dataclass(frozen=True)
class OwnCatalog:
    """A catalog of the channel's own, holding the demo products of one local category."""

    code: str
    name: str
    category: str  # code of the local category


@dataclass(frozen=True)
class CatalogPath:
    """The operator's first day on a marketplace whose products the channel creates."""

    read_flows: tuple[str, ...]  # run once, in order, before mapping (category tree, attributes, brands)
    # (local category code, remote category id)
    category_mappings: tuple[tuple[str, str], ...]
    # (attribute, source type, source) for every category; a source may be a FirstBrand
    attribute_mappings: tuple[tuple[str, str, Any], ...]


@dataclass(frozen=True)
class DemoChannel:
    name: str
    slug: str
    config: dict[str, Any]  # values may be SimUrl or Reason
    flags: tuple[str, ...]  # feature flags turned on
    only_these_flags: bool = False  # turn every other flag off (else the others keep their values)
    simulator_options: dict[str, Any] = field(default_factory=dict)
    penalised_kinds: tuple[str, ...] = ("productstock", "productprice", "order")
    penalty: dict[str, int] = field(default_factory=lambda: dict(SHORT_PENALTY))
    seed_listings: SeedListings | None = None
    catalog: OwnCatalog | None = None
    catalog_path: CatalogPath | None = None
    schedules: dict[str, int] = field(default_factory=lambda: dict(SCHEDULES))  # flow -> every N seconds
