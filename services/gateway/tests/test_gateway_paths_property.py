"""Property: whatever spelling of a route's path a client sends, the gateway either
refuses it (400 ``AMBIGUOUS_PATH``) or the upstream receives exactly the path that
every check (route rule, access, rate class, API-key scope lookup) was made on.

For every rule of :func:`default_route_table`, Hypothesis builds a concrete path and
then a variant of it: dot segments (``x/..``, ``.``, ``%2e`` spellings), characters
percent-encoded in either hex case, doubled slashes, and now and then an encoded ``/``
or a ``..`` that climbs out of ``/api/<service>``. Each variant goes over a raw socket
to a uvicorn-served gateway whose checks are recorded (:class:`path_probe.Probe`),
in front of echo upstreams that record what they received; embedded and HTTP.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from burency_gateway.app import MONEY_OUT_SCOPES
from burency_gateway.canonical import canonical_path
from burency_gateway.routes import ServiceRoute, default_route_table
from burency_gateway.security import path_scopes
from burency_gateway.security.authn import AuthRequest

from .upstreams.path_probe import Served, bearer, clean_settings, serve

TABLE = default_route_table()
API_KEY_SCOPE = path_scopes(MONEY_OUT_SCOPES)
RULES = [(service, rule) for service in TABLE.services for rule in service.rules]
# Characters a rule's ``*`` may stand for; those in MUST_ENCODE are always sent encoded
# ("?" and "#" would end the path, a space the request line).
MUST_ENCODE = '?# "<>^`{|}'
FILL = "abcXYZ019-._~!$&'()*+,;=:@%/é" + MUST_ENCODE
UNLIMITED = " ".join(
    f"{name}=100000/minute"
    for name in (
        "default",
        "login",
        "token_refresh",
        "email_verification",
        "register",
        "password_reset",
        "orders",
        "admin",
    )
)


@pytest.fixture(scope="module", params=["embedded", "http"])
def unlimited(request: pytest.FixtureRequest) -> Iterator[tuple[Served, str]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for served in serve(clean_settings(monkeypatch), request.param, rate_limits=UNLIMITED):
            yield served, request.param


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCHAR = _UNRESERVED | frozenset("!$&'()*+,;=:@%")


def _escape(char: str, upper: bool) -> str:
    return "".join(f"%{b:02X}" if upper else f"%{b:02x}" for b in char.encode())


@st.composite
def _spelled(draw: st.DrawFn, segment: str) -> tuple[str, str]:
    """``segment`` with some characters percent-encoded in either hex case, and the
    spelling the canonical form must have: an unreserved character decoded, any other
    escape in upper case, a raw character outside ``pchar`` encoded (RFC 3986 §6.2.2)."""
    sent, expected = [], []
    for char in segment:
        encoded = char in MUST_ENCODE or (char != "%" and draw(st.integers(0, 3)) == 0)
        sent.append(_escape(char, draw(st.booleans())) if encoded else char)
        same_decoded = char in _UNRESERVED or (char in _PCHAR and not encoded)
        expected.append(char if same_decoded else _escape(char, upper=True))
    return "".join(sent), "".join(expected)


_STILL = st.sampled_from([[], [""], ["."], ["%2E"]])
_DETOURS = st.sampled_from(
    [
        [],
        [""],  # a doubled slash
        ["."],
        ["%2e"],
        ["x", ".."],
        ["x", "%2E%2e"],
        ["%78", ".%2e", "."],
        ["a", "b", "..", ".."],
    ]
)


@st.composite
def variants(draw: st.DrawFn) -> tuple[ServiceRoute, str, str, bytes]:
    """(service, method, the canonical path expected, a spelling of it as raw bytes)."""
    service, rule = draw(st.sampled_from(RULES))
    fill = draw(st.text(alphabet=FILL, max_size=10))
    concrete = service.prefix + rule.pattern.replace("*", fill)
    method = draw(st.sampled_from(sorted(rule.methods or {"GET", "POST", "DELETE"})))
    pieces: list[str] = []
    expected: list[str] = []
    for index, segment in enumerate(concrete[1:].split("/")):
        # A ".." right after /api/ would climb out of the service: refused, so rarer.
        pieces += draw(_STILL if index == 1 else _DETOURS)
        sent, canonical = draw(_spelled(segment))
        pieces.append(sent)
        expected.append(canonical)
    separator = draw(st.sampled_from(["/"] * 14 + ["%2F", "%2f"]))
    variant = "/" + separator.join(pieces)
    if draw(st.integers(0, 7)) == 0:  # climb out of /api/<service>
        variant = variant.replace(service.prefix, service.prefix + "/..", 1)
    return service, method, "/" + "/".join(expected), variant.encode()


def _check(gw: Served, service: ServiceRoute, method: str, expected: str, target: bytes) -> str:
    """Send ``target``; assert the property; say what happened (for the counters)."""
    response = gw.send(method, target, headers=bearer("user", "admin"))
    if response.status == 400 and not gw.probe.matched:
        # Refused by the gateway (or by uvicorn's parser: raw non-ASCII in the target).
        assert gw.seen == []
        if response.body.startswith(b"{"):
            assert json.loads(response.body)["code"] == "AMBIGUOUS_PATH"
        return "refused"
    checked, route = gw.probe.matched[0]
    assert len(gw.probe.matched) == 1
    # Treated exactly as the canonical form of the path the variant spells (the
    # expected escapes are right; ``canonical_path`` only resolves the fill's own
    # dots and slashes here).
    assert checked == canonical_path(expected.encode())
    assert route is not None
    assert route.service.name == service.name
    assert gw.probe.authenticated in ([], [checked])
    if not gw.seen:
        return f"stopped {response.status}"
    (seen,) = gw.seen
    received = seen.raw_path.decode("ascii")
    assert received == route.upstream_path
    assert route.service.prefix + received == checked
    assert seen.path == unquote(received, errors="strict")
    assert seen.service in ("any", route.service.name)
    # Every decision, recomputed on what the upstream saw, is the decision that was taken.
    assert TABLE.match(method, route.service.prefix + received) == route
    assert gw.probe.rate_classes == [route.rate_class]
    # And on the decoded path the service routes on (rule literals are unreserved).
    decoded = TABLE.match(method, route.service.prefix + seen.path)
    assert decoded is not None
    assert (decoded.access, decoded.roles, decoded.rate_class) == (
        route.access,
        route.roles,
        route.rate_class,
    )
    request = AuthRequest(method=method, path=checked)
    as_served = AuthRequest(method=method, path=route.service.prefix + seen.path)
    assert API_KEY_SCOPE(request) == API_KEY_SCOPE(as_served)
    return "forwarded"


def test_the_upstream_receives_exactly_the_path_that_was_checked(
    unlimited: tuple[Served, str],
) -> None:
    gw, mode = unlimited
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=120 if mode == "embedded" else 60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(variants())
    def prop(case: tuple[ServiceRoute, str, str, bytes]) -> None:
        outcomes[_check(gw, *case)] += 1

    prop()
    print(mode, dict(outcomes))  # shown with -s: how the examples fared
    # The property is not vacuous: many variants were forwarded, some refused.
    assert outcomes["forwarded"] >= 20, outcomes
    assert outcomes["refused"] >= 1, outcomes
