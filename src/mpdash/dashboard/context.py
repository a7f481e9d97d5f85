"""Template context: the signed-in user's role, for showing only what they may do
(the views check again on the server)."""

from __future__ import annotations

from .roles import ADMIN, OPERATOR, VIEWER, has_role, user_role


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "role": user_role(user),
        "can_view": has_role(user, VIEWER),
        "can_operate": has_role(user, OPERATOR),
        "can_admin": has_role(user, ADMIN),
    }
