"""Calling an in-process service's direct route (:mod:`burency_common.direct`).

The gateway has already admitted the request (path, route, authentication, scopes,
rate limits) when it gets here; this reads the body, calls the handler with the
verified identity and writes its answer, or reports that the handler declined so the
request is forwarded through the service's app as usual.

Only bodies that declare a ``Content-Length`` of at most :data:`MAX_DIRECT_BODY` take
the direct route (an order is a few hundred bytes); a chunked or larger body goes
through the app untouched, so its limits and errors stay the service's own.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Scope, Send

from burency_common.direct import DirectRequest, DirectResponse, DirectRoute
from burency_common.errors import BurencyError, UpstreamTimeout
from burency_common.identity import Identity
from burency_common.logging import get_logger
from burency_gateway.proxy.deadlines import Deadlines
from burency_gateway.proxy.forward import send_problem
from burency_gateway.routes import MatchedRoute

__all__ = ["MAX_DIRECT_BODY", "DirectCall", "direct_body_length"]

MAX_DIRECT_BODY = 64 * 1024
RawHeader = tuple[bytes, bytes]
_log = get_logger("burency.gateway.direct")


def direct_body_length(scope: Scope) -> int | None:
    """The declared body length when the request may take a direct route, else None."""
    declared: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"content-length":
            if declared is not None and value != declared:
                return None
            declared = value
        elif name == b"transfer-encoding":
            return None
    if declared is None:
        return 0 if scope["method"] in ("GET", "DELETE", "HEAD") else None
    if not declared.isdigit() or len(declared) > 6:
        return None
    length = int(declared)
    return length if length <= MAX_DIRECT_BODY else None


class DirectCall:
    """One admitted request for a direct route."""

    __slots__ = ("deadlines", "identity", "params", "route", "target")

    def __init__(
        self,
        target: DirectRoute,
        params: dict[str, str],
        route: MatchedRoute,
        identity: Identity | None,
        deadlines: Deadlines,
    ) -> None:
        self.target = target
        self.params = params
        self.route = route
        self.identity = identity
        self.deadlines = deadlines

    async def answer(
        self,
        scope: Scope,
        body: bytes,
        send: Send,
        request_id: str | None,
        headers: Sequence[RawHeader] = (),
    ) -> bool:
        """Call the handler and send its answer, with each of ``headers`` it does not set
        itself (the gateway's rate-limit and cache headers); False when it declined."""
        path = self.route.upstream_path
        request = DirectRequest(
            method=scope["method"],
            path=path,
            query=scope.get("query_string", b""),
            headers=scope["headers"],
            body=body,
            identity=self.identity,
            params=self.params,
        )
        try:
            response = await self.deadlines.run(self.target.handler(request), self.route.timeout)
        except TimeoutError:
            error = UpstreamTimeout(
                f"the {self.route.service.name} service did not answer within "
                f"{self.route.timeout:g} s"
            )
            await send_problem(
                send, error, scope={"path": path}, request_id=request_id, extra_headers=headers
            )
            return True
        except BurencyError as exc:  # as the service's app answers it (instance: its path)
            if exc.status >= 500:
                _log.error("request.failed", code=exc.code, path=path)
            await send_problem(
                send, exc, scope={"path": path}, request_id=request_id, extra_headers=headers
            )
            return True
        except Exception as exc:  # as the service's app: logged, a 500 without details
            _log.exception("request.crashed", path=path, error=type(exc).__name__)
            await _send_internal_error(send, request_id, headers)
            return True
        if response is None:
            return False
        await _send(send, response, headers)
        return True


async def _send(send: Send, response: DirectResponse, added: Sequence[RawHeader]) -> None:
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(response.body)).encode("latin-1")),
    ]
    if response.headers:
        headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
        present = {name for name, _ in headers}
        headers += [(name, value) for name, value in added if name not in present]
    else:  # the usual answer: none of the gateway's headers can be there already
        headers += added
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


async def _send_internal_error(
    send: Send, request_id: str | None, headers: Sequence[RawHeader]
) -> None:
    """The body the service's app writes for an unexpected error (no instance)."""
    error = BurencyError("An unexpected error occurred; quote the request id when reporting it.")
    await send_problem(send, error, scope={}, request_id=request_id, extra_headers=headers)
