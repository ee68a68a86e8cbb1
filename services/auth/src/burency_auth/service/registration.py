"""Registration and e-mail verification.

Registration never tells the caller whether an address is already registered (that
would let anyone enumerate accounts): every syntactically valid request gets the
same ``202 Accepted`` body. A new address gets an account, a ``user.registered``
event, a welcome and a verify-e-mail notification; a known address gets an
``auth.register_attempt`` notification to its owner instead. Both paths hash the
password, so their timing matches too.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from burency_auth.adapters import one_time_repo, users_repo
from burency_auth.domain.errors import invalid_field, one_time_token_error
from burency_auth.domain.onetime import EMAIL_VERIFICATION, hash_secret, new_secret
from burency_auth.service.context import AuthContext
from burency_common.events import USER_REGISTERED, UserRegistered
from burency_common.ids import new_id
from burency_common.validators import InvalidValue, canonical_email, validate_password

__all__ = ["issue_email_token", "register", "resend_verification", "verify_email"]


def _valid_credentials(email: str, password: str) -> tuple[str, str]:
    """The canonical address (one spelling per account: ``canonical_email``) and password.

    A look-alike of an existing address either becomes that address here (and gets the
    existing-address answer) or is refused with ``EMAIL_NOT_ALLOWED`` whoever holds it.
    """
    try:
        email = canonical_email(email).address
    except InvalidValue as exc:
        raise invalid_field("email", exc.code, exc.message) from None
    try:
        password = validate_password(password, user_inputs=[email])
    except InvalidValue as exc:
        raise invalid_field("password", exc.code, exc.message) from None
    return email, password


async def register(
    ctx: AuthContext, *, email: str, password: str, referral_code: str | None = None
) -> None:
    """Create the account (or notify the owner of an existing one); same outcome to the caller."""
    email, password = _valid_credentials(email, password)
    password_hash = await ctx.hasher.hash(password)
    try:
        await _register(ctx, email=email, password_hash=password_hash, referral_code=referral_code)
    except IntegrityError:
        return  # a concurrent registration of the same address won: same answer


async def _register(
    ctx: AuthContext, *, email: str, password_hash: str, referral_code: str | None
) -> None:
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        existing = await users_repo.get_user_by_email_key(db, email.casefold())
        if existing is not None:
            await ctx.outbox.notify(db, user_id=existing.id, event="auth.register_attempt", data={})
            return
        user_id = new_id()
        await users_repo.insert_user(
            db,
            user_id=user_id,
            email=email,
            password_hash=password_hash,
            now=now,
            roles=frozenset({"user"}),
            referral_code=referral_code,
        )
        token = await issue_email_token(ctx, db, user_id=user_id)
        registered = UserRegistered(
            user_id=user_id, email=email, created_at=now, referral_code=referral_code
        )
        await ctx.outbox.emit(db, registered, event_type=USER_REGISTERED)
        await ctx.outbox.notify(db, user_id=user_id, event="auth.welcome", data={})
        await _notify_verification(ctx, db, user_id=user_id, token=token)


async def _notify_verification(
    ctx: AuthContext, db: AsyncSession, *, user_id: str, token: str
) -> None:
    # the link is the secret: only the e-mail channel renders it (catalogue ``secrets``);
    # nothing else is sent, so no second copy of the token can travel under another name
    await ctx.outbox.notify(
        db,
        user_id=user_id,
        event="auth.verify_email",
        data={"url": _link(ctx, "verify-email", token)},
    )


async def issue_email_token(ctx: AuthContext, db: AsyncSession, *, user_id: str) -> str:
    """A one-time verification token; only its SHA-256 is stored."""

    token = new_secret()
    await one_time_repo.insert_one_time(
        db,
        token_hash=hash_secret(token),
        user_id=user_id,
        purpose=EMAIL_VERIFICATION,
        now=ctx.clock.now(),
        ttl=timedelta(seconds=ctx.settings.email_token_ttl_seconds),
    )
    return token


def _link(ctx: AuthContext, page: str, token: str) -> str:
    return f"{ctx.settings.public_base_url.rstrip('/')}/{page}?token={token}"


async def verify_email(ctx: AuthContext, *, token: str) -> None:
    """Mark the address verified; the token works once and for 24 hours."""
    now = ctx.clock.now()
    token_hash = hash_secret(token)
    async with ctx.transaction() as db:
        record = await one_time_repo.get_one_time(db, token_hash, EMAIL_VERIFICATION)
        if record is None:
            raise one_time_token_error("INVALID_TOKEN")
        if record.used_at is not None:
            raise one_time_token_error("TOKEN_ALREADY_USED")
        if now >= record.expires_at:
            raise one_time_token_error("ONE_TIME_TOKEN_EXPIRED")
        if not await one_time_repo.claim_one_time(db, token_hash, now=now):
            raise one_time_token_error("TOKEN_ALREADY_USED")
        await users_repo.update_user(db, record.user_id, email_verified_at=now)


async def resend_verification(ctx: AuthContext, *, email: str) -> None:
    """Send a fresh verification link to an unverified, active account; silent otherwise."""
    async with ctx.transaction() as db:
        user = await users_repo.get_user_by_email_key(db, email.strip().casefold())
        if user is None or user.email_verified_at is not None or user.disabled_at is not None:
            return
        await one_time_repo.expire_one_time(db, user.id, EMAIL_VERIFICATION, now=ctx.clock.now())
        token = await issue_email_token(ctx, db, user_id=user.id)
        await _notify_verification(ctx, db, user_id=user.id, token=token)
