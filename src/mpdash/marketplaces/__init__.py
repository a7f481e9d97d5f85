"""One package per marketplace, each behind the contract in :mod:`mpdash.marketplaces.base`."""
