"""Narrowing a query to many keys with one parameter.

``filter(pk__in=[...])`` with thousands of keys costs Django more to build (an expression and
a placeholder per key) than the database spends running it, and needs chunks under the
backend's parameter limit. :func:`among` passes the keys as one value instead: a JSON array
read with ``json_each`` on SQLite, an array compared with ``= ANY`` on PostgreSQL.
"""

from __future__ import annotations

import json

from django.db import connections

CHUNK = 10_000  # keys per query: keeps each statement and its answer a moderate size


def among(queryset, column: str, keys):
    """``queryset`` narrowed to rows whose ``column`` (of its own table) is one of ``keys``."""
    keys = list(keys)
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        # Cast to the column's own type: psycopg sends a list of ints as numeric[], and
        # bigint = numeric can use neither the index nor a hashed array.
        db_type = queryset.model._meta.get_field(column).db_type(connection)
        return queryset.extra(where=[f"{column} = ANY(%s::{db_type}[])"], params=[keys])
    return queryset.extra(where=[f"{column} IN (SELECT value FROM json_each(%s))"], params=[json.dumps(keys)])


def chunks(keys, size: int = CHUNK):
    keys = list(keys)
    for start in range(0, len(keys), size):
        yield keys[start:start + size]
