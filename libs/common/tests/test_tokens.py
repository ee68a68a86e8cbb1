"""JWT issue/verify: the happy path and every way a token must be refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.tokens import (
    KeyRing,
    SigningKey,
    TokenAlgorithmNotAllowed,
    TokenAudienceInvalid,
    TokenError,
    TokenExpired,
    TokenIssuerInvalid,
    TokenKeysUnavailable,
    TokenKeyUnknown,
    TokenMalformed,
    TokenNotYetValid,
    TokenRevoked,
    TokenSignatureInvalid,
    TokenType,
    TokenTypeInvalid,
    decode_unverified,
    issue_token,
    verify_token,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
ISS = "burency-auth"
AUD = "burency-api"
TTL = timedelta(minutes=15)

# --- helpers -------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact(header: dict[str, Any], payload: bytes, sign: Callable[[bytes], bytes]) -> str:
    """Build a compact JWS by hand so tests control every byte (no library guard rails)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload)}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sub": "user-1",
        "iss": ISS,
        "aud": AUD,
        "iat": TS,
        "nbf": TS,
        "exp": TS + 900,
        "jti": str(uuid.uuid4()),
        "typ": "access",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


def signed(key: SigningKey, payload: dict[str, Any] | bytes, **header: Any) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    hdr = {"alg": "EdDSA", "typ": "JWT", "kid": key.kid, **header}
    return compact({k: v for k, v in hdr.items() if v is not _DROP}, raw, key.private_key.sign)


def hs256(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda msg: hmac.new(secret, msg, hashlib.sha256).digest()


@pytest.fixture
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def ring(key: SigningKey) -> KeyRing:
    return KeyRing(key)


def issue(key: SigningKey | KeyRing, **overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "subject": "user-1",
        "token_type": TokenType.ACCESS,
        "issuer": ISS,
        "audience": AUD,
        "ttl": TTL,
        "now": NOW,
        "claims": {"roles": ["trader"], "sid": "s-1"},
    }
    kwargs.update(overrides)
    return issue_token(key, **kwargs)


def verify(token: str, ring: KeyRing, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "keys": ring,
        "issuer": ISS,
        "audience": AUD,
        "expected_type": TokenType.ACCESS,
        "now": NOW,
    }
    kwargs.update(overrides)
    return verify_token(token, **kwargs)


def rejects(exc: type[TokenError], code: str, token: str, ring: KeyRing, **kw: Any) -> None:
    with pytest.raises(exc) as info:
        verify(token, ring, **kw)
    assert type(info.value) is exc
    assert info.value.code == code
    assert token not in str(info.value)
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in str(info.value)


# --- happy path and issuing ----------------------------------------------------------


def test_round_trip(key: SigningKey, ring: KeyRing) -> None:
    token = issue(ring)
    verified = verify(token, ring)
    assert verified.subject == "user-1"
    assert verified.token_type is TokenType.ACCESS
    assert verified.kid == key.kid
    assert verified.issued_at == NOW
    assert verified.expires_at == NOW + TTL
    assert verified.claims["roles"] == ["trader"]
    assert verified.claims["sid"] == "s-1"
    assert uuid.UUID(verified.jti).version == 4
    header, payload = decode_unverified(token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": key.kid}
    assert payload["typ"] == "access"
    assert payload["nbf"] == payload["iat"] == TS
    assert set(payload) == {"sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ", "roles", "sid"}


def test_refresh_jwt_round_trip(ring: KeyRing) -> None:
    token = issue(ring, token_type=TokenType.REFRESH)
    assert verify(token, ring, expected_type=TokenType.REFRESH).token_type is TokenType.REFRESH


def test_jti_is_random(ring: KeyRing) -> None:
    assert len({verify(issue(ring), ring).jti for _ in range(20)}) == 20


def test_verify_accepts_mapping_and_callable(key: SigningKey) -> None:
    token = issue(key)
    kw: dict[str, Any] = {
        "issuer": ISS,
        "audience": AUD,
        "expected_type": TokenType.ACCESS,
        "now": NOW,
    }
    assert verify_token(token, keys={key.kid: key.public_key}, **kw).kid == key.kid
    assert verify_token(token, keys=lambda kid: key.public_key, **kw).kid == key.kid


@pytest.mark.parametrize("name", ["sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ"])
def test_reserved_claims_cannot_be_overridden(ring: KeyRing, name: str) -> None:
    with pytest.raises(ValueError, match="reserved"):
        issue(ring, claims={name: "evil"})


@pytest.mark.parametrize(
    "overrides",
    [
        {"now": datetime(2025, 3, 1, 12, 0)},  # naive
        {"ttl": timedelta(0)},
        {"ttl": timedelta(seconds=-5)},
        {"subject": ""},
        {"issuer": ""},
        {"audience": ""},
    ],
)
def test_issue_rejects_bad_arguments(ring: KeyRing, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        issue(ring, **overrides)


@pytest.mark.parametrize(
    "overrides",
    [{"now": datetime(2025, 3, 1, 12, 0)}, {"leeway": timedelta(seconds=-1)}, {"issuer": ""}],
)
def test_verify_rejects_bad_arguments(ring: KeyRing, overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must"):
        verify(issue(ring), ring, **overrides)


# --- algorithm confusion -------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", [b"", b"x"])
def test_alg_none_is_rejected(key: SigningKey, ring: KeyRing, alg: str, signature: bytes) -> None:
    token = compact(
        {"alg": alg, "typ": "JWT", "kid": key.kid},
        json.dumps(claims()).encode(),
        lambda _: signature,
    )
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


def _public_secrets(key: SigningKey) -> dict[str, bytes]:
    pub = key.public_key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {"raw": raw, "pem": pem, "x": key.public_jwk()["x"].encode()}


@pytest.mark.parametrize("form", ["raw", "pem", "x"])
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_signed_with_public_key_is_rejected(
    key: SigningKey, ring: KeyRing, form: str, alg: str
) -> None:
    # The classic confusion attack: the public key is public, so an attacker can
    # HMAC with it; a verifier that lets the header pick the algorithm accepts it.
    secret = _public_secrets(key)[form]
    token = compact(
        {"alg": alg, "typ": "JWT", "kid": key.kid}, json.dumps(claims()).encode(), hs256(secret)
    )
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256", "Ed25519", "eddsa", "", None, _DROP])
def test_other_or_missing_alg_is_rejected(key: SigningKey, ring: KeyRing, alg: Any) -> None:
    token = signed(key, claims(), alg=alg)
    rejects(TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED", token, ring)


# --- signature -----------------------------------------------------------------------


def test_tampered_payload(key: SigningKey, ring: KeyRing) -> None:
    header, payload, signature = issue(ring).split(".")
    data = json.loads(unb64(payload))
    data["roles"] = ["admin"]
    forged = f"{header}.{b64(json.dumps(data).encode())}.{signature}"
    rejects(TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", forged, ring)


def test_tampered_header_kid_to_other_published_key(key: SigningKey) -> None:
    other = SigningKey.generate()
    ring = KeyRing(key, [other])
    _, payload, signature = issue(ring).split(".")
    header = b64(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": other.kid}).encode())
    rejects(
        TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", f"{header}.{payload}.{signature}", ring
    )


@pytest.mark.parametrize("byte_index", [0, 31, 63])
def test_tampered_signature(ring: KeyRing, byte_index: int) -> None:
    header, payload, signature = issue(ring).split(".")
    sig = bytearray(unb64(signature))
    sig[byte_index] ^= 0x01
    rejects(
        TokenSignatureInvalid,
        "TOKEN_INVALID_SIGNATURE",
        f"{header}.{payload}.{b64(bytes(sig))}",
        ring,
    )


@pytest.mark.parametrize("length", [0, 32, 63, 65])
def test_wrong_length_signature(ring: KeyRing, length: int) -> None:
    header, payload, _ = issue(ring).split(".")
    rejects(
        TokenSignatureInvalid,
        "TOKEN_INVALID_SIGNATURE",
        f"{header}.{payload}.{b64(b'a' * length)}",
        ring,
    )


def test_signed_by_another_key_with_same_kid(key: SigningKey, ring: KeyRing) -> None:
    impostor = SigningKey(kid=key.kid, private_key=SigningKey.generate().private_key)
    rejects(TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE", issue(impostor), ring)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_single_character_change_is_rejected(data: st.DataObject) -> None:
    key = SigningKey.generate(kid="k1")
    ring = KeyRing(key)
    token = issue(key)
    index = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
    char = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[index]))
    with pytest.raises(TokenError):
        verify(token[:index] + char + token[index + 1 :], ring)


# --- claims --------------------------------------------------------------------------


def test_expired(ring: KeyRing) -> None:
    token = issue(ring)
    leeway = timedelta(seconds=30)
    assert verify(token, ring, now=NOW + TTL + leeway - timedelta(seconds=1))
    rejects(TokenExpired, "TOKEN_EXPIRED", token, ring, now=NOW + TTL + leeway)
    rejects(TokenExpired, "TOKEN_EXPIRED", token, ring, now=NOW + TTL, leeway=timedelta(0))


def test_not_yet_valid(key: SigningKey, ring: KeyRing) -> None:
    token = signed(key, claims(nbf=TS + 120))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)
    assert verify(token, ring, now=NOW + timedelta(seconds=90))  # within the 30 s leeway


def test_issued_in_the_future(key: SigningKey, ring: KeyRing) -> None:
    token = signed(key, claims(iat=TS + 120))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)
    assert verify(token, ring, now=NOW + timedelta(seconds=100))


def test_post_dated_token_from_issue(ring: KeyRing) -> None:
    token = issue(ring, now=NOW + timedelta(minutes=5))
    rejects(TokenNotYetValid, "TOKEN_NOT_YET_VALID", token, ring)


def test_wrong_audience(ring: KeyRing) -> None:
    rejects(TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", issue(ring, audience="other"), ring)
    rejects(TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", issue(ring), ring, audience="burency")


def test_audience_list(key: SigningKey, ring: KeyRing) -> None:
    assert verify(signed(key, claims(aud=["x", AUD])), ring)
    rejects(
        TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE", signed(key, claims(aud=["x", "y"])), ring
    )


@pytest.mark.parametrize("aud", [[], 1, None, [AUD, 3], {"a": AUD}])
def test_malformed_audience(key: SigningKey, ring: KeyRing, aud: Any) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(aud=aud)), ring)


def test_wrong_issuer(key: SigningKey, ring: KeyRing) -> None:
    rejects(TokenIssuerInvalid, "TOKEN_INVALID_ISSUER", issue(ring, issuer="evil-auth"), ring)
    rejects(TokenIssuerInvalid, "TOKEN_INVALID_ISSUER", signed(key, claims(iss=ISS + " ")), ring)


def test_refresh_presented_as_access(ring: KeyRing) -> None:
    token = issue(ring, token_type=TokenType.REFRESH)
    rejects(TokenTypeInvalid, "TOKEN_WRONG_TYPE", token, ring)


def test_access_presented_as_refresh(key: SigningKey, ring: KeyRing) -> None:
    rejects(
        TokenTypeInvalid, "TOKEN_WRONG_TYPE", issue(ring), ring, expected_type=TokenType.REFRESH
    )
    rejects(TokenTypeInvalid, "TOKEN_WRONG_TYPE", signed(key, claims(typ="id")), ring)


@pytest.mark.parametrize("name", ["sub", "iss", "aud", "iat", "nbf", "exp", "jti", "typ"])
def test_missing_required_claim(key: SigningKey, ring: KeyRing, name: str) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(**{name: _DROP})), ring)


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": "never"},
        {"exp": True},
        {"exp": -1},
        {"exp": 10**20},
        {"iat": None},
        {"nbf": [TS]},
        {"sub": 1},
        {"sub": ""},
        {"jti": None},
        {"typ": 1},
    ],
)
def test_ill_typed_claims(key: SigningKey, ring: KeyRing, overrides: dict[str, Any]) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(**overrides)), ring)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_exp_is_rejected(key: SigningKey, ring: KeyRing, constant: str) -> None:
    # NaN compares false with everything: a naive `now >= exp` check would pass it.
    body = json.dumps(claims(exp=0)).replace('"exp": 0', f'"exp": {constant}').encode()
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, body), ring)


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"str"', b"", b"\xff\xfe"])
def test_signed_non_object_payload(key: SigningKey, ring: KeyRing, body: bytes) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, body), ring)


# --- header and key id ---------------------------------------------------------------


def test_unknown_kid(key: SigningKey, ring: KeyRing) -> None:
    stranger = SigningKey.generate()
    with pytest.raises(TokenKeyUnknown) as info:
        verify(issue(stranger), ring)
    assert info.value.code == "TOKEN_UNKNOWN_KEY"
    assert info.value.kid == stranger.kid
    assert stranger.kid not in str(info.value)


def test_missing_kid(key: SigningKey, ring: KeyRing) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), kid=_DROP), ring)


@pytest.mark.parametrize("kid", [1, None, "", "a b", "x" * 200, "../../etc/passwd", ["k"]])
def test_malformed_kid(key: SigningKey, ring: KeyRing, kid: Any) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), kid=kid), ring)


def test_resolver_errors_pass_through(key: SigningKey) -> None:
    def resolver(kid: str) -> Ed25519PublicKey | None:
        raise TokenKeyUnknown(kid=kid)

    with pytest.raises(TokenKeyUnknown):
        verify(issue(key), KeyRing(key), keys=resolver)


@pytest.mark.parametrize(
    "header",
    [{"crit": ["exp"]}, {"b64": False, "crit": ["b64"]}, {"typ": "at+jwt"}, {"typ": 5}],
)
def test_unsupported_headers(key: SigningKey, ring: KeyRing, header: dict[str, Any]) -> None:
    rejects(TokenMalformed, "TOKEN_MALFORMED", signed(key, claims(), **header), ring)


def test_header_typ_may_be_absent(key: SigningKey, ring: KeyRing) -> None:
    assert verify(signed(key, claims(), typ=_DROP), ring)


# --- garbage -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        " ",
        "abc",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "...",
        "eyJ.eyJ.sig",
        "é.é.é",
        "\x00.\x00.\x00",
        b64(b"[]") + "." + b64(b"{}") + ".AA",
        b64(b'{"alg":"EdDSA"') + "." + b64(b"{}") + ".AA",
        "Bearer " + b64(b"{}") + ".e30.AA",
        "x" * 9000,
    ],
)
def test_garbage(ring: KeyRing, token: str) -> None:
    with pytest.raises(TokenMalformed) as info:
        verify(token, ring)
    assert info.value.code == "TOKEN_MALFORMED"


@pytest.mark.parametrize("token", [None, b"a.b.c", 42])
def test_non_string_token(ring: KeyRing, token: Any) -> None:
    with pytest.raises(TokenMalformed):
        verify(token, ring)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300)
    | st.from_regex(r"[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,90}")
)
def test_random_input_only_raises_token_errors(text: str) -> None:
    ring = KeyRing(SigningKey.generate(kid="k1"))
    with pytest.raises(TokenError):
        verify(text, ring)


def test_decode_unverified(key: SigningKey) -> None:
    header, payload = decode_unverified(signed(SigningKey.generate(kid=key.kid), claims()))
    assert header["kid"] == key.kid
    assert payload["sub"] == "user-1"
    for bad in ["", "a.b.c", "x" * 9000]:
        with pytest.raises(TokenMalformed):
            decode_unverified(bad)


# --- error tree ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (TokenMalformed, "TOKEN_MALFORMED"),
        (TokenSignatureInvalid, "TOKEN_INVALID_SIGNATURE"),
        (TokenAlgorithmNotAllowed, "TOKEN_ALGORITHM_NOT_ALLOWED"),
        (TokenExpired, "TOKEN_EXPIRED"),
        (TokenNotYetValid, "TOKEN_NOT_YET_VALID"),
        (TokenAudienceInvalid, "TOKEN_INVALID_AUDIENCE"),
        (TokenIssuerInvalid, "TOKEN_INVALID_ISSUER"),
        (TokenTypeInvalid, "TOKEN_WRONG_TYPE"),
        (TokenKeyUnknown, "TOKEN_UNKNOWN_KEY"),
        (TokenRevoked, "TOKEN_REVOKED"),
        (TokenKeysUnavailable, "TOKEN_KEYS_UNAVAILABLE"),
    ],
)
def test_error_codes(exc: type[TokenError], code: str) -> None:
    assert issubclass(exc, TokenError)
    assert exc.code == code
    assert exc().code == code
    assert str(exc())
