"""The three marketplaces on Akinon's Seller Center: their registry names and defaults.

Each is the same integration API and the same flows; only the channel and catalog names,
the label and the pre-filled base URL differ (the setup pages of Mono and Passo, reference
§1.4; Fashfed's page had no readable content, so its names follow the same pattern
[UNVERIFIED]).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SellerCenterMarketplace:
    name: str  # registry name
    label: str
    channel_name: str
    catalog_name: str
    base_url: str  # pre-filled default of the channel's base_url


MONO = SellerCenterMarketplace("mono", "Mono", "Mono", "Mono_Catalog", "https://example.com/")  # the seed's pre-fill
FASHFED = SellerCenterMarketplace("fashfed", "Fashfed", "Fashfed", "Fashfed_Catalog", "https://example.com/")
PASSO = SellerCenterMarketplace("passo", "Passo", "Passo", "Passo_Catalog", "https://example.com/")
ALL = (MONO, FASHFED, PASSO)
