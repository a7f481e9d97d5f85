"""The one place that names every marketplace package."""

from __future__ import annotations

from importlib import import_module

from .base import MarketplaceAdapter

# marketplace type -> "module:AdapterClass"
MARKETPLACES: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.adapter:HepsiburadaAdapter",
    "trendyol": "mpdash.marketplaces.trendyol.adapter:TrendyolAdapter",
    "n11": "mpdash.marketplaces.n11.adapter:N11Adapter",
    # Mono, Fashfed and Passo: one Seller Center adapter, a subclass with each one's defaults
    "mono": "mpdash.marketplaces.akinon.adapter:MonoAdapter",
    "fashfed": "mpdash.marketplaces.akinon.adapter:FashfedAdapter",
    "passo": "mpdash.marketplaces.akinon.adapter:PassoAdapter",
    "amazon": "mpdash.marketplaces.amazon.adapter:AmazonAdapter",
    "walmart": "mpdash.marketplaces.walmart.adapter:WalmartAdapter",
}
# marketplace type -> "module:callable(host, port, **options)" returning a running simulator
SIMULATORS: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.simulator:serve",
    "trendyol": "mpdash.marketplaces.trendyol.simulator:serve",
    "n11": "mpdash.marketplaces.n11.simulator:serve",
    "mono": "mpdash.marketplaces.akinon.simulator:serve",  # the three share one simulator
    "fashfed": "mpdash.marketplaces.akinon.simulator:serve",
    "passo": "mpdash.marketplaces.akinon.simulator:serve",
    "amazon": "mpdash.marketplaces.amazon.simulator:serve",
    "walmart": "mpdash.marketplaces.walmart.simulator:serve",
}


# marketplace type -> "module:DEMO", the marketplace's part of ``mpdash demo`` as plain data
# (a mpdash.marketplaces.demo.DemoChannel), in the order the demo starts them.
DEMOS: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.demo:DEMO",
    "trendyol": "mpdash.marketplaces.trendyol.demo:DEMO",
    "n11": "mpdash.marketplaces.n11.demo:DEMO",
    "mono": "mpdash.marketplaces.akinon.demo:MONO_DEMO",
    "fashfed": "mpdash.marketplaces.akinon.demo:FASHFED_DEMO",
    "passo": "mpdash.marketplaces.akinon.demo:PASSO_DEMO",
    "amazon": "mpdash.marketplaces.amazon.demo:DEMO",
    "walmart": "mpdash.marketplaces.walmart.demo:DEMO",
}


def _load(path: str):
    module, _, attr = path.partition(":")
    return getattr(import_module(module), attr)


def adapter_class(marketplace: str) -> type[MarketplaceAdapter]:
    try:
        return _load(MARKETPLACES[marketplace])
    except KeyError:
        raise LookupError(f"unknown marketplace {marketplace!r}; known: {', '.join(sorted(MARKETPLACES))}") from None


def simulator_factory(marketplace: str):
    try:
        return _load(SIMULATORS[marketplace])
    except KeyError:
        raise LookupError(f"no simulator for {marketplace!r}; known: {', '.join(sorted(SIMULATORS))}") from None


def demo(marketplace: str):
    """The marketplace's :class:`~mpdash.marketplaces.demo.DemoChannel`."""
    try:
        return _load(DEMOS[marketplace])
    except KeyError:
        raise LookupError(f"no demo for {marketplace!r}; known: {', '.join(DEMOS)}") from None


def choices() -> list[tuple[str, str]]:
    return [(name, adapter_class(name).label) for name in sorted(MARKETPLACES)]
