"""mpdash: a self-hostable hub between a brand's catalog and its marketplaces."""

__version__ = "0.1.0"
