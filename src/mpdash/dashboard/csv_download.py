"""Streaming CSV downloads of the screens: rows are written as they are read, so a
100,000-row report never sits in memory."""

from __future__ import annotations

import csv
from typing import Iterable

from django.http import StreamingHttpResponse


class _Echo:
    """A file-like object whose ``write`` hands the formatted line back to the writer's caller."""

    def write(self, value):
        return value


def csv_response(header: list[str], rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
