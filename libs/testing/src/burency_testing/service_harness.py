"""One service test harness for every service: the real component behind httpx's ASGI
transport, an in-memory bus recording what the outbox relay publishes (or a given bus,
e.g. a ``KafkaBus``), and signed identity headers as the gateway would forward them.

A service's test package keeps only what is its own::

    @dataclass(kw_only=True)
    class Harness(ServiceHarness[UsersComponent]):
        files: FakeFiles                      # service-specific state ...
        async def reach_level_1(self, ...):  # ... and helpers

    class running_harness(RunningService[UsersComponent, Harness]):
        base_url = "http://users"
        recorded_topics = (KYC_STATUS_CHANGED, SEND_NOTIFICATION)
        def build(self, identity_secret): return build_component(self.settings, ...)
        def make_harness(self, parts): return Harness(**parts, files=self.files)

``async with running_harness(settings) as h`` builds the component on a fresh identity
secret, subscribes it, starts bus and component, runs the app's lifespan and serves it
through an ``httpx.AsyncClient``; leaving stops everything in reverse.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypedDict, TypeVar

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from burency_common.bus import EventBus, InMemoryBus
from burency_common.events import EventEnvelope
from burency_common.identity import IDENTITY_HEADER, Identity, sign_identity
from burency_common.timeutil import utc_now


class Component(Protocol):
    """What the harness needs of a service component (``burency_<svc>.component``)."""

    app: Any

    async def start(self, bus: EventBus) -> None: ...

    async def stop(self) -> None: ...


C = TypeVar("C", bound=Component)
H = TypeVar("H", bound="ServiceHarness[Any]")


@dataclass
class ServiceHarness(Generic[C]):
    """The running service a test talks to: its component, an HTTP client on its app, the
    bus, and the events the relay published on the recorded topics (by event id: the bus
    is at-least-once)."""

    component: C
    client: httpx.AsyncClient
    bus: EventBus
    events: dict[str, EventEnvelope] = field(default_factory=dict)

    def identity_headers(self, identity: Identity) -> dict[str, str]:
        """The signed identity header the gateway would forward for ``identity``."""
        secret = self.component.app.state.identity_secret
        return {IDENTITY_HEADER: sign_identity(identity, secret=secret, now=utc_now())}

    def headers(self, user_id: str, *roles: str, email_verified: bool = True) -> dict[str, str]:
        """A signed identity (role ``user`` unless given); a verified address unless a test
        says otherwise."""
        identity = Identity(
            user_id=user_id, roles=frozenset(roles or ("user",)), email_verified=email_verified
        )
        return self.identity_headers(identity)

    async def call(
        self, method: str, path: str, user_id: str, *roles: str, **kwargs: Any
    ) -> httpx.Response:
        """A request as ``user_id`` (with ``roles``); extra ``headers`` are kept."""
        headers = {**kwargs.pop("headers", {}), **self.headers(user_id, *roles)}
        return await self.client.request(method, path, headers=headers, **kwargs)

    async def drain(self) -> None:
        """Publish everything in the outbox now (the relay would, a moment later)."""
        relay = getattr(self.component, "relay", None)
        assert relay is not None, "this component has no outbox relay"
        await relay.drain()

    async def published(self, topic: str, **payload: Any) -> list[EventEnvelope]:
        """The recorded events of ``topic`` whose payload has these values, after a drain."""
        await self.drain()
        return [
            e
            for e in self.events.values()
            if e.type == topic and all(e.payload.get(k) == v for k, v in payload.items())
        ]


class HarnessParts(TypedDict, Generic[C]):
    """The common fields of a :class:`ServiceHarness`, handed to ``RunningService.make_harness``."""

    component: C
    client: httpx.AsyncClient
    bus: EventBus
    events: dict[str, EventEnvelope]


class RunningService(Generic[C, H]):
    """``async with`` a service: build, subscribe, start, serve; leave: stop.

    Without ``bus`` an in-memory bus records what the relay publishes on
    ``recorded_topics`` (``h.events``); with one (a ``KafkaBus``), the caller subscribes
    its own handlers before entering. ``group`` is the component's consumer group
    (``None``: the component consumes nothing).
    """

    base_url: str = "http://service"
    recorded_topics: tuple[str, ...] = ()
    #: Start the bus before the component (the component's start may publish).
    start_bus_first: bool = True
    #: Stop the bus after the component (the component's stop may still publish).
    stop_bus_last: bool = True

    def __init__(self, bus: EventBus | None = None, group: str | None = None) -> None:
        self.given_bus = bus
        self.group = group

    def build(self, identity_secret: bytes) -> C:
        """The service's component, built on ``identity_secret``."""
        raise NotImplementedError

    def make_harness(self, parts: HarnessParts[C]) -> H:
        """The service's harness from the common parts (plus its own fields)."""
        raise NotImplementedError

    def before_start(self, component: C, bus: EventBus, given: bool) -> None:
        """Hook: subscribe more handlers before anything starts (``given``: the caller's bus)."""

    def served_app(self) -> ASGIApp:
        """The app requests go to: the component's, not the lifespan manager's (asgi-lifespan
        hands every request the SAME ``scope["state"]`` dict, so request-scoped caches
        would leak between requests)."""
        app: ASGIApp = self.component.app
        return app

    async def __aenter__(self) -> H:
        self.component = self.build(secrets.token_bytes(32))
        events: dict[str, EventEnvelope] = {}

        async def record(envelope: EventEnvelope) -> None:
            events[envelope.id] = envelope

        self.bus: EventBus = self.given_bus or InMemoryBus()
        if self.given_bus is None:
            for topic in self.recorded_topics:
                self.bus.subscribe(topic, group="tests", handler=record)
        self.before_start(self.component, self.bus, self.given_bus is not None)
        subscribe = getattr(self.component, "subscribe", None)
        if self.group is not None and subscribe is not None:
            subscribe(self.bus, group=self.group)
        await self._start()
        self.lifespan = LifespanManager(self.component.app)
        await self.lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.served_app())
        self.client = httpx.AsyncClient(transport=transport, base_url=self.base_url)
        parts: HarnessParts[C] = {
            "component": self.component, "client": self.client, "bus": self.bus, "events": events
        }  # fmt: skip
        return self.make_harness(parts)

    async def _start(self) -> None:
        if self.start_bus_first:
            await self.bus.start()
            await self.component.start(self.bus)
        else:
            await self.component.start(self.bus)
            await self.bus.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self.lifespan.__aexit__(None, None, None)
        if self.stop_bus_last:
            await self.component.stop()
            await self.bus.stop()
        else:
            await self.bus.stop()
            await self.component.stop()
