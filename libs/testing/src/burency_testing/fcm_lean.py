"""The FCM stand-in for the benchmark: the same wire format as :mod:`.fcm_server`
(token endpoint verifying the RS256 assertion, ``messages:send`` with Bearer check),
as a bare asyncio protocol so it costs a few tens of microseconds per request instead
of an aiohttp server's ~130. It only counts deliveries per registration token.

``python -m burency_testing.fcm_lean --public-key F --client-email E --port N``
prints ``ready``; ``GET /stats`` -> ``{received, unique, duplicates}``, ``POST /reset``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from collections import Counter
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs

from burency_testing.fcm_server import GRANT, check_assertion

_SEND_SUFFIX = b"/messages:send"


class Counts:
    def __init__(self, public_key: str, client_email: str, token_uri: str, project: str) -> None:
        self.public_key, self.client_email, self.token_uri = public_key, client_email, token_uri
        self.project = project
        self.tokens: Counter[str] = Counter()
        self.received = 0
        self.access: set[bytes] = set()

    def token(self, body: bytes) -> tuple[int, bytes]:
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != GRANT:
            return 400, b'{"error":"unsupported_grant_type"}'
        refusal = check_assertion(
            form.get("assertion", ""), self.public_key, self.client_email, self.token_uri
        )
        if refusal is not None:
            return 400, json.dumps(refusal).encode()
        access = "ya29." + secrets.token_urlsafe(24)
        self.access.add(access.encode())
        return 200, json.dumps(
            {"access_token": access, "expires_in": 3600, "token_type": "Bearer"}
        ).encode()

    def send(self, authorization: bytes, body: bytes) -> tuple[int, bytes]:
        if authorization[7:] not in self.access:
            return 401, b'{"error":{"code":401,"status":"UNAUTHENTICATED","message":"bad token"}}'
        token = json.loads(body)["message"]["token"]
        self.tokens[token] += 1
        self.received += 1
        return 200, b'{"name":"projects/%s/messages/0:%d"}' % (self.project.encode(), self.received)

    def stats(self) -> bytes:
        duplicates = sum(n - 1 for n in self.tokens.values() if n > 1)
        return json.dumps(
            {"received": self.received, "unique": len(self.tokens), "duplicates": duplicates}
        ).encode()


class FcmProtocol(asyncio.Protocol):
    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].split(b"\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self.respond(*self.route(head[0], headers, body))

    def route(self, line: bytes, headers: dict[bytes, bytes], body: bytes) -> tuple[int, bytes]:
        method, path, _ = line.split(b" ", 2)
        if method == b"POST" and path.endswith(_SEND_SUFFIX):
            return self.counts.send(headers.get(b"authorization", b""), body)
        if method == b"POST" and path == b"/token":
            return self.counts.token(body)
        if path == b"/stats":
            return 200, self.counts.stats()
        if method == b"POST" and path == b"/reset":
            self.counts.tokens.clear()
            self.counts.received = 0
            return 200, b"{}"
        return 404, b'{"error":{"code":404,"status":"NOT_FOUND"}}'

    def respond(self, status: int, body: bytes) -> None:
        assert self.transport is not None
        reason = b"OK" if status == 200 else b"Error"
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (status, reason, len(body), body)
        )


async def _serve(args: argparse.Namespace) -> None:
    token_uri = f"http://127.0.0.1:{args.port}/token"
    public_key = Path(args.public_key).read_text()  # noqa: ASYNC240 - once, before serving
    counts = Counts(public_key, args.client_email, token_uri, args.project)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: FcmProtocol(counts), "127.0.0.1", args.port)
    print("ready", flush=True)  # noqa: T201 - the parent waits for this line
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description="lean local FCM v1 + OAuth2 token stand-in")
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--client-email", required=True)
    parser.add_argument("--project", default="burency-test")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        asyncio.run(_serve(args))
    else:
        uvloop.run(_serve(args))


if __name__ == "__main__":
    main()
