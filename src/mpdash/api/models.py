"""The audit trail of lifted locks (see :mod:`mpdash.security`)."""

from __future__ import annotations

from django.db import models


class LockLift(models.Model):
    """An admin lifted the brute-force lock of an address (API token and sign-in) or of a
    username (sign-in) before it lifted by itself."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, help_text="Client address whose locks were lifted")
    username = models.CharField(max_length=255, blank=True, help_text="Username whose sign-in lock was lifted")
    login_attempts = models.PositiveIntegerField(default=0, help_text="Failed sign-in records removed (django-axes)")
    token_failures = models.BooleanField(default=False, help_text="The address had failed API token checks counted")
    lifted_by = models.CharField(max_length=150, blank=True, help_text="The admin user, or the command")
    source = models.CharField(max_length=32, blank=True, help_text="admin or command")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        who = " and ".join(x for x in (self.address or "", self.username) if x)
        return f"locks of {who} lifted by {self.lifted_by or 'unknown'}"
