"""Credential verification cost: access tokens, password hashes and API-key signatures.

Measures, single-threaded on one core, each in a bounded loop of a few seconds:

(a) Ed25519 access-token verifications/s through the gateway's ``Authenticator``
    (``LocalKeySource`` + ``MemoryRevocationStore``: signature, claims, revocation);
(b) raw ``burency_common.tokens.verify_token``/s (signature and claims only);
(c) argon2id cost per hash and per verification in ms with the OWASP minimum
    parameters (m=19456 KiB, t=2, p=1) and the logins/s per core that implies;
(d) API-key request verifications/s (``parse_signed_request`` + ``verify_signed_request``)
    for a typical order (query + small JSON body) and a 16 KiB body.

The figures size the auth service (argon2 dominates a login by orders of magnitude)
and show that per-request credential checks are not the gateway's bottleneck.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from _common import percentile, write_result
from argon2 import PasswordHasher, Type

from burency_common.apikeys import parse_signed_request, sign, verify_signed_request
from burency_common.timeutil import to_epoch_ms
from burency_common.tokens import KeyRing, SigningKey, TokenType, issue_token, verify_token
from burency_gateway.security import Authenticator, LocalKeySource, MemoryRevocationStore

SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ARGON2_SECONDS = float(os.environ.get("BENCH_ARGON2_SECONDS", "4"))
ISSUER, AUDIENCE = "burency-auth", "burency-api"
NOW = datetime.now(UTC)


def _stats(samples: list[float], wall: float, cpu: float) -> dict[str, float]:
    """Throughput per CPU-second (steady on a shared machine) and per wall-second, and
    per-operation wall-clock percentiles in microseconds."""
    return {
        "ops_per_s": round(len(samples) / cpu),
        "cpu_us_per_op": round(cpu / len(samples) * 1e6, 1),
        "wall_ops_per_s": round(len(samples) / wall),
        "p50_us": round(percentile(samples, 50) * 1e6, 1),
        "p99_us": round(percentile(samples, 99) * 1e6, 1),
        "samples": len(samples),
    }


def _loop(operation: Callable[[], object], seconds: float, minimum: int = 1) -> dict[str, float]:
    """Run ``operation`` until ``seconds`` pass (at least ``minimum`` times), timing each call."""
    operation()  # warm-up: first-call caches are not what we measure
    samples: list[float] = []
    started, cpu_started = time.perf_counter(), time.thread_time()
    deadline = started + seconds
    while len(samples) < minimum or time.perf_counter() < deadline:
        before = time.perf_counter()
        operation()
        samples.append(time.perf_counter() - before)
    return _stats(samples, time.perf_counter() - started, time.thread_time() - cpu_started)


async def _async_loop(
    operation: Callable[[], Awaitable[object]], seconds: float
) -> dict[str, float]:
    await operation()
    samples: list[float] = []
    started, cpu_started = time.perf_counter(), time.thread_time()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        before = time.perf_counter()
        await operation()
        samples.append(time.perf_counter() - before)
    return _stats(samples, time.perf_counter() - started, time.thread_time() - cpu_started)


def _access_token(ring: KeyRing) -> str:
    return issue_token(
        ring,
        subject="user-1",
        token_type=TokenType.ACCESS,
        issuer=ISSUER,
        audience=AUDIENCE,
        ttl=timedelta(minutes=15),
        now=NOW,
        claims={"roles": ["trader"], "sid": "sess-1"},
    )


def bench_tokens() -> tuple[dict[str, float], dict[str, float]]:
    """(a) through the Authenticator, (b) raw verify_token; same key, same token."""
    ring = KeyRing(SigningKey.generate())
    token = _access_token(ring)
    revocations = MemoryRevocationStore(clock=lambda: NOW)
    authenticator = Authenticator(
        LocalKeySource(ring),
        issuer=ISSUER,
        audience=AUDIENCE,
        revocations=revocations,
        clock=lambda: NOW,
    )
    header = f"Bearer {token}"

    async def through_gateway() -> dict[str, float]:
        # A few revoked entries so the revocation lookups are not against empty tables.
        for n in range(1000):
            await revocations.revoke_token(f"jti-{n}", NOW + timedelta(hours=1))
        return await _async_loop(lambda: authenticator.authenticate(header), SECONDS)

    gateway = asyncio.run(through_gateway())
    raw = _loop(
        lambda: verify_token(
            token,
            keys=ring,
            issuer=ISSUER,
            audience=AUDIENCE,
            expected_type=TokenType.ACCESS,
            now=NOW,
        ),
        SECONDS,
    )
    return gateway, raw


def bench_argon2() -> tuple[dict[str, float], dict[str, float]]:
    """(c) argon2id hash and verify at the OWASP minimum; a login costs one verify."""
    hasher = PasswordHasher(
        time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
    )
    password = "correct horse battery staple"
    stored = hasher.hash(password)
    hashing = _loop(lambda: hasher.hash(password), ARGON2_SECONDS / 2, minimum=5)
    verifying = _loop(lambda: hasher.verify(stored, password), ARGON2_SECONDS / 2, minimum=5)
    return hashing, verifying


def bench_api_keys(body_size: int) -> dict[str, float]:
    """(d) what the auth service does per API-key request: parse, window, HMAC, compare."""
    secret = "x" * 43
    timestamp = to_epoch_ms(NOW)
    query = f"symbol=BTC-USDT&side=BUY&type=LIMIT&price=64000.5&qty=0.25&timestamp={timestamp}"
    body = b'{"clientOrderId":"c-123","timeInForce":"GTC"}'.ljust(body_size, b" ")
    sent = f"{query}&signature={sign(secret, query, body)}"
    return _loop(
        lambda: verify_signed_request(secret, parse_signed_request(sent, body), now_ms=timestamp),
        SECONDS,
    )


def _print_table(
    micro: list[tuple[str, dict[str, float]]], milli: list[tuple[str, dict[str, float]]]
) -> None:
    print(f"Single-threaded, one event loop, ~{SECONDS:g} s per row; {os.cpu_count()} cores.")
    print("ops/s = per CPU-second of this thread (one core); p50/p99 = wall clock per operation.")
    print(f"  {'operation':<40} {'ops/s':>10} {'p50':>12} {'p99':>12}")
    for name, result in micro:
        p50, p99 = f"{result['p50_us']:.1f} us", f"{result['p99_us']:.1f} us"
        print(f"  {name:<40} {result['ops_per_s']:>10,.0f} {p50:>12} {p99:>12}")
    for name, result in milli:
        p50, p99 = f"{result['p50_us'] / 1000:.1f} ms", f"{result['p99_us'] / 1000:.1f} ms"
        print(f"  {name:<40} {result['ops_per_s']:>10,.1f} {p50:>12} {p99:>12}")


def main() -> None:
    gateway, raw = bench_tokens()
    hashing, verifying = bench_argon2()
    small, large = bench_api_keys(64), bench_api_keys(16 * 1024)
    hash_ms, verify_ms = hashing["cpu_us_per_op"] / 1000, verifying["cpu_us_per_op"] / 1000
    logins = 1000 / verify_ms
    _print_table(
        [
            ("(a) access token via Authenticator", gateway),
            ("(b) verify_token (Ed25519 + claims)", raw),
            ("(d) API-key signature, 64 B body", small),
            ("(d) API-key signature, 16 KiB body", large),
        ],
        [("(c) argon2id hash", hashing), ("(c) argon2id verify (= one login)", verifying)],
    )
    print(
        f"  argon2id m=19456 KiB t=2 p=1: {hash_ms:.1f} ms CPU/hash,"
        f" {verify_ms:.1f} ms CPU/login -> {logins:.0f} logins/s per core"
    )
    write_result(
        "token_verify",
        {
            "authenticator_verifications_per_s": gateway["ops_per_s"],
            "authenticator_p50_us": gateway["p50_us"],
            "authenticator_p99_us": gateway["p99_us"],
            "verify_token_per_s": raw["ops_per_s"],
            "verify_token_p50_us": raw["p50_us"],
            "argon2id_params": "m=19456KiB,t=2,p=1",
            "argon2id_hash_cpu_ms": round(hash_ms, 2),
            "argon2id_hash_wall_ms_p50": round(hashing["p50_us"] / 1000, 2),
            "argon2id_hash_wall_ms_p99": round(hashing["p99_us"] / 1000, 2),
            "argon2id_verify_cpu_ms": round(verify_ms, 2),
            "argon2id_logins_per_s_per_core": round(logins, 1),
            "api_key_verifications_per_s": small["ops_per_s"],
            "api_key_p50_us": small["p50_us"],
            "api_key_16kib_verifications_per_s": large["ops_per_s"],
            "seconds_per_row": SECONDS,
            "cpu_cores": os.cpu_count(),
        },
    )


if __name__ == "__main__":
    main()
