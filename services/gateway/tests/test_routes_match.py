"""``RouteTable.match`` without a regex per rule answers like the globs it stands for."""

from __future__ import annotations

import fnmatch
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from burency_gateway.routes import MatchedRoute, RouteTable, Rule, default_route_table

_PIECES = ["/", "v1", "orders", "open-orders", "admin", "internal", "healthz", ".well-known",
           "jwks.json", "*", "?", "[a-c]", "x", "42", "login", "markets"]  # fmt: skip
TABLE = default_route_table()  # one table: its remembered answers are checked too
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PURGE"]


def _by_regex(table: RouteTable, method: str, path: str) -> MatchedRoute | None:
    """The route as matched before: every rule's glob as a regex, in order."""
    if not path.startswith("/api/"):
        return None
    name, _, rest = path[len("/api/") :].partition("/")
    service = next((s for s in table.services if s.name == name), None)
    if service is None:
        return None
    upstream = "/" + rest
    for rule in service.rules:
        if rule.methods is not None and method not in rule.methods:
            continue
        if re.compile(fnmatch.translate(rule.pattern)).match(upstream) is not None:
            return MatchedRoute(service, upstream, rule.access, rule.roles,
                                rule.rate_class or service.rate_class,
                                rule.timeout or service.timeout)  # fmt: skip
    return MatchedRoute(service, upstream, service.default_access, frozenset(),
                        service.rate_class, service.timeout)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(_METHODS),
    st.sampled_from(["/api/trading", "/api/auth", "/api/files", "/api/users", "/api/x", "/x"]),
    st.lists(st.sampled_from(_PIECES), max_size=6),
)
def test_default_table_matches_like_its_globs(method: str, prefix: str, parts: list[str]) -> None:
    path = prefix + "/" + "/".join(parts)
    assert TABLE.match(method, path) == _by_regex(TABLE, method, path)
    assert TABLE.match(method, path) == _by_regex(TABLE, method, path)  # remembered


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=4), st.lists(st.sampled_from(_PIECES), max_size=6)
)
def test_any_glob_matches_like_its_regex(pattern: list[str], path: list[str]) -> None:
    rule = Rule("".join(pattern), access=default_route_table().services[0].default_access)
    text = "/" + "".join(path)
    assert rule.matches_path(text) == (
        re.compile(fnmatch.translate(rule.pattern)).match(text) is not None
    )
