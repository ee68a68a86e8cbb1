"""Rate limits: the same behaviour on memory and on the real Redis, shared across processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

import pytest

from burency_common.errors import ConfigurationError, RateLimited, ServiceUnavailable
from burency_gateway.security import (
    DEFAULT_RATE_RULES,
    RateLimiter,
    RateLimitStatus,
    client_key,
    parse_rate_rules,
)

RULES = {
    "default": ["5/minute"],
    "login": ["3/minute", "4/hour"],
    "orders": ["2/second"],
}
MakeLimiter = Callable[..., RateLimiter]


class RateLimiterContract:
    """Behaviour every storage must give; subclasses provide ``make`` (a limiter factory)."""

    @pytest.fixture
    def make(self) -> MakeLimiter:
        raise NotImplementedError("subclasses provide this fixture")

    async def test_n_plus_first_request_is_429_with_headers(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        statuses = [await limiter.check("default", ip="10.0.0.1") for _ in range(5)]
        assert [s.remaining for s in statuses] == [4, 3, 2, 1, 0]
        assert all(s.limit == 5 for s in statuses)
        with pytest.raises(RateLimited) as caught:
            await limiter.check("default", ip="10.0.0.1")
        error = caught.value
        assert (error.status, error.code) == (429, "RATE_LIMITED")
        assert 1 <= int(error.headers["Retry-After"]) <= 60
        assert error.headers["X-RateLimit-Limit"] == "5"
        assert error.headers["X-RateLimit-Remaining"] == "0"
        assert int(error.headers["X-RateLimit-Reset"]) >= int(time.time())

    async def test_success_headers(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        assert await limiter.healthy()
        status = await limiter.check("default", ip="10.0.0.1")
        headers = status.headers()
        assert headers["X-RateLimit-Limit"] == "5"
        assert headers["X-RateLimit-Remaining"] == "4"
        assert 0 <= int(headers["X-RateLimit-Reset"]) - time.time() <= 61

    async def test_classes_are_isolated(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for _ in range(3):
            await limiter.check("login", ip="10.0.0.1")
        with pytest.raises(RateLimited):
            await limiter.check("login", ip="10.0.0.1")
        assert (await limiter.check("default", ip="10.0.0.1")).remaining == 4

    async def test_ips_are_isolated(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for _ in range(3):
            await limiter.check("login", ip="10.0.0.1")
        with pytest.raises(RateLimited):
            await limiter.check("login", ip="10.0.0.1")
        await limiter.check("login", ip="10.0.0.2")

    async def test_user_key_follows_the_user_across_ips(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for i in range(3):
            await limiter.check("login", ip=f"10.0.1.{i}", user_id="user-1")
        with pytest.raises(RateLimited):
            await limiter.check("login", ip="10.0.1.99", user_id="user-1")
        await limiter.check("login", ip="10.0.1.99", user_id="user-2")

    async def test_ip_key_applies_to_authenticated_requests(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for i in range(3):
            await limiter.check("login", ip="10.0.2.1", user_id=f"user-{i}")
        with pytest.raises(RateLimited):
            await limiter.check("login", ip="10.0.2.1", user_id="user-new")

    async def test_every_window_of_a_class_applies(self, make: MakeLimiter) -> None:
        limiter = make({"default": ["100/minute"], "login": ["10/minute", "2/hour"]})
        await limiter.check("login", ip="10.0.3.1")
        status = await limiter.check("login", ip="10.0.3.1")
        assert (status.limit, status.remaining) == (2, 0)  # the tightest window is reported
        with pytest.raises(RateLimited) as caught:
            await limiter.check("login", ip="10.0.3.1")
        assert int(caught.value.headers["Retry-After"]) > 3000  # the hour window refuses

    async def test_unknown_class_uses_default(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for _ in range(3):
            await limiter.check("no-such-class", ip="10.0.4.1")
        for _ in range(2):
            await limiter.check("default", ip="10.0.4.1")
        with pytest.raises(RateLimited):
            await limiter.check("another-unknown", ip="10.0.4.1")

    async def test_window_moves_and_retry_after_is_honest(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        await limiter.check("orders", ip="10.0.5.1")
        await limiter.check("orders", ip="10.0.5.1")
        with pytest.raises(RateLimited) as caught:
            await limiter.check("orders", ip="10.0.5.1")
        assert caught.value.headers["Retry-After"] == "1"
        deadline = asyncio.get_running_loop().time() + 5
        while True:  # the window moves on: allowed again within the promised second or so
            try:
                await limiter.check("orders", ip="10.0.5.1")
                break
            except RateLimited:
                assert asyncio.get_running_loop().time() < deadline, "the window never moved"
                await asyncio.sleep(0.05)  # polling with a deadline

    async def test_ipv6_clients_share_their_64(self, make: MakeLimiter) -> None:
        limiter = make(RULES)
        for i in range(3):
            await limiter.check("login", ip=f"2001:db8:1:2::{i + 1}")
        with pytest.raises(RateLimited):
            await limiter.check("login", ip="2001:db8:1:2:ffff::1")
        await limiter.check("login", ip="2001:db8:1:3::1")

    async def test_concurrent_requests_never_exceed_the_limit(self, make: MakeLimiter) -> None:
        limiter = make({"default": ["20/minute"]})

        async def attempt() -> bool:
            try:
                await limiter.check("default", ip="10.0.6.1")
            except RateLimited:
                return False
            return True

        results = await asyncio.gather(*(attempt() for _ in range(50)))
        assert sum(results) == 20


class TestMemoryRateLimiter(RateLimiterContract):
    @pytest.fixture
    async def make(self) -> AsyncIterator[MakeLimiter]:
        made: list[RateLimiter] = []

        def factory(rules: Mapping[str, Sequence[str]]) -> RateLimiter:
            made.append(RateLimiter("memory://", rules))
            return made[-1]

        yield factory
        for limiter in made:
            await limiter.aclose()


def unique_prefix() -> str:
    return f"test:rl:{uuid.uuid4().hex}"


class TestRedisRateLimiter(RateLimiterContract):
    @pytest.fixture
    async def make(self, redis_url: str) -> AsyncIterator[MakeLimiter]:
        made: list[RateLimiter] = []
        prefix = unique_prefix()

        def factory(rules: Mapping[str, Sequence[str]]) -> RateLimiter:
            # The 1 s production timeout fails fast; here 50 concurrent first requests
            # each open a connection, which a loaded CI machine can take longer than 1 s
            # to accept. These tests are about counting, not about connect latency.
            made.append(RateLimiter(redis_url, rules, key_prefix=prefix, socket_timeout=10))
            return made[-1]

        yield factory
        for limiter in made:
            await limiter.aclose()


async def test_two_limiters_on_one_redis_share_the_budget(redis_url: str) -> None:
    prefix = unique_prefix()
    first = RateLimiter(redis_url, RULES, key_prefix=prefix)
    second = RateLimiter(redis_url, RULES, key_prefix=prefix)
    try:
        for limiter in (first, second, first, second, first):
            await limiter.check("default", ip="10.1.0.1")
        with pytest.raises(RateLimited):
            await second.check("default", ip="10.1.0.1")
    finally:
        await first.aclose()
        await second.aclose()


_WORKER = textwrap.dedent(
    """
    import asyncio, json, os, sys
    from burency_common.errors import RateLimited
    from burency_gateway.security import RateLimiter

    async def main() -> None:
        limiter = RateLimiter(
            os.environ["RL_URL"], {"default": ["20/minute"]}, key_prefix=os.environ["RL_PREFIX"]
        )
        sys.stdout.write("ready\\n"); sys.stdout.flush()
        sys.stdin.readline()  # start together
        allowed = 0
        for _ in range(15):
            try:
                await limiter.check("default", ip="10.2.0.1")
                allowed += 1
            except RateLimited:
                pass
        await limiter.aclose()
        sys.stdout.write(json.dumps({"allowed": allowed}) + "\\n")

    asyncio.run(main())
    """
)


def test_two_gateway_processes_share_the_budget(redis_url: str) -> None:
    env = {**os.environ, "RL_URL": redis_url, "RL_PREFIX": unique_prefix()}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [json.loads(worker.communicate(timeout=60)[0]) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert all(w.returncode == 0 for w in workers)
    assert sum(r["allowed"] for r in results) == 20
    assert all(r["allowed"] > 0 for r in results)


async def test_storage_down_fails_closed_by_default() -> None:
    limiter = RateLimiter("redis://127.0.0.1:1/0", RULES, socket_timeout=0.5)
    try:
        assert not await limiter.healthy()
        with pytest.raises(ServiceUnavailable) as caught:
            await limiter.check("default", ip="10.3.0.1")
    finally:
        await limiter.aclose()
    assert (caught.value.status, caught.value.code) == (503, "RATE_LIMIT_UNAVAILABLE")


async def test_storage_down_can_fail_open() -> None:
    limiter = RateLimiter("redis://127.0.0.1:1/0", RULES, fail_open=True, socket_timeout=0.5)
    try:
        status = await limiter.check("default", ip="10.3.0.1")
    finally:
        await limiter.aclose()
    assert not status.enforced
    assert status.headers() == {}


def test_parse_rate_rules_string_form() -> None:
    rules = parse_rate_rules(
        "default=300/minute login=5/minute;20/hour\norders=50/10 second, admin = 120/minute"
    )
    assert rules == {
        "default": ["300 per 1 minute"],
        "login": ["5 per 1 minute", "20 per 1 hour"],
        "orders": ["50 per 10 second"],
        "admin": ["120 per 1 minute"],
    }


def test_parse_rate_rules_mapping_form_and_defaults() -> None:
    assert parse_rate_rules({"default": "1/second", "x": ["2/minute", "3/hour"]}) == {
        "default": ["1 per 1 second"],
        "x": ["2 per 1 minute", "3 per 1 hour"],
    }
    assert set(parse_rate_rules(DEFAULT_RATE_RULES)) == {
        "default",
        "login",
        "token_refresh",
        "email_verification",
        "register",
        "password_reset",
        "orders",
        "admin",
    }


@pytest.mark.parametrize(
    "spec",
    ["default=lots", "300/minute", "Bad Name=1/minute", "default=", "default=5/fortnight"],
)
def test_parse_rate_rules_rejects_nonsense(spec: str) -> None:
    with pytest.raises(ConfigurationError):
        parse_rate_rules(spec)


def test_default_class_is_required_and_storage_checked() -> None:
    with pytest.raises(ConfigurationError):
        RateLimiter("memory://", {"login": ["5/minute"]})
    with pytest.raises(ConfigurationError):
        RateLimiter("memcached://localhost", RULES)


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, "unknown"),
        ("", "unknown"),
        ("not/an ip", "raw:not%2Fan%20ip"),
    ],
)
def test_client_key(ip: str | None, key: str) -> None:
    assert client_key(ip) == key


def test_status_headers_never_negative() -> None:
    from datetime import UTC, datetime

    status = RateLimitStatus(limit=3, remaining=-1, reset_at=datetime.fromtimestamp(10.2, UTC))
    assert status.headers() == {
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "11",
    }
