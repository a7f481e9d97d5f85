"""Size limits of API requests, answered in words (issue 16).

Django's own guard (``DATA_UPLOAD_MAX_MEMORY_SIZE``) answers a bare HTML "Bad Request (400)"
to a body over 2.5 MB. On the API that guard is replaced by :class:`RequestSizeLimits`:

- a ``…/bulk/`` upsert may carry up to ``MPDASH_BULK_MAX_BYTES`` (default 200 MB, room for
  100,000 product rows with descriptions) and :data:`mpdash.api.bulk.MAX_ROWS` rows;
- any other JSON or form body on ``/api/`` and ``/flow-trigger/`` up to Django's limit;
- above a limit: status 413, JSON, naming the limit, what was sent and how to split.

Multipart uploads (CSV files) keep Django's handling: their files stream to disk.
"""

from __future__ import annotations

import io
import math

from django.conf import settings
from django.http import JsonResponse

API_PREFIXES = ("/api/", "/flow-trigger/")


def too_large_body(limit_name: str, limit: int, got: int, unit: str, how: str) -> dict:
    return {
        "detail": f"request too large: at most {limit:,} {unit} per request ({limit_name}); got {got:,}. {how}",
        "limit": {"name": limit_name, "max": limit, "unit": unit, "got": got},
    }


def too_large(limit_name: str, limit: int, got: int, unit: str, how: str) -> JsonResponse:
    return JsonResponse(too_large_body(limit_name, limit, got, unit, how), status=413)


def split_advice(limit: int, got: int, unit: str) -> str:
    parts = max(2, math.ceil(got / limit))
    return f"Split the rows into {parts} or more requests of at most {limit:,} {unit} each; each request is all-or-nothing."


class RequestSizeLimits:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIXES) and request.method in ("POST", "PUT", "PATCH"):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            return None
        if request.path.endswith("/bulk/"):
            limit = settings.MPDASH_BULK_MAX_BYTES
            if length > limit:
                return too_large("MPDASH_BULK_MAX_BYTES", limit, length, "bytes", split_advice(limit, length, "bytes"))
            if length:
                # Read the body here, past Django's smaller general limit; DRF parses it from memory.
                request._body = request.read(length)
                request._stream = io.BytesIO(request._body)
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return too_large("DATA_UPLOAD_MAX_MEMORY_SIZE", limit, length, "bytes",
                             "Send large row sets to the bulk/ endpoints, or fewer rows per request.")
        return None
