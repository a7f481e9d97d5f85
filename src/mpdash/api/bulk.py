"""The bulk upsert endpoints' glue: JSON list in, counts or row errors out.

The upsert itself lives in :mod:`mpdash.catalog.importer` and is shared with the CSV
import; here the API's policy applies: all-or-nothing (any invalid row → 400 listing
every bad row, nothing written).
"""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from mpdash.catalog import importer

from . import limits, nul

MAX_ROWS = 100_000  # an ERP's full stock dump; above it a 413 says how to split (mpdash.api.limits)
MAX_ERRORS_SHOWN = 1_000


def bulk_response(kind: str, data) -> Response:
    if not isinstance(data, list):
        return _errors([importer.RowError(None, "non_field_errors", "expected a JSON list of rows")])
    if len(data) > MAX_ROWS:
        advice = limits.split_advice(MAX_ROWS, len(data), "rows")
        return Response(limits.too_large_body("MAX_ROWS", MAX_ROWS, len(data), "rows", advice),
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    bad = next(((i, where) for i, row in enumerate(data) if (where := nul.nul_at(row))), None)
    if bad is not None:  # rows are closed objects: every field of a row is stored
        return _errors([importer.RowError(bad[0], bad[1].split(".", 1)[0].split("[", 1)[0], nul.message(bad[1]))])
    counts, errors = importer.bulk_upsert(kind, data)
    if errors:
        return _errors(errors)
    return Response(counts.as_dict(), status=status.HTTP_200_OK)


def _errors(errors: list[importer.RowError]) -> Response:
    body = {"errors": [e.as_dict() for e in errors[:MAX_ERRORS_SHOWN]]}
    if len(errors) > MAX_ERRORS_SHOWN:
        body["error_count"] = len(errors)
    return Response(body, status=status.HTTP_400_BAD_REQUEST)
