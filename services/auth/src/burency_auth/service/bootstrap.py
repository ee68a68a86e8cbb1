"""Operator bootstrap: creating administrators, the embedded demo admin, key rotation."""

from __future__ import annotations

import secrets

from burency_auth.adapters import audit_repo, users_repo
from burency_auth.domain.errors import invalid_field, wrong_state
from burency_auth.service.context import AuthContext
from burency_common.events import USER_REGISTERED, UserRegistered
from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_common.permissions import ADMIN, USER
from burency_common.tokens import SigningKey
from burency_common.validators import InvalidValue, validate_email, validate_password

__all__ = ["create_admin", "ensure_demo_admin", "ensure_system_user", "rotate_signing_key"]

_log = get_logger("burency.auth")
DEMO_ADMIN_EMAIL = "admin@burency.dev"


async def create_admin(ctx: AuthContext, *, email: str, password: str, via: str = "cli") -> str:
    """Create a verified account with the ``admin`` role; 409 if the address is taken."""
    try:
        email = validate_email(email)
        password = validate_password(password, user_inputs=[email])
    except InvalidValue as exc:
        raise invalid_field("credentials", exc.code, exc.message) from None
    password_hash = await ctx.hasher.hash(password)
    now = ctx.clock.now()
    user_id = new_id()
    async with ctx.transaction() as db:
        if await users_repo.get_user_by_email_key(db, email.casefold()) is not None:
            raise wrong_state("an account with this e-mail exists", "EMAIL_TAKEN")
        await users_repo.insert_user(
            db,
            user_id=user_id,
            email=email,
            password_hash=password_hash,
            now=now,
            roles=frozenset({USER, ADMIN}),
            verified=True,
        )
        payload = UserRegistered(user_id=user_id, email=email, created_at=now)
        await ctx.outbox.emit(db, payload, event_type=USER_REGISTERED)
        await audit_repo.add_audit(
            db,
            actor_id=None,
            action="admin.created",
            target=user_id,
            details={"via": via},
            ip=None,
            request_id=None,
            now=now,
        )
    _log.info("auth.admin_created", user_id=user_id)
    return user_id


async def ensure_demo_admin(ctx: AuthContext) -> tuple[str, str] | None:
    """Embedded mode only: create ``admin@burency.dev`` with a random password once.

    Returns the credentials when it created the account (the platform prints them
    once), ``None`` when it exists already or in distributed mode.
    """
    if not ctx.settings.embedded:
        return None
    email = ctx.settings.demo_admin_email or DEMO_ADMIN_EMAIL
    async with ctx.transaction() as db:
        if await users_repo.get_user_by_email_key(db, email.casefold()) is not None:
            return None
    password = secrets.token_urlsafe(18)
    await create_admin(ctx, email=email, password=password, via="demo")
    return email, password


async def ensure_system_user(ctx: AuthContext, *, user_id: str, email: str, via: str) -> bool:
    """Embedded mode only: an account the platform itself acts as (the liquidity bot),
    with a verified address, the ``user`` role and a random password nobody is told: it
    never signs in; other services learn it from ``user.registered`` like any user.
    Idempotent by ``user_id``; returns whether it created the account."""
    if not ctx.settings.embedded:
        raise wrong_state("system users are created in embedded mode only", "EMBEDDED_ONLY")
    async with ctx.transaction() as db:
        if await users_repo.get_user(db, user_id) is not None:
            return False
        if await users_repo.get_user_by_email_key(db, email.casefold()) is not None:
            raise wrong_state("an account with this e-mail exists", "EMAIL_TAKEN")
    password_hash = await ctx.hasher.hash(secrets.token_urlsafe(32))
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        await users_repo.insert_user(
            db, user_id=user_id, email=email, password_hash=password_hash, now=now,
            roles=frozenset({USER}), verified=True,
        )  # fmt: skip
        payload = UserRegistered(user_id=user_id, email=email, created_at=now)
        await ctx.outbox.emit(db, payload, event_type=USER_REGISTERED)
        await audit_repo.add_audit(
            db, actor_id=None, action="system_user.created", target=user_id,
            details={"via": via}, ip=None, request_id=None, now=now,
        )  # fmt: skip
    _log.info("auth.system_user_created", user_id=user_id, via=via)
    return True


def rotate_signing_key(ctx: AuthContext) -> SigningKey:
    """Sign with a new key from now on; the old one stays published (JWKS) for verification.

    In-process only: persist the returned key (PEM) as the first entry of
    ``BURENCY_SIGNING_KEYS`` (``burency_auth.entrypoints.cli rotate-signing-key`` does
    the bookkeeping) and drop an old key only after ``access TTL`` has passed.
    """
    new_key = SigningKey.generate()
    ctx.keys.rotate(new_key)
    _log.info("auth.signing_key_rotated", kid=new_key.kid, published=list(ctx.keys.ring.kids))
    return new_key
