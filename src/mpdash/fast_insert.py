"""Inserting many new rows with their ids, for the hot paths (a page of inbound orders).

``Model.objects.bulk_create`` spends most of its time compiling: for every value of every
row it asks whether the value is an expression, builds a placeholder and re-assembles the
statement. For rows of plain model instances none of that is needed. :func:`insert` takes
the same per-value steps that matter (``pre_save`` for ``auto_now`` fields and defaults
set on save, ``get_db_prep_save`` for the database's form of each value), writes one
``INSERT … VALUES (…), (…) RETURNING id`` per batch, and sets each instance's id, as
``bulk_create`` does on SQLite ≥ 3.35 and PostgreSQL. Like ``bulk_create`` it calls no
``save()`` and sends no signals; unlike it, it takes no expressions as values.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model

_MAX_ROWS = 1000  # rows per statement at most, within the backend's own limit (bulk_batch_size)


def insert(objs: Sequence[Model]) -> None:
    """INSERT new instances of one model (their primary key is an auto field, left unset) and set their ids."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    pk = meta.pk
    if not getattr(pk, "db_returning", False) or any(type(obj) is not model or obj.pk is not None for obj in objs):
        raise ValueError("insert() takes new instances of one model whose primary key the database assigns")
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - old SQLite
        model._default_manager.using(alias).bulk_create(objs)
        return
    fields = [f for f in meta.concrete_fields if f is not pk]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = max(1, min(_MAX_ROWS, connection.ops.bulk_batch_size(fields, objs)))
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    tail = f" RETURNING {quote(pk.column)}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            batch = objs[start:start + per_batch]
            params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in batch for f in fields]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            # Sorted: ids are assigned in the order of the rows, whatever order RETURNING gives them in.
            ids = sorted(r[0] for r in cursor.fetchall())
            if len(ids) != len(batch):  # pragma: no cover - a database that returned fewer rows
                raise RuntimeError(f"INSERT INTO {meta.db_table} returned {len(ids)} ids for {len(batch)} rows")
            for obj, new_id in zip(batch, ids):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = alias
