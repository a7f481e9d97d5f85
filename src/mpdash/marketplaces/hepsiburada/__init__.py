"""Hepsiburada: the listing, catalog and order (OMS) API clients, the adapter, the channel
schema and a local simulator of all three APIs in :mod:`.simulator` (with deterministic
catalog data in :mod:`.catalog_data`).

Importing this package loads only data (:mod:`.config`); the client, adapter and
simulator are imported from their own modules so that nothing heavy runs on import.
"""

from .config import BATCH_SIZES, FLOWS, SCHEMA

__all__ = ["BATCH_SIZES", "FLOWS", "SCHEMA"]
