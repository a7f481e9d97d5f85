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
from django.db import models
from django.utils import timezone
from django.db.models import Model

_MAX_ROWS = 1000  # rows per statement at most, within the backend's own limit (bulk_batch_size)
COPY_FROM_ROWS = 200  # insert_values on PostgreSQL: from this many rows on, COPY instead of INSERTs


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
    values = [_column_values(f, objs, connection) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            batch = objs[start:start + per_batch]
            end = start + len(batch)
            params = [v for row in zip(*(column[start:end] for column in values)) for v in row]
            cursor.execute(head + ", ".join([row] * len(batch)) + tail, params)
            # Sorted: ids are assigned in the order of the rows, whatever order RETURNING gives them in.
            ids = sorted(r[0] for r in cursor.fetchall())
            if len(ids) != len(batch):  # pragma: no cover - a database that returned fewer rows
                raise RuntimeError(f"INSERT INTO {meta.db_table} returned {len(ids)} ids for {len(batch)} rows")
            for obj, new_id in zip(batch, ids):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = alias


def insert_values(model: type[Model], names: Sequence[str], rows: Sequence[Sequence]) -> None:
    """INSERT rows given as tuples of values for the fields ``names`` (attribute names:
    ``run_id``, not ``run``), without building an instance per row: for log lines and batch
    items, thousands at a time, whose ids nobody reads back. The other fields take what a
    save would give them: ``auto_now(_add)`` the time of this insert, their default (called per
    row when it is a callable; an empty string for text, else NULL, when there is none)."""
    if not rows:
        return
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    unknown = [n for n in names if n not in by_attname]
    if unknown:
        raise ValueError(f"{meta.label} has no field {', '.join(unknown)}")
    alias = router.db_for_write(model)
    connection = connections[alias]
    given = [by_attname[n] for n in names]
    others = [f for f in meta.concrete_fields if f.attname not in names and not (f.primary_key and f.db_returning)]
    fields = given + others
    columns = [_values(f, [row[i] for row in rows], connection) for i, f in enumerate(given)]
    for f in others:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            columns.append([f.get_db_prep_save(timezone.now(), connection)] * len(rows))
        elif f.has_default() and callable(f.default):
            columns.append(_values(f, [f.get_default() for _ in rows], connection))
        else:
            columns.append([f.get_db_prep_save(f.get_default(), connection)] * len(rows))  # "" for text, else None
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _copy(connection, f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN", columns)
        return
    head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_batch = max(1, min(_MAX_ROWS, connection.ops.bulk_batch_size(fields, rows)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_batch):
            end = min(len(rows), start + per_batch)
            params = [v for row in zip(*(column[start:end] for column in columns)) for v in row]
            cursor.execute(head + ", ".join([row_sql] * (end - start)), params)


def _copy(connection, sql: str, columns: list[list]) -> None:
    """PostgreSQL's COPY … FROM STDIN of the rows (columns of values as for an INSERT): for
    4,000 log lines about 20 ms against 100 ms as multi-row INSERTs. Errors come out as
    Django's (IntegrityError…), and the statement is in ``connection.queries`` when queries
    are being logged, as an executed one would be."""
    import time

    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(sql) as copy:
            for row in zip(*columns):
                copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {len(columns[0]) if columns else 0} rows",
                                       "time": f"{time.monotonic() - started:.3f}"})


# Fields whose database value is the Python value itself when it has the field's own type
# (exactly these classes: a subclass may convert, e.g. an encrypted text field).
_NATIVE = {
    models.CharField: str, models.TextField: str, models.BooleanField: bool,
    models.IntegerField: int, models.BigIntegerField: int, models.SmallIntegerField: int,
    models.PositiveIntegerField: int, models.PositiveBigIntegerField: int, models.PositiveSmallIntegerField: int,
}
_JSON_PLAIN = frozenset((dict, list, str, int, float, bool))
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField, models.BigIntegerField)


def _column_values(field, objs, connection) -> list:
    """One column's database values for every row, as ``get_db_prep_save(pre_save(obj, True))``
    gives them, without its per-value cost where the answer is known: an ``auto_now(_add)``
    time is taken once for the whole insert, and a value of a field's native type is itself."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = field.pre_save(objs[0], True)
        for obj in objs[1:]:
            setattr(obj, field.attname, now)
        return [field.get_db_prep_save(now, connection)] * len(objs)
    if type(field).pre_save is not models.Field.pre_save:
        return [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs]
    attname = field.attname
    return _values(field, [getattr(obj, attname) for obj in objs], connection)


def _values(field, values: list, connection) -> list:
    """``field.get_db_prep_save`` of each value; a value of the field's native type is itself."""
    native = _NATIVE.get(type(field))
    if type(field) is models.ForeignKey and type(field.target_field) in _INTEGER_KEYS:
        native = int
    prep = field.get_db_prep_save
    if type(field) is models.JSONField:
        # What get_db_prep_save does for a plain value, without its checks for expressions.
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        return [None if value is None else adapt(value, encoder) if type(value) in _JSON_PLAIN else prep(value, connection)
                for value in values]
    if native is None:
        return [prep(value, connection) for value in values]
    return [value if value is None or type(value) is native else prep(value, connection) for value in values]
