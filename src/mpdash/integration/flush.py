"""``flush`` on SQLite with mpdash's change-tracking triggers.

Django empties SQLite tables with one ``DELETE`` per table, in no particular order, and
checks foreign keys at commit. Deleting catalog items fires the trigger that marks
products for removal from marketplaces, which can write pending rows after their table
was emptied, pointing at products deleted in the same flush: the commit then fails
("FOREIGN KEY constraint failed"). Emptying the pending table once more at the end
makes ``manage flush`` (and the test suite's flushes) work. PostgreSQL truncates, which
fires no row triggers.
"""

from __future__ import annotations

PENDING_TABLE = "integration_pendingchange"


def install() -> None:
    # Through the backend's base module: importing ``operations`` first is a circular import
    # when nothing has loaded the SQLite backend yet (a PostgreSQL deployment).
    from django.db.backends.sqlite3.base import DatabaseOperations

    if getattr(DatabaseOperations.sql_flush, "_mpdash", False):
        return
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        again = [s for s in sql if s.startswith("DELETE") and PENDING_TABLE in s]
        return sql + again

    sql_flush._mpdash = True
    DatabaseOperations.sql_flush = sql_flush
