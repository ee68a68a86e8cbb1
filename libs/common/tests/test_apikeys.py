"""API-key request signing: round trip, every tampering refused, clock window, IP lists, scopes."""

from __future__ import annotations

import hashlib
import hmac
import string
from urllib.parse import unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from burency_common.apikeys import (
    API_KEY_ERROR_CODES,
    DEFAULT_RECV_WINDOW_MS,
    SCOPES,
    SignedRequest,
    api_key_error,
    check_timestamp,
    ip_allowed,
    is_valid_key_id,
    new_api_key,
    normalize_allow_list,
    parse_signed_request,
    scope_for,
    sign,
    verify_signed_request,
)
from burency_common.errors import BadRequest, BurencyError, PermissionDenied, Unauthenticated

SECRET = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"
NOW = 1_764_160_000_000
BODY = b'{"symbol":"BTC-USDT","side":"buy","qty":"0.5"}'


def signed_query(query: str, body: bytes = b"", secret: str = SECRET) -> str:
    return f"{query}&signature={sign(secret, query, body)}"


def refused(query: str, body: bytes = b"", *, now: int = NOW) -> BurencyError:
    with pytest.raises(BurencyError) as excinfo:
        verify_signed_request(SECRET, parse_signed_request(query, body), now_ms=now)
    return excinfo.value


# -- sign / verify -------------------------------------------------------------------------


def test_sign_is_hmac_sha256_hex_over_query_then_body() -> None:
    query = f"symbol=BTC-USDT&timestamp={NOW}"
    expected = hmac.new(SECRET.encode(), query.encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, query, BODY) == expected
    assert sign(SECRET.encode(), query, BODY) == expected


def test_round_trip_with_body_and_recv_window() -> None:
    query = f"symbol=BTC-USDT&recvWindow=10000&timestamp={NOW}"
    signed = parse_signed_request(signed_query(query, BODY), BODY)
    assert signed.payload == query.encode() + BODY
    assert signed.timestamp_ms == NOW
    assert signed.recv_window_ms == 10000
    verify_signed_request(SECRET, signed, now_ms=NOW + 9000)


def test_recv_window_defaults_to_5000() -> None:
    signed = parse_signed_request(signed_query(f"timestamp={NOW}"), b"")
    assert signed.recv_window_ms == DEFAULT_RECV_WINDOW_MS == 5000


def test_signature_alone_lacks_a_timestamp() -> None:
    assert code_of_parse("signature=" + "0" * 64) == "API_KEY_TIMESTAMP_MISSING"


def test_signature_is_kept_out_of_repr() -> None:
    signed = parse_signed_request(signed_query(f"timestamp={NOW}"), b"")
    assert signed.signature not in repr(signed)


@pytest.mark.parametrize(
    ("query", "body"),
    [
        (f"symbol=ETH-USDT&timestamp={NOW}", BODY),  # changed parameter value
        (f"symbol=BTC-USDT&timestamp={NOW}&extra=1", BODY),  # added parameter
        (f"timestamp={NOW}&symbol=BTC-USDT", BODY),  # reordered parameters
        (f"symbol=BTC-USDT&timestamp={NOW - 1}", BODY),  # changed timestamp
        (f"symbol=BTC-USDT&timestamp={NOW}", BODY.replace(b"0.5", b"5.0")),  # changed body
        (f"symbol=BTC-USDT&timestamp={NOW}", b""),  # dropped body
    ],
)
def test_any_change_invalidates_the_signature(query: str, body: bytes) -> None:
    original = f"symbol=BTC-USDT&timestamp={NOW}"
    signature = sign(SECRET, original, BODY)
    error = refused(f"{query}&signature={signature}", body)
    assert isinstance(error, Unauthenticated)
    assert error.code == "API_KEY_SIGNATURE_INVALID"


def test_wrong_secret_is_invalid() -> None:
    query = signed_query(f"timestamp={NOW}", secret="another-secret")
    assert refused(query).code == "API_KEY_SIGNATURE_INVALID"


def test_query_and_body_are_concatenated_without_separator() -> None:
    """Binance's rule, documented: the MAC covers totalParams, not where the split lies."""
    query = f"timestamp={NOW}&a=1"
    signature = sign(SECRET, query, b"&b=2")
    signed = parse_signed_request(f"{query}&b=2&signature={signature}", b"")
    verify_signed_request(SECRET, signed, now_ms=NOW)


# -- strict parsing -------------------------------------------------------------------------


def code_of_parse(query: str, body: bytes = b"") -> str:
    with pytest.raises(BurencyError) as excinfo:
        parse_signed_request(query, body)
    return excinfo.value.code


@pytest.mark.parametrize("query", ["", f"timestamp={NOW}", f"timestamp={NOW}&sig=abc"])
def test_missing_signature(query: str) -> None:
    assert code_of_parse(query) == "API_KEY_SIGNATURE_MISSING"


def test_signature_not_last_is_invalid() -> None:
    query = f"timestamp={NOW}"
    sig = sign(SECRET, query)
    assert code_of_parse(f"signature={sig}&{query}") == "API_KEY_SIGNATURE_INVALID"
    assert code_of_parse(f"{query}&signature={sig}&") == "API_KEY_SIGNATURE_INVALID"


def test_signature_twice_is_invalid_even_percent_encoded() -> None:
    query = f"timestamp={NOW}"
    sig = sign(SECRET, query)
    assert code_of_parse(f"{query}&signature={sig}&signature={sig}") == "API_KEY_SIGNATURE_INVALID"
    assert code_of_parse(f"{query}&%73ignature={sig}&signature={sig}") == (
        "API_KEY_SIGNATURE_INVALID"
    )


@pytest.mark.parametrize(
    "signature", ["", "abc", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "0" * 63 + "٠"]
)
def test_signature_must_be_64_lowercase_hex(signature: str) -> None:
    assert code_of_parse(f"timestamp={NOW}&signature={signature}") == "API_KEY_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    "timestamp",
    ["", "-1", "+1", "1.5", "1e3", " 1", "0x10", "1" * 16, "١٧٦٤١٦٠٠٠٠٠٠٠", "１７６４", "%31"],
)
def test_timestamp_must_be_ascii_digits(timestamp: str) -> None:
    assert code_of_parse(f"timestamp={timestamp}&signature={'0' * 64}") == (
        "API_KEY_TIMESTAMP_INVALID"
    )


def test_timestamp_twice_is_invalid_even_percent_encoded() -> None:
    for second in ("timestamp", "time%73tamp"):
        query = f"timestamp={NOW}&{second}={NOW}&signature={'0' * 64}"
        assert code_of_parse(query) == "API_KEY_TIMESTAMP_INVALID"


def test_timestamp_missing() -> None:
    assert code_of_parse(f"recvWindow=5000&signature={'0' * 64}") == "API_KEY_TIMESTAMP_MISSING"


@pytest.mark.parametrize("window", ["0", "60001", "99999999", "-5", "5e3", "٥٠٠٠", ""])
def test_recv_window_out_of_bounds_is_400(window: str) -> None:
    with pytest.raises(BadRequest) as excinfo:
        parse_signed_request(f"timestamp={NOW}&recvWindow={window}&signature={'0' * 64}", b"")
    assert excinfo.value.status == 400
    assert excinfo.value.code == "API_KEY_RECV_WINDOW_INVALID"


@pytest.mark.parametrize("window", ["1", "60000"])
def test_recv_window_bounds_are_inclusive(window: str) -> None:
    parse_signed_request(f"timestamp={NOW}&recvWindow={window}&signature={'0' * 64}", b"")


def test_recv_window_twice_is_invalid() -> None:
    query = f"timestamp={NOW}&recvWindow=1&recvWindow=60000&signature={'0' * 64}"
    assert code_of_parse(query) == "API_KEY_RECV_WINDOW_INVALID"


def test_non_ascii_query_is_refused() -> None:
    assert code_of_parse(f"timestamp={NOW}&note=é&signature={'0' * 64}") == (
        "API_KEY_SIGNATURE_INVALID"
    )
    with pytest.raises(ValueError, match="ASCII"):
        sign(SECRET, "note=é")


def test_signed_request_validates_its_fields() -> None:
    good = {"payload": b"x", "signature": "0" * 64, "timestamp_ms": NOW, "recv_window_ms": 5000}
    SignedRequest(**good)  # type: ignore[arg-type]
    for name, value, code in [
        ("signature", "nothex", "API_KEY_SIGNATURE_INVALID"),
        ("timestamp_ms", True, "API_KEY_TIMESTAMP_INVALID"),
        ("timestamp_ms", -1, "API_KEY_TIMESTAMP_INVALID"),
        ("recv_window_ms", 0, "API_KEY_RECV_WINDOW_INVALID"),
        ("recv_window_ms", 60001, "API_KEY_RECV_WINDOW_INVALID"),
    ]:
        with pytest.raises(BurencyError) as excinfo:
            SignedRequest(**{**good, name: value})  # type: ignore[arg-type]
        assert excinfo.value.code == code
    with pytest.raises(TypeError):
        SignedRequest(**{**good, "payload": "str"})  # type: ignore[arg-type]


# -- clock window ---------------------------------------------------------------------------


def at(timestamp: int, window: int = 5000) -> SignedRequest:
    return SignedRequest(b"", "0" * 64, timestamp, window)


@pytest.mark.parametrize(
    ("timestamp", "window", "ok"),
    [
        (NOW, 5000, True),
        (NOW - 5000, 5000, True),  # exactly recvWindow old
        (NOW - 5001, 5000, False),  # too old
        (NOW - 59_000, 60_000, True),
        (NOW + 999, 5000, True),  # up to 1 s ahead (clock skew)
        (NOW + 1000, 5000, False),  # too far in the future
        (NOW + 86_400_000, 60_000, False),
    ],
)
def test_timestamp_window(timestamp: int, window: int, ok: bool) -> None:
    if ok:
        check_timestamp(at(timestamp, window), now_ms=NOW)
        return
    with pytest.raises(Unauthenticated) as excinfo:
        check_timestamp(at(timestamp, window), now_ms=NOW)
    assert excinfo.value.code == "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW"


def test_stale_request_with_valid_signature_is_refused() -> None:
    query = signed_query(f"timestamp={NOW}")
    assert refused(query, now=NOW + 5001).code == "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW"
    assert refused(query, now=NOW - 1000).code == "API_KEY_TIMESTAMP_OUTSIDE_RECV_WINDOW"


# -- errors, keys, IPs, scopes --------------------------------------------------------------


def test_error_classes_and_statuses() -> None:
    expected = {
        "API_KEY_RECV_WINDOW_INVALID": 400,
        "API_KEY_IP_NOT_ALLOWED": 403,
        "API_KEY_SCOPE_MISSING": 403,
    }
    for code in API_KEY_ERROR_CODES:
        error = api_key_error(code)
        assert error.code == code
        assert error.status == expected.get(code, 401)
    assert isinstance(api_key_error("API_KEY_IP_NOT_ALLOWED"), PermissionDenied)
    assert api_key_error("API_KEY_UNKNOWN").headers["WWW-Authenticate"].startswith("ApiKey")


def test_new_api_key_is_random_and_well_formed() -> None:
    key_id, secret = new_api_key()
    other_id, other_secret = new_api_key()
    assert is_valid_key_id(key_id)
    assert len(key_id) >= 32
    assert len(secret) >= 43
    assert key_id != other_id
    assert secret != other_secret
    assert key_id != secret


@pytest.mark.parametrize("key_id", ["", "short", "a" * 129, "a" * 31 + "!", "a" * 40 + " "])
def test_key_id_shape(key_id: str) -> None:
    assert not is_valid_key_id(key_id)


@pytest.mark.parametrize(
    ("ip", "allow", "ok"),
    [
        ("203.0.113.7", [], True),  # empty list = any address
        (None, [], True),
        ("203.0.113.7", ["203.0.113.7"], True),
        ("203.0.113.8", ["203.0.113.7"], False),
        ("203.0.113.8", ["203.0.113.0/24"], True),
        ("203.0.114.1", ["203.0.113.0/24"], False),
        ("::ffff:203.0.113.9", ["203.0.113.0/24"], True),  # IPv4-mapped from a dual-stack socket
        ("2001:db8::1", ["2001:db8::/32"], True),
        ("2001:db9::1", ["2001:db8::/32"], False),
        ("2001:db8::1", ["203.0.113.0/24"], False),  # version mismatch never matches
        ("203.0.113.7", ["::/0"], False),
        ("not-an-ip", ["0.0.0.0/0"], False),
        (None, ["0.0.0.0/0"], False),  # unknown address: fail closed
        ("203.0.113.7", ["garbage", "203.0.113.7"], True),  # bad entry skipped
        ("203.0.113.7", ["garbage"], False),  # ... but never turns into "any"
        (" 203.0.113.7 ", [" 203.0.113.0/24 "], True),
    ],
)
def test_ip_allowed(ip: str | None, allow: list[str], ok: bool) -> None:
    assert ip_allowed(ip, allow) is ok


def test_normalize_allow_list() -> None:
    assert normalize_allow_list(["203.0.113.7", "2001:DB8::/32", "203.0.113.7/32"]) == (
        "203.0.113.7/32",
        "2001:db8::/32",
    )
    with pytest.raises(ValueError, match=r"10\.0\.0\.1/8"):
        normalize_allow_list(["10.0.0.1/8"])
    with pytest.raises(ValueError, match="nope"):
        normalize_allow_list(["nope"])


@pytest.mark.parametrize(
    ("method", "scope"),
    [("GET", "read"), ("head", "read"), ("POST", "trade"), ("DELETE", "trade"), ("PUT", "trade")],
)
def test_scope_for(method: str, scope: str) -> None:
    assert scope_for(method) == scope
    assert scope in SCOPES


# -- properties -----------------------------------------------------------------------------

_QUERY_CHARS = string.ascii_letters + string.digits + "-._~%=+,"


def _no_reserved(params: str) -> bool:
    names = {unquote_plus(p.partition("=")[0]) for p in params.split("&")}
    return not names & {"signature", "timestamp", "recvWindow"}


queries = (
    st.lists(
        st.tuples(
            st.text(_QUERY_CHARS, min_size=1, max_size=12), st.text(_QUERY_CHARS, max_size=24)
        ),
        max_size=6,
    )
    .map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))
    .filter(_no_reserved)
)


def _query_with_timestamp(params: str, timestamp: int) -> str:
    return f"{params}&timestamp={timestamp}" if params else f"timestamp={timestamp}"


@settings(max_examples=200, deadline=None)
@given(params=queries, body=st.binary(max_size=256), secret=st.binary(min_size=1, max_size=64))
def test_property_round_trip(params: str, body: bytes, secret: bytes) -> None:
    query = _query_with_timestamp(params, NOW)
    signed = parse_signed_request(f"{query}&signature={sign(secret, query, body)}", body)
    assert signed.payload == query.encode() + body
    verify_signed_request(secret, signed, now_ms=NOW)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), params=queries, body=st.binary(max_size=256))
def test_property_any_single_byte_change_fails(
    data: st.DataObject, params: str, body: bytes
) -> None:
    query = _query_with_timestamp(params, NOW)
    good = parse_signed_request(f"{query}&signature={sign(SECRET, query, body)}", body)
    position = data.draw(st.integers(0, len(good.payload) - 1), label="position")
    delta = data.draw(st.integers(1, 255), label="delta")
    tampered = bytearray(good.payload)
    tampered[position] = (tampered[position] + delta) % 256
    forged = SignedRequest(bytes(tampered), good.signature, good.timestamp_ms, good.recv_window_ms)
    with pytest.raises(Unauthenticated) as excinfo:
        verify_signed_request(SECRET, forged, now_ms=NOW)
    assert excinfo.value.code == "API_KEY_SIGNATURE_INVALID"
