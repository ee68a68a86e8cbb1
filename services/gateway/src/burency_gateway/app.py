"""Composition of the gateway: every piece built from settings, inside functions.

Middleware, outermost first: request id + access log + metrics → security headers →
CORS → body size limit (without CORS, security headers and body limit in one) →
the Socket.IO router → :class:`~burency_gateway.core.GatewayCore` (routing, auth,
rate limits, forwarding) → the gateway's own FastAPI app (health, merged OpenAPI,
docs, the SPA).

The gateway faces the internet, so its own operational routes say little to strangers:
``/healthz`` answers ``{"status": "ok"}`` and adds its upstreams only for an admin (or
the metrics token); ``/metrics`` needs the metrics token (``BURENCY_METRICS_TOKEN``,
for Prometheus) or an admin's access token.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from burency_common.direct import DirectRoutes
from burency_common.errors import PermissionDenied, Unauthenticated
from burency_common.tokens import JWKSClient
from burency_common.web import ReadinessCheck, RequestContextMiddleware, create_service_app
from burency_gateway import __version__
from burency_gateway.apidocs import docs_router
from burency_gateway.core import GatewayCore
from burency_gateway.openapi import AccessOf, OpenAPIMerger
from burency_gateway.proxy import Upstreams, UpstreamSpec
from burency_gateway.realtime import RealtimeHub
from burency_gateway.realtime_snapshots import DepthSnapshots, upstream_depth_fetch
from burency_gateway.routes import RouteTable, default_route_table
from burency_gateway.security import (
    DEFAULT_RATE_RULES,
    Authenticator,
    BodySizeLimitMiddleware,
    EdgeMiddleware,
    LocalKeySource,
    MemoryRevocationStore,
    RateLimiter,
    RedisRevocationStore,
    RemoteApiKeyVerifier,
    RevocationStore,
    SecurityHeadersMiddleware,
    TokenVerifier,
    cors_middleware_kwargs,
    parse_rate_rules,
    path_scopes,
)
from burency_gateway.settings import GatewaySettings
from burency_gateway.spa import mount_spa

__all__ = ["Gateway", "build_gateway", "create_gateway_app"]


@dataclass
class Gateway:
    """The assembled gateway: ``app`` is what uvicorn serves; the rest is for wiring."""

    app: ASGIApp
    core: GatewayCore
    upstreams: Upstreams
    revocations: RevocationStore
    limiter: RateLimiter
    http: httpx.AsyncClient
    realtime: RealtimeHub
    services: list[str] = field(default_factory=list)


# Requests that send money away from the user need an API key with ``withdraw``: a
# leaked trading key must not be able to empty the account to someone else's.
MONEY_OUT_SCOPES = {
    "/api/banking/v1/withdrawals*": "withdraw",
    "/api/banking/v1/transfers/internal*": "withdraw",
}


def _revocation_store(settings: GatewaySettings) -> RevocationStore:
    if settings.redis_url:
        return RedisRevocationStore(settings.redis_url)
    return MemoryRevocationStore()


def _key_source(settings: GatewaySettings, http: httpx.AsyncClient) -> TokenVerifier:
    if settings.jwks_url:
        return JWKSClient(settings.jwks_url, http=http)
    return LocalKeySource({})  # no auth service yet: every token has an unknown key


def _rate_rules(settings: GatewaySettings) -> dict[str, list[str]]:
    rules = parse_rate_rules(DEFAULT_RATE_RULES)
    if settings.rate_limits:
        rules.update(parse_rate_rules(settings.rate_limits))
    return rules


def _api_key_verifier(upstreams: Upstreams, secret: bytes) -> RemoteApiKeyVerifier | None:
    """API keys are verified by the auth service (it holds the secrets), through its pool."""
    pool = upstreams.get("auth")
    if pool is None:
        return None

    async def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        instance = pool.choose()
        if instance is None:
            raise httpx.ConnectError("no auth instance available")
        return await instance.client.post(
            instance.base_url + url, json=body, headers=headers, timeout=2.0
        )

    return RemoteApiKeyVerifier(
        identity_secret=secret,
        client_ip=lambda request: request.client_ip,
        post=post,
        required_scope=path_scopes(MONEY_OUT_SCOPES),
    )


def _own_routes(merger: OpenAPIMerger) -> APIRouter:
    router = APIRouter(tags=["gateway"])

    @router.get("/api/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        return JSONResponse(await merger.document())

    router.include_router(docs_router())
    return router


def _access_of(table: RouteTable) -> AccessOf:
    def access(method: str, path: str) -> str | None:
        matched = table.match(method, path)
        return matched.access.value if matched is not None else None

    return access


@dataclass(frozen=True)
class Operators:
    """Who may see the gateway's operational details: an admin, or the metrics token.

    The check is made in the handlers themselves, so every spelling of a path that
    reaches them (``//metrics``, ``/%6Detrics``) is checked; no path rule to slip past.
    """

    authenticator: Authenticator
    metrics_token: str | None = None

    def _is_metrics_token(self, authorization: str | None) -> bool:
        if not self.metrics_token or not authorization:
            return False
        expected = f"Bearer {self.metrics_token}".encode()
        return hmac.compare_digest(authorization.strip().encode(), expected)

    async def _admin(self, authorization: str) -> bool:
        identity = await self.authenticator.authenticate(authorization)  # bad token: 401
        return identity is not None and identity.auth_method == "jwt" and "admin" in identity.roles

    async def may_see_details(self, request: Request) -> bool:
        authorization = request.headers.get("authorization")
        if authorization is None:
            return False
        return self._is_metrics_token(authorization) or await self._admin(authorization)

    async def require(self, request: Request) -> None:
        """401 without credentials, 403 with credentials that are not an operator's."""
        authorization = request.headers.get("authorization")
        if authorization is None:
            raise Unauthenticated(
                "send the metrics token or an admin access token",
                headers={"WWW-Authenticate": 'Bearer realm="burency"'},
            )
        if not await self.may_see_details(request):
            raise PermissionDenied("only operators may read this", code="OPERATORS_ONLY")


def _spec_fetcher(upstreams: Upstreams) -> Any:
    async def fetch(service: str) -> dict[str, Any]:
        pool = upstreams.get(service)
        instance = pool.choose() if pool is not None else None
        if instance is None:
            raise LookupError(service)
        response = await instance.client.get(instance.base_url + "/openapi.json")
        response.raise_for_status()
        spec: dict[str, Any] = response.json()
        return spec

    return fetch


def build_gateway(
    settings: GatewaySettings,
    *,
    services: Mapping[str, UpstreamSpec] | None = None,
    key_source: TokenVerifier | None = None,
    table: RouteTable | None = None,
    identity_secret: bytes | None = None,
    direct: Mapping[str, DirectRoutes] | None = None,
) -> Gateway:
    """Build the gateway; ``services`` (embedded: ASGI apps) overrides ``settings.upstreams``;
    ``direct``: in-process services' direct routes (embedded mode, :mod:`burency_common.direct`)."""
    table = table or default_route_table()
    specs: Mapping[str, UpstreamSpec] = services if services is not None else settings.upstreams
    upstreams = Upstreams.from_mapping(
        specs,
        policy=settings.lb_policy,
        health_interval=settings.health_interval,
        eject_after=settings.eject_after,
    )
    http = httpx.AsyncClient(timeout=5.0)
    revocations = _revocation_store(settings)
    limiter = RateLimiter(
        settings.rate_limit_storage,
        _rate_rules(settings),
        fail_open=settings.rate_limit_fail_open,
        key_prefix=settings.rate_limit_key_prefix,
    )
    secret = identity_secret or settings.identity_secret_bytes()
    authenticator = Authenticator(
        key_source or _key_source(settings, http),
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        revocations=revocations,
        api_keys=_api_key_verifier(upstreams, secret),
    )
    merger = OpenAPIMerger(upstreams.names(), _spec_fetcher(upstreams), access_of=_access_of(table))
    operators = Operators(authenticator, _secret_value(settings.metrics_token))
    lifespan = _lifespan(upstreams, limiter, revocations, http)
    own = _own_app(settings, upstreams, merger, operators, lifespan)
    core = GatewayCore(
        table=table,
        upstreams=upstreams,
        authenticator=authenticator,
        limiter=limiter,
        identity_secret=secret,
        fallback=own,
        direct=dict(direct or {}),
    )
    realtime = RealtimeHub(
        authenticator,
        redis_url=settings.redis_url,
        cors_origins=settings.cors_origins,
        snapshots=DepthSnapshots(upstream_depth_fetch(upstreams)),
    )
    app = _wrap(realtime.asgi(core), settings, own.state.metrics)
    return Gateway(app, core, upstreams, revocations, limiter, http, realtime, upstreams.names())


def _secret_value(secret: Any) -> str | None:
    return str(secret.get_secret_value()) if secret is not None else None


def _own_app(
    settings: GatewaySettings,
    upstreams: Upstreams,
    merger: OpenAPIMerger,
    operators: Operators,
    lifespan: Any,
) -> FastAPI:
    async def details(request: Request) -> dict[str, object] | None:
        if not await operators.may_see_details(request):
            return None
        return {"services": upstreams.names(), "upstreams": upstreams.snapshot()}

    async def upstreams_ready() -> bool:
        return all(
            any(i["healthy"] for i in pool["instances"]) for pool in upstreams.snapshot().values()
        )

    app = create_service_app(
        name="gateway",
        version=__version__,
        description="The single entry point of the Burency platform.",
        routers=[_own_routes(merger)],
        readiness=[ReadinessCheck("upstreams", upstreams_ready)],
        lifespan=lifespan,
        health_details=details,
        metrics_guard=operators.require,
        request_context=False,
    )
    if settings.spa_dir is not None:
        mount_spa(app, settings.spa_dir)
    return app


def _lifespan(
    upstreams: Upstreams,
    limiter: RateLimiter,
    revocations: RevocationStore,
    http: httpx.AsyncClient,
) -> Any:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await upstreams.start()
        try:
            yield
        finally:
            await upstreams.stop()
            await limiter.aclose()
            await revocations.aclose()
            await http.aclose()

    return lifespan


def _wrap(inner: ASGIApp, settings: GatewaySettings, metrics: Any) -> ASGIApp:
    """Without CORS, security headers and body limit are one middleware (one ``send``
    wrapper per request, :mod:`burency_gateway.security.edge`); with it, the two stay
    apart with CORS between them, as CORS has to see the body limit's answers."""
    limits = {"/api/files": settings.upload_max_body_bytes}
    app: ASGIApp
    if settings.cors_origins:
        app = BodySizeLimitMiddleware(inner, max_bytes=settings.max_body_bytes, overrides=limits)
        app = CORSMiddleware(app, **cors_middleware_kwargs(settings.cors_origins))
        app = SecurityHeadersMiddleware(app)
    else:
        app = EdgeMiddleware(inner, max_bytes=settings.max_body_bytes, overrides=limits)
    return RequestContextMiddleware(app, metrics=metrics)


def create_gateway_app(
    settings: GatewaySettings | None = None, services: Mapping[str, UpstreamSpec] | None = None
) -> ASGIApp:
    """The gateway ASGI app (``uvicorn --factory burency_gateway.app:create_gateway_app``)."""
    from burency_common.config import load_settings  # noqa: PLC0415

    return build_gateway(settings or load_settings(GatewaySettings), services=services).app
