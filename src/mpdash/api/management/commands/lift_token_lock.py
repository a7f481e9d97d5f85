"""``mpdash manage lift_token_lock --address A [--username U]``: lift a brute-force lock now."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Lift the lock of a client address (wrong API tokens and failed sign-ins) and/or of a username "
            "(failed sign-ins) before it lifts by itself; recorded in the audit trail (admin: Lock lifts).")

    def add_arguments(self, parser):
        parser.add_argument("--address", help="the client address, e.g. 203.0.113.7")
        parser.add_argument("--username", help="a username locked after failed sign-ins")

    def handle(self, *args, address=None, username=None, **options):
        from mpdash.security import lift_locks

        if not address and not username:
            raise CommandError("name the locked client with --address (and/or a username with --username)")
        try:
            lifted = lift_locks(address=address, username=username, by=f"command:{_who()}", source="command")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        parts = []
        if lifted.address:
            parts.append(f"{lifted.address}: API token lock {'lifted' if lifted.token_failures else 'was not set'}")
        parts.append(f"{lifted.login_attempts} failed sign-in record(s) removed")
        self.stdout.write("; ".join(parts) + " (recorded)")


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user name in a bare container
        return "unknown"
