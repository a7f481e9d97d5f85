"""Passo's contract driver: the shared Seller Center driver under the registry name."""

from .seller_center import SellerCenterDriver


class PassoDriver(SellerCenterDriver):
    name = "passo"
