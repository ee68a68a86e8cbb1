"""The declarative route table: which service answers a path, and who may call it.

Public paths are ``/api/<service>/...``; the gateway strips ``/api/<service>`` and
forwards the rest (``/v1/orders``) to the service, so services never know where they
are mounted. Within a service, the first :class:`Rule` whose pattern and method match
decides access, rate-limit class and timeout; otherwise the service's defaults apply.
Services still enforce fine-grained permissions themselves; the gateway's check is the
first line, not the only one.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

__all__ = [
    "Access",
    "MatchedRoute",
    "RouteTable",
    "Rule",
    "ServiceRoute",
    "default_route_table",
]


_RECENT_SIZE = 4096
_RECENT_PATH_MAX = 200
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class Access(StrEnum):
    PUBLIC = "public"  # anyone; a token, if sent, is still verified and passed on
    USER = "user"  # a valid access token or API key
    ROLE = "role"  # a valid token with one of ``roles``


@dataclass(frozen=True)
class Rule:
    """``pattern`` is a glob over the path after ``/api/<service>`` (``/v1/admin/*``)."""

    pattern: str
    access: Access
    methods: frozenset[str] | None = None
    roles: frozenset[str] = frozenset()
    rate_class: str | None = None
    timeout: float | None = None

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        return re.compile(fnmatch.translate(self.pattern))

    @cached_property
    def _literal(self) -> tuple[str, bool] | None:
        """``(text, is_prefix)`` for a pattern that is plain text, optionally followed by
        one ``*`` (every rule of the default table): the glob is then an equality or a
        ``startswith``, without a regex (the tests check they agree)."""
        text = self.pattern.removesuffix("*")
        if any(c in text for c in "*?["):
            return None
        return text, text != self.pattern

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        return self.matches_path(path)

    def matches_path(self, path: str) -> bool:
        """Whether the glob matches ``path`` (the method aside)."""
        literal = self._literal
        if literal is None:
            return self._regex.match(path) is not None
        text, prefix = literal
        return path.startswith(text) if prefix else path == text


@dataclass(frozen=True)
class ServiceRoute:
    """One service behind the gateway."""

    name: str
    rules: tuple[Rule, ...] = ()
    default_access: Access = Access.USER
    rate_class: str = "default"
    timeout: float = 10.0

    @property
    def prefix(self) -> str:
        return f"/api/{self.name}"

    @cached_property
    def route_label(self) -> str:
        """``/api/<name>/*``: how logs and metrics name the service's requests."""
        return f"/api/{self.name}/*"

    @cached_property
    def _rules_by_method(self) -> dict[str, tuple[Rule, ...]]:
        return {m: tuple(r for r in self.rules if r.methods is None or m in r.methods)
                for m in _METHODS}  # fmt: skip

    def rules_for(self, method: str) -> tuple[Rule, ...]:
        """The rules that may apply to ``method``, in order (the others cannot match)."""
        rules = self._rules_by_method.get(method)
        if rules is None:
            return tuple(r for r in self.rules if r.methods is None or method in r.methods)
        return rules


@dataclass(frozen=True)
class MatchedRoute:
    """What the gateway decided for one request."""

    service: ServiceRoute
    upstream_path: str
    access: Access
    roles: frozenset[str]
    rate_class: str
    timeout: float


@dataclass(frozen=True)
class RouteTable:
    services: tuple[ServiceRoute, ...]
    _by_name: dict[str, ServiceRoute] = field(init=False, repr=False, compare=False)
    _recent: dict[tuple[str, str], MatchedRoute | None] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {s.name: s for s in self.services})

    def names(self) -> list[str]:
        return [s.name for s in self.services]

    def match(self, method: str, path: str) -> MatchedRoute | None:
        """Route ``path`` (``/api/<service>/rest``) or None when no service owns it.

        The answers for up to a few thousand short ``(method, path)`` are remembered (the
        table never changes, a :class:`MatchedRoute` is immutable): a trading bot sends
        the same ``POST /api/trading/v1/orders`` thousands of times a second.
        """
        key = (method, path)
        if key in self._recent:
            return self._recent[key]
        found = self._match(method, path)
        if len(path) <= _RECENT_PATH_MAX and method in _METHODS:  # bounded memory
            if len(self._recent) >= _RECENT_SIZE:
                self._recent.clear()
            self._recent[key] = found
        return found

    def _match(self, method: str, path: str) -> MatchedRoute | None:
        """:meth:`match`, worked out.

        ``path`` must be the canonical path (:func:`burency_gateway.canonical.canonical_path`):
        the rules are matched against it, and ``upstream_path`` is its rest, sent to the
        service byte for byte.
        """
        if not path.startswith("/api/"):
            return None
        name, _, rest = path[len("/api/") :].partition("/")
        service = self._by_name.get(name)
        if service is None:
            return None
        upstream_path = "/" + rest
        for rule in service.rules_for(method):
            if rule.matches_path(upstream_path):
                return MatchedRoute(
                    service=service,
                    upstream_path=upstream_path,
                    access=rule.access,
                    roles=rule.roles,
                    rate_class=rule.rate_class or service.rate_class,
                    timeout=rule.timeout or service.timeout,
                )
        return MatchedRoute(
            service=service,
            upstream_path=upstream_path,
            access=service.default_access,
            roles=frozenset(),
            rate_class=service.rate_class,
            timeout=service.timeout,
        )


_STAFF = frozenset({"admin", "support", "compliance"})
_OPERATIONS = (
    # Service-to-service endpoints are never reachable from outside: a ROLE rule with
    # no roles admits nobody (403), whatever token is presented.
    Rule("/internal/*", Access.ROLE),
    Rule("/healthz", Access.PUBLIC, frozenset({"GET"})),
    Rule("/readyz", Access.PUBLIC, frozenset({"GET"})),
    Rule("/openapi.json", Access.PUBLIC, frozenset({"GET"})),
    Rule("/metrics", Access.ROLE, frozenset({"GET"}), roles=frozenset({"admin"})),
    Rule("/v1/admin/*", Access.ROLE, roles=_STAFF, rate_class="admin"),
)
_POST = frozenset({"POST"})
_ORDER_WRITES = frozenset({"POST", "DELETE", "PATCH"})  # place, cancel, amend


def default_route_table() -> RouteTable:
    """The route table of the Burency platform (see the README's route table)."""
    auth = ServiceRoute(
        "auth",
        rules=(
            *_OPERATIONS,
            Rule("/.well-known/jwks.json", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/register", Access.PUBLIC, _POST, rate_class="register"),
            Rule("/v1/login", Access.PUBLIC, _POST, rate_class="login"),
            # Own classes: a user refreshing tokens or re-sending a verification e-mail
            # must not spend (and be locked out of) the brute-force budget of login.
            Rule("/v1/token/refresh", Access.PUBLIC, _POST, rate_class="token_refresh"),
            Rule("/v1/password-reset*", Access.PUBLIC, _POST, rate_class="password_reset"),
            Rule("/v1/email-verification*", Access.PUBLIC, _POST, rate_class="email_verification"),
        ),
    )
    trading = ServiceRoute(
        "trading",
        rules=(
            *_OPERATIONS,
            Rule("/v1/markets*", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/depth*", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/klines*", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/trades*", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/ticker*", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/exchangeInfo", Access.PUBLIC, frozenset({"GET"})),
            Rule("/v1/orders*", Access.USER, _ORDER_WRITES, rate_class="orders"),
            Rule("/v1/open-orders*", Access.USER, frozenset({"DELETE"}), rate_class="orders"),
        ),
    )
    files = ServiceRoute(
        "files",
        rules=(
            *_OPERATIONS,
            # Object downloads carry their own proof: public avatars, or a signed, expiring URL.
            Rule("/v1/objects/*", Access.PUBLIC, frozenset({"GET", "HEAD"})),
        ),
        timeout=60.0,
    )
    return RouteTable(
        (
            auth,
            ServiceRoute("users", rules=_OPERATIONS),
            ServiceRoute("banking", rules=_OPERATIONS),
            trading,
            files,
            ServiceRoute(
                "notifications",
                rules=(
                    *_OPERATIONS,
                    # embedded mode only (the route does not exist distributed); the
                    # service itself answers only to loopback clients
                    Rule("/v1/dev/mailbox", Access.PUBLIC, frozenset({"GET"})),
                ),
            ),
        )
    )
