"""Events published by the auth service about credentials (``auth.tokens.revoked``).

Access tokens are stateless JWTs: once issued they stay valid until ``exp`` unless
every verifier learns that they were revoked. The auth service publishes
``auth.tokens.revoked`` on logout, "log out everywhere", password change or an
operator's action; each gateway applies it to its revocation store.

One event may revoke any combination of:

* ``jti`` - one access token;
* ``session_id`` - every access token of one login session (``sid`` claim);
* ``issued_before`` - every access token of ``user_id`` issued strictly before that
  instant, compared exactly (microseconds: the token's ``iat_us`` claim, from the same
  auth clock that set ``issued_before``; see the gateway's revocation store).

``expires_at`` is how long the revocation must be remembered: the moment the last
affected access token expires anyway (for a session or a user, "now + the access
token TTL"). After it, keeping the entry would only cost memory.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field, model_validator

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = ["AUTH_TOKENS_REVOKED", "TokensRevoked", "register_auth_events"]

AUTH_TOKENS_REVOKED = "auth.tokens.revoked"


class TokensRevoked(EventPayload):
    """Access tokens of ``user_id`` that must be refused from now on (v1)."""

    user_id: str = Field(min_length=1, max_length=200)
    jti: str | None = Field(default=None, min_length=1, max_length=200)
    session_id: str | None = Field(default=None, min_length=1, max_length=200)
    issued_before: AwareDatetime | None = None
    expires_at: AwareDatetime = Field(
        description="when the last affected access token expires; the revocation is kept until"
    )
    reason: str | None = Field(default=None, max_length=100, description="for audit only")

    @model_validator(mode="after")
    def _revokes_something(self) -> TokensRevoked:
        if self.jti is None and self.session_id is None and self.issued_before is None:
            raise ValueError("one of jti, session_id or issued_before is required")
        return self


def register_auth_events(registry: EventRegistry) -> None:
    """Register the auth service's credential events (keyed by ``user_id``)."""
    registry.register(
        EventSchema(
            AUTH_TOKENS_REVOKED,
            1,
            TokensRevoked,
            "user_id",
            "access tokens were revoked (by token, session or issue time)",
        )
    )
