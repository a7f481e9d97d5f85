"""The one place that names every marketplace package."""

from __future__ import annotations

from importlib import import_module

from .base import MarketplaceAdapter

# marketplace type -> "module:AdapterClass"
MARKETPLACES: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.adapter:HepsiburadaAdapter",
    "trendyol": "mpdash.marketplaces.trendyol.adapter:TrendyolAdapter",
    "amazon": "mpdash.marketplaces.amazon.adapter:AmazonAdapter",
}
# marketplace type -> "module:callable(host, port, **options)" returning a running simulator
SIMULATORS: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.simulator:serve",
    "trendyol": "mpdash.marketplaces.trendyol.simulator:serve",
    "amazon": "mpdash.marketplaces.amazon.simulator:serve",
}


# marketplace type -> "module:DEMO", the marketplace's part of ``mpdash demo`` as plain data
# (a mpdash.marketplaces.demo.DemoChannel), in the order the demo starts them.
DEMOS: dict[str, str] = {
    "hepsiburada": "mpdash.marketplaces.hepsiburada.demo:DEMO",
    "trendyol": "mpdash.marketplaces.trendyol.demo:DEMO",
    "amazon": "mpdash.marketplaces.amazon.demo:DEMO",
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
