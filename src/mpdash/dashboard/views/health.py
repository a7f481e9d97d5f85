"""Liveness, and whether the database and the broker answer, for load balancers, monitoring
and the demo supervisor. 200 when both answer, else 503 naming the one that does not."""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # reported, not raised
        return f"error: {exc.__class__.__name__}"


def _broker() -> str:
    try:
        from mpdash.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
            # Some transports (Redis) connect lazily: ask for an answer, not only a handle.
            client = getattr(conn.default_channel, "client", None)
            if callable(getattr(client, "ping", None)):
                client.ping()
        return "ok"
    except Exception as exc:  # reported, not raised; the message may name the host, never a password
        return f"error: {exc.__class__.__name__}"


def health(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)
