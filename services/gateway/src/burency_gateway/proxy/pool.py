"""Upstream pools: balancing, passive ejection and active health checks.

Passive: the forwarder reports each attempt. A connect error, a broken connection or a
502/503 answer is a failure; ``eject_after`` consecutive failures eject the instance;
any success resets the count (and re-admits an ejected instance that answered).
Timeouts are not failures: a slow endpoint says nothing about the instance's health.

Active: every ``health_interval`` seconds each instance's ``health_path`` is fetched;
200 is a success (this is how an ejected instance is re-admitted), anything else a
failure, so an instance that dies while idle is ejected too. A check that cannot get a
connection from the instance's own saturated pool proves nothing and is ignored.

Choosing skips ejected instances. When every instance is ejected the least recently
failed one is tried anyway: it may have recovered, whereas refusing is a certain 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

import httpx
from starlette.types import ASGIApp

from burency_common.errors import ConfigurationError
from burency_common.logging import get_logger
from burency_gateway.proxy.instance import Instance

__all__ = ["Policy", "UpstreamPool", "UpstreamSpec", "Upstreams"]

Policy = Literal["round_robin", "least_in_flight"]
_log = get_logger("burency.gateway.proxy")


class UpstreamPool:
    """The instances of one service and how a request picks one."""

    def __init__(
        self,
        service: str,
        instances: Sequence[Instance],
        *,
        policy: Policy = "round_robin",
        health_path: str | None = "/healthz",
        health_interval: float = 2.0,
        health_timeout: float = 1.0,
        eject_after: int = 3,
    ) -> None:
        if policy not in get_args(Policy):
            raise ConfigurationError(f"unknown balancing policy {policy!r} for {service}")
        if eject_after < 1 or health_interval <= 0:
            raise ConfigurationError(
                f"eject_after and health_interval must be positive ({service})"
            )
        self.service = service
        self.instances: tuple[Instance, ...] = tuple(instances)
        self.policy: Policy = policy
        self.health_path = health_path
        self.health_interval = health_interval
        self.health_timeout = health_timeout
        self.eject_after = eject_after
        self._turn = itertools.count()
        self._health_task: asyncio.Task[None] | None = None

    def choose(self, exclude: Collection[Instance] = ()) -> Instance | None:
        """The instance for the next attempt, never one in ``exclude``; None when none is left."""
        candidates = [i for i in self.instances if i not in exclude]
        if not candidates:
            return None
        healthy = [i for i in candidates if not i.ejected]
        if not healthy:
            return min(candidates, key=lambda i: i.last_failure)
        start = next(self._turn) % len(healthy)
        if self.policy == "round_robin":
            return healthy[start]
        rotated = healthy[start:] + healthy[:start]  # ties go round, not to the first
        return min(rotated, key=lambda i: i.in_flight)

    def record_success(self, instance: Instance) -> None:
        instance.consecutive_failures = 0
        if instance.ejected:
            instance.ejected = False
            _log.info("upstream.readmitted", service=self.service, instance=instance.url)

    def record_failure(self, instance: Instance) -> None:
        instance.note_failure()
        if not instance.ejected and instance.consecutive_failures >= self.eject_after:
            instance.ejected = True
            _log.warning(
                "upstream.ejected",
                service=self.service,
                instance=instance.url,
                failures=instance.consecutive_failures,
            )

    async def check_health(self) -> None:
        """One round of active checks, all instances concurrently."""
        if self.health_path is not None:
            await asyncio.gather(*(self._check(i, self.health_path) for i in self.instances))

    async def _check(self, instance: Instance, path: str) -> None:
        timeout = httpx.Timeout(self.health_timeout)
        try:
            response = await instance.client.get(instance.base_url + path, timeout=timeout)
        except httpx.PoolTimeout:
            return
        except Exception:  # any failure to answer, whatever its kind, is unhealthy
            self.record_failure(instance)
            return
        if response.status_code == 200:
            self.record_success(instance)
        else:
            self.record_failure(instance)

    async def _health_loop(self) -> None:
        while True:
            await self.check_health()
            await asyncio.sleep(self.health_interval)  # the check period, not a wait for a result

    async def start(self) -> None:
        """Start the active health checks (no-op without ``health_path`` or when running)."""
        if self.health_path is not None and self._health_task is None:
            self._health_task = asyncio.create_task(
                self._health_loop(), name=f"health:{self.service}"
            )

    async def stop(self) -> None:
        """Stop the health checks and close every instance's client."""
        task, self._health_task = self._health_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*(i.aclose() for i in self.instances))

    def snapshot(self) -> dict[str, Any]:
        """Per instance: url, healthy/ejected, in_flight, consecutive_failures."""
        return {
            "policy": self.policy,
            "healthy": sum(not i.ejected for i in self.instances),
            "instances": [i.state() for i in self.instances],
        }


UpstreamSpec = str | Sequence[str | Instance] | Instance | ASGIApp


def _instances(spec: UpstreamSpec) -> list[Instance]:
    if isinstance(spec, str):
        return [Instance.http(spec)]
    if isinstance(spec, Instance):
        return [spec]
    if isinstance(spec, Sequence):
        return [s if isinstance(s, Instance) else Instance.http(s) for s in spec]
    return [Instance.asgi(spec)]


class Upstreams:
    """Every service's pool, by service name, started and stopped together."""

    def __init__(self, pools: Iterable[UpstreamPool]) -> None:
        self._pools = {pool.service: pool for pool in pools}

    @classmethod
    def from_mapping(cls, services: Mapping[str, UpstreamSpec], **pool_options: Any) -> Upstreams:
        """Pools from ``{service: spec}``; ``pool_options`` go to every :class:`UpstreamPool`.

        A spec is a base URL, a list of base URLs (or :class:`Instance`), or an ASGI app
        (embedded mode). Embedded apps get no active health checks unless
        ``health_path`` is passed explicitly (an app without ``/healthz`` would be ejected).
        """
        pools = []
        for name, spec in services.items():
            instances = _instances(spec)
            options = dict(pool_options)
            if all(i.kind == "asgi" for i in instances):
                options.setdefault("health_path", None)
            pools.append(UpstreamPool(name, instances, **options))
        return cls(pools)

    def get(self, service: str) -> UpstreamPool | None:
        return self._pools.get(service)

    def names(self) -> list[str]:
        return sorted(self._pools)

    async def start(self) -> None:
        for pool in self._pools.values():
            await pool.start()

    async def stop(self) -> None:
        await asyncio.gather(*(pool.stop() for pool in self._pools.values()))

    async def __aenter__(self) -> Upstreams:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """For the gateway's ``/healthz``: per service, per instance state."""
        return {name: pool.snapshot() for name, pool in sorted(self._pools.items())}
