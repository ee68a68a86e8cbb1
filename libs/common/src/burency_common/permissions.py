"""Roles and what they may do: one map every service checks against.

Services authorise by *permission* (``kyc.review``), never by role name, so that
which roles hold a permission is decided here, in one place, and changes without
touching the services. Roles (``UPPER``-free lowercase names, carried in the
``roles`` claim of access tokens and the identity header):

========== ============================================================
user       every registered account; no staff permission
support    reads users, their balances and the audit log; cannot move money
compliance support's rights plus KYC review and approving deposits/withdrawals
admin      everything, including granting roles and disabling users
========== ============================================================

Use :func:`require_permission` as a FastAPI dependency::

    @router.get("/v1/admin/users")
    async def users(identity: Annotated[Identity, Depends(require_permission("users.read"))]): ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from starlette.requests import Request

from burency_common.errors import PermissionDenied, Unauthenticated
from burency_common.identity import Identity, identity_from_request

__all__ = [
    "ADMIN",
    "COMPLIANCE",
    "PERMISSIONS",
    "ROLES",
    "ROLE_PERMISSIONS",
    "STAFF_ROLES",
    "SUPPORT",
    "USER",
    "has_permission",
    "permissions_of",
    "require_permission",
    "required_permission_of",
]

USER = "user"
SUPPORT = "support"
COMPLIANCE = "compliance"
ADMIN = "admin"
ROLES: frozenset[str] = frozenset({USER, SUPPORT, COMPLIANCE, ADMIN})
STAFF_ROLES: frozenset[str] = frozenset({SUPPORT, COMPLIANCE, ADMIN})
_PERMISSION_ATTRIBUTE = "burency_required_permission"

PERMISSIONS: frozenset[str] = frozenset(
    {
        "users.read",
        "users.write",
        "users.disable",
        "roles.grant",
        "kyc.review",
        "deposits.approve",
        "withdrawals.approve",
        "audit.read",
        "notifications.broadcast",
        "files.read_private",
        "banking.reconcile",
        "banking.read",
        "trading.read",
        "trading.admin",
    }
)

_SUPPORT = frozenset({"users.read", "audit.read", "banking.read", "trading.read"})
_COMPLIANCE = _SUPPORT | {
    "kyc.review",
    "deposits.approve",
    "withdrawals.approve",
    "files.read_private",
    "banking.reconcile",
}

ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = {
    USER: frozenset(),
    SUPPORT: _SUPPORT,
    COMPLIANCE: frozenset(_COMPLIANCE),
    ADMIN: PERMISSIONS,
}


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """Every permission granted by any of ``roles`` (unknown roles grant nothing)."""
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def has_permission(roles: Iterable[str], permission: str) -> bool:
    """Whether any of ``roles`` grants ``permission``; an unknown permission is a bug."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in permissions_of(roles)


def require_permission(permission: str) -> Callable[[Request], Awaitable[Identity]]:
    """FastAPI dependency factory: 401 if anonymous, 403 unless a role grants ``permission``.

    API-key callers (``auth_method == "api_key"``) never get staff permissions: keys
    are for trading bots, not for operating the exchange.
    """
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    async def dependency(request: Request) -> Identity:
        identity = identity_from_request(request)
        if identity is None:
            raise Unauthenticated()
        if identity.auth_method != "jwt" or not has_permission(identity.roles, permission):
            raise PermissionDenied(f"requires the {permission} permission")
        return identity

    setattr(dependency, _PERMISSION_ATTRIBUTE, permission)
    return dependency


def required_permission_of(dependency: object) -> str | None:
    """The permission a :func:`require_permission` dependency demands; None otherwise
    (lets a test walk a service's routes and see which are staff-only)."""
    permission = getattr(dependency, _PERMISSION_ATTRIBUTE, None)
    return permission if isinstance(permission, str) else None
