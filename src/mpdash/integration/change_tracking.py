"""Change tracking: every price or stock write marks (channel, product, kind) pending.

Database triggers do the marking, so it happens for every writer alike (REST API, CSV
import, admin, ORM ``save``/``bulk_create``/``update``, raw SQL). A write that does not
change the value marks nothing. Repeated changes coalesce into one pending row whose
``version`` grows, so a flow tick reads only what is pending: its cost follows the
number of changes, not the size of the catalog.
"""

from __future__ import annotations

from django.db import connection

KINDS = ("productstock", "productprice")

_PENDING_COLUMNS = "channel_id, product_id, kind, version, changed_at, available_at, batch_id"

# --- SQLite ---------------------------------------------------------------------------
_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f','now')"


def _sqlite_upsert(kind: str, list_column: str, list_value: str, product: str) -> str:
    return f"""
    INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
    SELECT c.id, {product}, '{kind}', 1, {_SQLITE_NOW}, {_SQLITE_NOW}, NULL
      FROM channels_saleschannel c
      JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id AND ci.product_id = {product}
     WHERE c.{list_column} = {list_value}
    ON CONFLICT (channel_id, product_id, kind)
    DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;
    """


def _sqlite_catalog_upsert(kind: str) -> str:
    return f"""
    INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
    SELECT c.id, NEW.product_id, '{kind}', 1, {_SQLITE_NOW}, {_SQLITE_NOW}, NULL
      FROM channels_saleschannel c WHERE c.catalog_id = NEW.catalog_id
    ON CONFLICT (channel_id, product_id, kind)
    DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;
    """


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER mpdash_stock_ins AFTER INSERT ON catalog_productstock BEGIN
        {_sqlite_upsert('productstock', 'stock_list_id', 'NEW.stock_list_id', 'NEW.product_id')} END""",
    f"""CREATE TRIGGER mpdash_stock_upd AFTER UPDATE ON catalog_productstock
        WHEN NEW.quantity IS NOT OLD.quantity OR NEW.extra IS NOT OLD.extra OR NEW.stock_list_id IS NOT OLD.stock_list_id
        BEGIN {_sqlite_upsert('productstock', 'stock_list_id', 'NEW.stock_list_id', 'NEW.product_id')} END""",
    f"""CREATE TRIGGER mpdash_price_ins AFTER INSERT ON catalog_productprice BEGIN
        {_sqlite_upsert('productprice', 'price_list_id', 'NEW.price_list_id', 'NEW.product_id')} END""",
    f"""CREATE TRIGGER mpdash_price_upd AFTER UPDATE ON catalog_productprice
        WHEN NEW.price IS NOT OLD.price OR NEW.retail_price IS NOT OLD.retail_price
          OR NEW.currency IS NOT OLD.currency OR NEW.tax_rate IS NOT OLD.tax_rate
          OR NEW.price_list_id IS NOT OLD.price_list_id
        BEGIN {_sqlite_upsert('productprice', 'price_list_id', 'NEW.price_list_id', 'NEW.product_id')} END""",
    f"""CREATE TRIGGER mpdash_catalogitem_ins AFTER INSERT ON catalog_catalogitem BEGIN
        {_sqlite_catalog_upsert('productstock')} {_sqlite_catalog_upsert('productprice')} END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS mpdash_stock_ins",
    "DROP TRIGGER IF EXISTS mpdash_stock_upd",
    "DROP TRIGGER IF EXISTS mpdash_price_ins",
    "DROP TRIGGER IF EXISTS mpdash_price_upd",
    "DROP TRIGGER IF EXISTS mpdash_catalogitem_ins",
]

# --- PostgreSQL ------------------------------------------------------------------------


def _pg_upsert(kind: str, list_column: str, list_value: str) -> str:
    return f"""
      INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
      SELECT c.id, NEW.product_id, '{kind}', 1, now(), now(), NULL
        FROM channels_saleschannel c
        JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id AND ci.product_id = NEW.product_id
       WHERE c.{list_column} = {list_value}
      ON CONFLICT (channel_id, product_id, kind)
      DO UPDATE SET version = integration_pendingchange.version + 1, changed_at = excluded.changed_at;
    """


POSTGRES_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION mpdash_track_stock() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.quantity IS NOT DISTINCT FROM OLD.quantity
         AND NEW.extra IS NOT DISTINCT FROM OLD.extra AND NEW.stock_list_id = OLD.stock_list_id THEN
        RETURN NEW;
      END IF;
      {_pg_upsert('productstock', 'stock_list_id', 'NEW.stock_list_id')}
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_stock_changed AFTER INSERT OR UPDATE ON catalog_productstock
       FOR EACH ROW EXECUTE FUNCTION mpdash_track_stock()""",
    f"""CREATE OR REPLACE FUNCTION mpdash_track_price() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.price IS NOT DISTINCT FROM OLD.price
         AND NEW.retail_price IS NOT DISTINCT FROM OLD.retail_price
         AND NEW.currency IS NOT DISTINCT FROM OLD.currency AND NEW.tax_rate IS NOT DISTINCT FROM OLD.tax_rate
         AND NEW.price_list_id = OLD.price_list_id THEN
        RETURN NEW;
      END IF;
      {_pg_upsert('productprice', 'price_list_id', 'NEW.price_list_id')}
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_price_changed AFTER INSERT OR UPDATE ON catalog_productprice
       FOR EACH ROW EXECUTE FUNCTION mpdash_track_price()""",
    f"""CREATE OR REPLACE FUNCTION mpdash_track_catalogitem() RETURNS trigger AS $$
    BEGIN
      INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
      SELECT c.id, NEW.product_id, k.kind, 1, now(), now(), NULL
        FROM channels_saleschannel c CROSS JOIN (VALUES ('productstock'), ('productprice')) AS k(kind)
       WHERE c.catalog_id = NEW.catalog_id
      ON CONFLICT (channel_id, product_id, kind)
      DO UPDATE SET version = integration_pendingchange.version + 1, changed_at = excluded.changed_at;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_catalogitem_added AFTER INSERT ON catalog_catalogitem
       FOR EACH ROW EXECUTE FUNCTION mpdash_track_catalogitem()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS mpdash_stock_changed ON catalog_productstock",
    "DROP TRIGGER IF EXISTS mpdash_price_changed ON catalog_productprice",
    "DROP TRIGGER IF EXISTS mpdash_catalogitem_added ON catalog_catalogitem",
    "DROP FUNCTION IF EXISTS mpdash_track_stock()",
    "DROP FUNCTION IF EXISTS mpdash_track_price()",
    "DROP FUNCTION IF EXISTS mpdash_track_catalogitem()",
]


def install_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    statements = {"sqlite": SQLITE_DROP + SQLITE_TRIGGERS, "postgresql": POSTGRES_DROP + POSTGRES_TRIGGERS}.get(conn.vendor)
    if statements is None:
        raise RuntimeError(f"change tracking supports SQLite and PostgreSQL, not {conn.vendor}")
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def mark_channel_all(channel_id: int, kinds=KINDS) -> int:
    """Mark every product of a channel's catalog pending (first sync, list or catalog change)."""
    now = "now()" if connection.vendor == "postgresql" else _SQLITE_NOW
    bump = "integration_pendingchange.version + 1" if connection.vendor == "postgresql" else "version + 1"
    total = 0
    with connection.cursor() as cursor:
        for kind in kinds:
            cursor.execute(
                f"""INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
                SELECT c.id, ci.product_id, %s, 1, {now}, {now}, NULL
                  FROM channels_saleschannel c JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id
                 WHERE c.id = %s
                ON CONFLICT (channel_id, product_id, kind)
                DO UPDATE SET version = {bump}, changed_at = excluded.changed_at""",
                [kind, channel_id],
            )
            total += cursor.rowcount
    return total


# --- Products (product create/update/delete flows) ---------------------------------------
# A change to what a marketplace shows of a product raises Product.version and marks
# (channel, product, "product") pending for every channel selling it; deactivating it,
# or removing it from a catalog, marks "product_delete".
PRODUCT_KINDS = ("product", "product_delete")
_CONTENT_COLUMNS = ("name", "description", "images", "attributes", "category_id", "base_code", "product_type", "is_active")


def _content_changed(equal: str) -> str:
    return " OR ".join(f"NEW.{c} {equal} OLD.{c}" for c in _CONTENT_COLUMNS)


def _sqlite_product_upsert(kind: str, product: str, join_catalog: str, where: str = "") -> str:
    return f"""
    INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
    SELECT c.id, {product}, '{kind}', 1, {_SQLITE_NOW}, {_SQLITE_NOW}, NULL
      FROM channels_saleschannel c {join_catalog}
     {where}
    ON CONFLICT (channel_id, product_id, kind)
    DO UPDATE SET version = version + 1, changed_at = excluded.changed_at;
    """


_SQLITE_IN_CATALOG = "JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id AND ci.product_id = NEW.id"

SQLITE_PRODUCT_TRIGGERS = [
    f"""CREATE TRIGGER mpdash_product_upd AFTER UPDATE ON catalog_product
        WHEN {_content_changed('IS NOT')}
        BEGIN
          UPDATE catalog_product SET version = max(OLD.version, NEW.version) + 1 WHERE id = NEW.id;
          {_sqlite_product_upsert('product', 'NEW.id', _SQLITE_IN_CATALOG)}
          {_sqlite_product_upsert('product_delete', 'NEW.id', _SQLITE_IN_CATALOG, 'WHERE NEW.is_active = 0 AND OLD.is_active = 1')}
        END""",
    # A save that changes nothing shown may still write a stale version: never go back.
    f"""CREATE TRIGGER mpdash_product_version_kept AFTER UPDATE ON catalog_product
        WHEN NEW.version < OLD.version AND NOT ({_content_changed('IS NOT')})
        BEGIN UPDATE catalog_product SET version = OLD.version WHERE id = NEW.id; END""",
    f"""CREATE TRIGGER mpdash_catalogitem_product_ins AFTER INSERT ON catalog_catalogitem BEGIN
        {_sqlite_product_upsert('product', 'NEW.product_id', '', 'WHERE c.catalog_id = NEW.catalog_id')} END""",
    f"""CREATE TRIGGER mpdash_catalogitem_del AFTER DELETE ON catalog_catalogitem BEGIN
        {_sqlite_product_upsert('product_delete', 'OLD.product_id', '', 'WHERE c.catalog_id = OLD.catalog_id')} END""",
]
SQLITE_PRODUCT_DROP = [
    "DROP TRIGGER IF EXISTS mpdash_product_upd",
    "DROP TRIGGER IF EXISTS mpdash_product_version_kept",
    "DROP TRIGGER IF EXISTS mpdash_catalogitem_product_ins",
    "DROP TRIGGER IF EXISTS mpdash_catalogitem_del",
]


def _pg_product_upsert(kind: str, product: str, from_where: str) -> str:
    return f"""
      INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
      SELECT c.id, {product}, '{kind}', 1, now(), now(), NULL {from_where}
      ON CONFLICT (channel_id, product_id, kind)
      DO UPDATE SET version = integration_pendingchange.version + 1, changed_at = excluded.changed_at;
    """


_PG_IN_CATALOG = """FROM channels_saleschannel c
        JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id AND ci.product_id = NEW.id"""

POSTGRES_PRODUCT_TRIGGERS = [
    f"""CREATE OR REPLACE FUNCTION mpdash_product_version() RETURNS trigger AS $$
    BEGIN
      IF {_content_changed('IS DISTINCT FROM')} THEN
        NEW.version := GREATEST(OLD.version, NEW.version) + 1;
      ELSE
        NEW.version := GREATEST(OLD.version, NEW.version);
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_product_version BEFORE UPDATE ON catalog_product
       FOR EACH ROW EXECUTE FUNCTION mpdash_product_version()""",
    f"""CREATE OR REPLACE FUNCTION mpdash_track_product() RETURNS trigger AS $$
    BEGIN
      IF NOT ({_content_changed('IS DISTINCT FROM')}) THEN
        RETURN NEW;
      END IF;
      {_pg_product_upsert('product', 'NEW.id', _PG_IN_CATALOG)}
      IF NOT NEW.is_active AND OLD.is_active THEN
        {_pg_product_upsert('product_delete', 'NEW.id', _PG_IN_CATALOG)}
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_product_changed AFTER UPDATE ON catalog_product
       FOR EACH ROW EXECUTE FUNCTION mpdash_track_product()""",
    f"""CREATE OR REPLACE FUNCTION mpdash_track_catalogitem_product() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        {_pg_product_upsert('product', 'NEW.product_id', 'FROM channels_saleschannel c WHERE c.catalog_id = NEW.catalog_id')}
        RETURN NEW;
      END IF;
      {_pg_product_upsert('product_delete', 'OLD.product_id', 'FROM channels_saleschannel c WHERE c.catalog_id = OLD.catalog_id')}
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER mpdash_catalogitem_product AFTER INSERT OR DELETE ON catalog_catalogitem
       FOR EACH ROW EXECUTE FUNCTION mpdash_track_catalogitem_product()""",
]
POSTGRES_PRODUCT_DROP = [
    "DROP TRIGGER IF EXISTS mpdash_product_version ON catalog_product",
    "DROP TRIGGER IF EXISTS mpdash_product_changed ON catalog_product",
    "DROP TRIGGER IF EXISTS mpdash_catalogitem_product ON catalog_catalogitem",
    "DROP FUNCTION IF EXISTS mpdash_product_version()",
    "DROP FUNCTION IF EXISTS mpdash_track_product()",
    "DROP FUNCTION IF EXISTS mpdash_track_catalogitem_product()",
]


def install_product_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    statements = {
        "sqlite": SQLITE_PRODUCT_DROP + SQLITE_PRODUCT_TRIGGERS,
        "postgresql": POSTGRES_PRODUCT_DROP + POSTGRES_PRODUCT_TRIGGERS,
    }.get(conn.vendor)
    if statements is None:
        raise RuntimeError(f"change tracking supports SQLite and PostgreSQL, not {conn.vendor}")
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove_product_triggers(apps=None, schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    statements = {"sqlite": SQLITE_PRODUCT_DROP, "postgresql": POSTGRES_PRODUCT_DROP}.get(conn.vendor, [])
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def mark_products(channel_id: int, product_ids, kind: str = "product") -> int:
    """Mark products of a channel pending (re-send in bulk, a mapping that affects them)."""
    from django.db.models import F
    from django.utils import timezone

    from .models import PendingChange

    ids = list(product_ids)
    now = timezone.now()
    total = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        total += PendingChange.objects.filter(channel_id=channel_id, kind=kind, product_id__in=chunk).update(
            version=F("version") + 1, changed_at=now
        )
        existing = set(
            PendingChange.objects.filter(channel_id=channel_id, kind=kind, product_id__in=chunk).values_list("product_id", flat=True)
        )
        fresh = [
            PendingChange(channel_id=channel_id, product_id=pid, kind=kind, changed_at=now, available_at=now)
            for pid in chunk if pid not in existing
        ]
        PendingChange.objects.bulk_create(fresh, ignore_conflicts=True)
        total += len(fresh)
    return total


# --- bulk writers -------------------------------------------------------------------------------
# A trigger per row costs ~30 µs (SQLite); a writer updating 100,000 stocks at once marks them
# in one statement per chunk instead. Inside ``marked_in_bulk`` (one transaction) the row
# trigger on UPDATE is off for this transaction only — dropped and re-created on SQLite,
# disabled and re-enabled on PostgreSQL (DDL is transactional on both, so no other
# connection ever sees it missing; on PostgreSQL concurrent writers of the table wait for the
# commit) — and the writer reports the rows it changed to ``mark_rows``.
_BULK = {
    # kind: (table, list column, SQLite UPDATE trigger, PostgreSQL trigger)
    "productstock": ("catalog_productstock", "stock_list_id", "mpdash_stock_upd", "mpdash_stock_changed"),
    "productprice": ("catalog_productprice", "price_list_id", "mpdash_price_upd", "mpdash_price_changed"),
}
_MARK_CHUNK = 10_000


class marked_in_bulk:  # noqa: N801 - used as a context manager
    """``with marked_in_bulk("productstock") as mark: <UPDATE rows>; mark(row_ids)``.

    Only UPDATEs made in the block skip the row trigger; inserts are marked by it as before
    (on PostgreSQL one trigger covers both, so insert before entering the block)."""

    def __init__(self, kind: str):
        from django.db import transaction

        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("marked_in_bulk needs a transaction (transaction.atomic)")
        self.kind = kind
        self.table, self.list_column, self.sqlite_trigger, self.pg_trigger = _BULK[kind]

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {self.sqlite_trigger}")
            else:
                # ALTER TABLE refuses while deferred checks (the foreign keys of rows written
                # earlier in this transaction) are pending: run them now, and keep checks
                # immediate inside the block so none is pending when the trigger comes back.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {self.table} DISABLE TRIGGER {self.pg_trigger}")
        return self.mark

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                [create] = [sql for sql in SQLITE_TRIGGERS if f"TRIGGER {self.sqlite_trigger} " in sql]
                cursor.execute(create)
            else:
                cursor.execute(f"ALTER TABLE {self.table} ENABLE TRIGGER {self.pg_trigger}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False

    def mark(self, row_ids) -> int:
        """Mark (channel, product, kind) pending for the given rows of the table, for every
        channel whose catalog has the product and whose list the row belongs to (what the
        trigger does for one row)."""
        ids = list(row_ids)
        postgres = connection.vendor == "postgresql"
        now = "now()" if postgres else _SQLITE_NOW
        bump = "integration_pendingchange.version + 1" if postgres else "version + 1"
        rows = "r.id = ANY(%s)" if postgres else "r.id IN (SELECT value FROM json_each(%s))"
        marked = 0
        with connection.cursor() as cursor:
            for start in range(0, len(ids), _MARK_CHUNK):
                chunk = ids[start:start + _MARK_CHUNK]
                cursor.execute(
                    f"""INSERT INTO integration_pendingchange ({_PENDING_COLUMNS})
                    SELECT c.id, r.product_id, %s, 1, {now}, {now}, NULL
                      FROM {self.table} r
                      JOIN channels_saleschannel c ON c.{self.list_column} = r.{self.list_column}
                      JOIN catalog_catalogitem ci ON ci.catalog_id = c.catalog_id AND ci.product_id = r.product_id
                     WHERE {rows}
                    ON CONFLICT (channel_id, product_id, kind)
                    DO UPDATE SET version = {bump}, changed_at = excluded.changed_at""",
                    [self.kind, chunk if postgres else "[" + ",".join(map(str, chunk)) + "]"],
                )
                marked += cursor.rowcount
        return marked
