"""Resolving the loop side's futures once a batch is durable (on the asyncio loop).

A request's results are the next ``len(request.commands)`` of the batch's, in order: one
for ``submit``, all for ``submit_many``; a decided request (``submit_decided``) resolves
with its decision's value and its command's result, or ``None`` when it chose none.
"""

from __future__ import annotations

import asyncio
from typing import Any

from burency_trading.service.ports import CommandResult
from burency_trading.service.runner_thread import Request
from burency_trading.service.runner_types import CommandFailed

__all__ = ["resolve", "settle"]


def resolve(requests: list[Request], results: list[CommandResult], failed: frozenset[int]) -> None:
    """Resolve every request of a durable batch (``failed``: seqs the engine raised on)."""
    start = 0
    for request in requests:
        end = start + len(request.commands)
        future: asyncio.Future[Any] = request.token
        if request.decide is not None:
            _settle_decided(request, future, results[start:end], failed)
        elif not future.done():
            if request.many:
                future.set_result(results[start:end])
            elif results[start].seq in failed:
                future.set_exception(CommandFailed(results[start].seq))
            else:
                future.set_result(results[start])
        start = end


def _settle_decided(
    request: Request,
    future: asyncio.Future[Any],
    results: list[CommandResult],
    failed: frozenset[int],
) -> None:
    if future.done():
        return
    if isinstance(request.decided, BaseException):
        future.set_exception(request.decided)
    elif results and results[0].seq in failed:
        future.set_exception(CommandFailed(results[0].seq))
    else:
        future.set_result((request.decided, results[0] if results else None))


def settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
