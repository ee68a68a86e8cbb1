"""The gateway checks the path the service receives, over a raw socket to a real uvicorn.

httpx removes ``..`` segments before sending, so every request here is written to the
socket byte for byte (:func:`burency_testing.raw_http.raw_request`). Each path
is either refused (400 ``AMBIGUOUS_PATH``) or treated exactly as its canonical form:
route rule, rate class and API-key scope are decided on the string the upstream then
receives. Both upstream kinds are covered: embedded (ASGI, through httpx) and HTTP
(through aiohttp).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from burency_common.apikeys import new_api_key, sign
from burency_common.timeutil import to_epoch_ms, utc_now

from .upstreams.fake_auth import Key, auth_app
from .upstreams.path_probe import SECRET, Served, bearer, clean_settings, serve


@pytest.fixture(scope="module", params=["embedded", "http"])
def shared(request: pytest.FixtureRequest) -> Iterator[Served]:
    """One served gateway per upstream kind for the tests that keep no state in it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield from serve(clean_settings(monkeypatch), request.param)


@pytest.fixture
def gw(shared: Served) -> Served:
    return shared


@pytest.fixture(params=["embedded", "http"])
def fresh(request: pytest.FixtureRequest, settings_factory: Any) -> Iterator[Served]:
    """A gateway of its own, for tests that spend rate-limit budgets."""
    yield from serve(settings_factory, request.param)


CANONICAL = [
    # (raw target, the path the service must receive and the checks must have seen)
    (b"/api/banking/v1/x/../transfers/internal", "/v1/transfers/internal"),
    (b"/api/banking/v1/x/%2e%2E/transfers/internal", "/v1/transfers/internal"),
    (b"/api/banking/v1/x/.%2e/transfers/./internal", "/v1/transfers/internal"),
    (b"/api/banking//v1///transfers/internal", "/v1/transfers/internal"),
    (b"//api/banking/v1/transfers/internal", "/v1/transfers/internal"),
    (b"/api/%62anking/v1/%74ransfers/internal", "/v1/transfers/internal"),
    (b"/api/banking/v1/a%3bb/%c3%a9", "/v1/a%3Bb/%C3%A9"),
    (b"/api/banking/v1/a%3Bb/%C3%A9", "/v1/a%3Bb/%C3%A9"),
    (b"/api/banking/v1/%7e%41/", "/v1/~A/"),
]


@pytest.mark.parametrize(("target", "upstream"), CANONICAL)
def test_a_path_is_checked_and_forwarded_in_its_one_canonical_form(
    gw: Served, target: bytes, upstream: str
) -> None:
    response = gw.send("GET", target, headers=bearer())
    assert response.status == 200, response.body
    canonical = "/api/banking" + upstream
    assert [path for path, _ in gw.probe.matched] == [canonical]
    assert gw.probe.authenticated == [canonical]
    assert [s.raw_path for s in gw.seen] == [upstream.encode()]
    assert json.loads(response.body)["rawPath"] == upstream


AMBIGUOUS = [
    b"/api/banking/v1/transfers%2Finternal",
    b"/api/banking/v1/transfers%2finternal",
    b"/api/banking/v1/transfers%5Cinternal",
    b"/api/banking/v1/transfers\\internal",
    b"/api/banking/v1/transfers/internal%00",
    b"/api/banking/v1/%0d%0aX-Injected:%201",
    b"/api/users/v1/x/../../../banking/v1/transfers/internal",
    b"/api/users/%2e%2e/banking/v1/transfers/internal",
    b"/api/banking/..",
    b"/../api/banking/v1/accounts",
    b"/api/banking/v1/%ff",
    b"/api/banking/v1/%zz",
]


@pytest.mark.parametrize("target", AMBIGUOUS)
def test_an_ambiguous_path_is_refused_before_any_check(gw: Served, target: bytes) -> None:
    response = gw.send("POST", target, headers=bearer())
    assert response.status == 400, response.body
    assert response.headers["content-type"].startswith("application/problem+json")
    assert json.loads(response.body)["code"] == "AMBIGUOUS_PATH"
    assert (gw.probe.matched, gw.seen) == ([], [])


def test_the_h11_server_gives_the_same_answers(settings_factory: Any) -> None:
    """uvicorn's other HTTP parser keeps ``raw_path`` the same way (default: httptools)."""
    for gw in serve(settings_factory, "embedded", server="h11"):
        for target, upstream in CANONICAL:
            response = gw.send("GET", target, headers=bearer())
            assert response.status == 200, (target, response.body)
            assert [s.raw_path for s in gw.seen] == [upstream.encode()]
        for target in AMBIGUOUS:
            response = gw.send("GET", target, headers=bearer())
            assert response.status == 400, (target, response.body)
            assert gw.seen == []


@pytest.mark.parametrize(
    "target",
    [
        b"/api/banking/v1/x/../../internal/v1/ping",
        b"/api/banking/%69nternal/v1/ping",
        b"/api/banking/v1/%2e%2e/v1/admin/users",
        b"/api/users//v1/admin/users",
    ],
)
def test_internal_and_staff_routes_stay_closed_whatever_the_spelling(
    gw: Served, target: bytes
) -> None:
    response = gw.send("GET", target, headers=bearer("user"))
    assert response.status == 403, response.body
    assert gw.seen == []


def test_login_limit_counts_dot_segment_spellings(fresh: Served) -> None:
    gw = fresh
    for _ in range(2):
        assert gw.send("POST", b"/api/auth/v1/login").status == 200
    response = gw.send("POST", b"/api/auth/v1/x/../login")
    assert response.status == 429, response.body
    assert gw.probe.rate_classes == ["login"]
    assert gw.send("POST", b"/api/auth//v1/%6cogin").status == 429


def test_refresh_and_email_verification_have_their_own_rate_classes(fresh: Served) -> None:
    """Refreshing more often than the login limit allows is not refused, nor does it
    spend the login budget; the same for e-mail verification."""
    gw = fresh
    for target, rate_class in [
        (b"/api/auth/v1/token/refresh", "token_refresh"),
        (b"/api/auth/v1/email-verification", "email_verification"),
        (b"/api/auth/v1/email-verification/resend", "email_verification"),
    ]:
        for _ in range(3):  # the login class allows 2 a minute here
            response = gw.send("POST", target)
            assert response.status == 200, (target, response.body)
            assert gw.probe.rate_classes == [rate_class]
    assert gw.send("POST", b"/api/auth/v1/login").status == 200


def test_authenticated_responses_are_not_stored_by_caches(gw: Served) -> None:
    private = gw.send("GET", b"/api/users/v1/me", headers=bearer())
    assert private.headers["cache-control"] == "no-store"
    public = gw.send("GET", b"/api/trading/v1/markets")
    assert "cache-control" not in public.headers
    chosen = gw.send("GET", b"/api/files/v1/objects/cacheable", headers=bearer())
    assert chosen.headers["cache-control"] == "public, max-age=60"  # the service decided


@pytest.fixture(params=["embedded", "http"])
def keyed(request: pytest.FixtureRequest, settings_factory: Any) -> Iterator[Any]:
    (trade_id, trade_secret), (all_id, all_secret) = new_api_key(), new_api_key()
    keys = {
        trade_id: Key(trade_secret, "bot-1", ("read", "trade")),
        all_id: Key(all_secret, "bot-2", ("read", "trade", "withdraw")),
    }
    auth = auth_app(keys, identity_secret=SECRET)
    for served in serve(settings_factory, request.param, overrides={"auth": auth}):
        yield served, (trade_id, trade_secret), (all_id, all_secret)


def _signed(key: tuple[str, str], body: bytes) -> tuple[bytes, dict[str, str]]:
    key_id, secret = key
    query = f"timestamp={to_epoch_ms(utc_now())}&recvWindow=5000"
    signed = f"{query}&signature={sign(secret, query, body)}"
    headers = {"X-BURENCY-APIKEY": key_id, "Content-Type": "application/json"}
    return signed.encode(), headers


@pytest.mark.parametrize(
    "path",
    [
        b"/api/banking/v1/x/../transfers/internal",
        b"/api/banking/v1/x/%2E%2e/transfers/internal",
        b"/api/banking/v1/transfers/./internal",
        b"/api/banking/v1//transfers/%69nternal",
        b"/api/banking/v1/withdrawals/../withdrawals",
    ],
)
def test_a_trade_key_cannot_reach_money_out_routes_by_another_spelling(
    keyed: Any, path: bytes
) -> None:
    gw, trade, everything = keyed
    body = b'{"toEmail":"mallory@example.com","asset":"AED","amount":"100"}'
    query, headers = _signed(trade, body)
    response = gw.send("POST", path + b"?" + query, headers=headers, body=body)
    assert response.status == 403, response.body
    assert json.loads(response.body)["code"] == "API_KEY_SCOPE_MISSING"
    assert gw.seen == []
    query, headers = _signed(everything, body)
    allowed = gw.send("POST", path + b"?" + query, headers=headers, body=body)
    assert allowed.status == 200, allowed.body
    assert [s.raw_path for s in gw.seen] == [
        gw.probe.authenticated[0][len("/api/banking") :].encode()
    ]
