"""Who may do what on the screens.

Three roles, each a Django group of that name: ``viewer`` reads, ``operator`` also
triggers flows, uploads CSVs, decides refunds and edits mappings, ``admin`` also changes
channel settings (and, later, users and alarms). A role includes the ones below it; a
superuser is an admin. A signed-in user in none of the groups sees nothing but a 403.

Every view says the role it needs with :func:`role_required`; writes are separate
POST-only views, so the check happens on the server for every change.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

VIEWER, OPERATOR, ADMIN = "viewer", "operator", "admin"
ROLES = (VIEWER, OPERATOR, ADMIN)  # lowest first
_RANK = {name: rank for rank, name in enumerate(ROLES)}


def ensure_groups(using: str = "default") -> None:
    """Create the role groups (after every migrate, and after a test flush)."""
    from django.contrib.auth.models import Group

    for name in ROLES:
        Group.objects.using(using).get_or_create(name=name)


def user_role(user) -> str | None:
    """The highest role of ``user``, or None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ADMIN
    cached = getattr(user, "_mpdash_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    role = max(names, key=_RANK.__getitem__) if names else None
    user._mpdash_role = role
    return role


def has_role(user, role: str) -> bool:
    current = user_role(user)
    return current is not None and _RANK[current] >= _RANK[role]


def role_required(role: str):
    """Sign-in first (redirect to the login page), then at least ``role`` (else 403)."""
    if role not in _RANK:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(f"this needs the {role} role")
            return view(request, *args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorate
