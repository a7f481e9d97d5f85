"""Refund images handed to marketplaces: public (the marketplace fetches them), under
unguessable names, from MEDIA_ROOT in the data directory."""

from __future__ import annotations

from django.conf import settings
from django.views.static import serve


def refund_image(request, path: str):
    return serve(request, path, document_root=settings.MEDIA_ROOT)
