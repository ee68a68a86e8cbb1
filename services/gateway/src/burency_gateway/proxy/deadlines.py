"""Deadlines of in-flight direct calls, kept by one loop timer instead of one per call.

``asyncio.timeout`` around each direct call cost a ``Timeout`` object, a timer handle
pushed on the loop's heap and cancelled again, ~5 µs a request on the order lane, for a
deadline that is almost never reached. Here a call's deadline is an entry appended to a
queue of its timeout (calls of one timeout start, hence expire, in order), and a single
timer sleeps until the earliest deadline of any queue's first entry still running.

The semantics are ``asyncio.timeout``'s: the deadline is ``loop.time() + timeout`` taken
when the call starts; when it passes with the call still running, the call's task is
cancelled, and the ``CancelledError`` that comes out of the call is turned into
``TimeoutError`` unless the task was also cancelled by someone else (then it stays a
cancellation, as ``Timeout.__aexit__`` decides with ``Task.uncancel``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["Deadlines"]

T = TypeVar("T")


class _Call:
    __slots__ = ("cancelling", "deadline", "expired", "queue", "task")

    def __init__(
        self, task: asyncio.Task[object] | None, deadline: float, queue: deque[_Call]
    ) -> None:
        self.task = task  # None once the call is over (the entry keeps no task alive)
        self.deadline = deadline
        self.cancelling = task.cancelling() if task is not None else 0
        self.queue = queue
        self.expired = False


class Deadlines:
    """Runs awaitables with a deadline each (:meth:`run`), on the current event loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[float, deque[_Call]] = {}
        self._timer: asyncio.TimerHandle | None = None

    async def run(self, awaitable: Awaitable[T], timeout: float) -> T:  # noqa: ASYNC109
        """``await awaitable``, raising ``TimeoutError`` once ``timeout`` seconds pass."""
        call = self._start(timeout)
        try:
            result = await awaitable
        except asyncio.CancelledError:
            if self._finish(call):
                raise TimeoutError from None
            raise
        except BaseException:  # the call is over too: its deadline must not cancel the task
            self._finish(call)
            raise
        self._finish(call)
        return result

    def _start(self, timeout: float) -> _Call:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests): the old one's state is moot
            self._loop, self._queues, self._timer = loop, {}, None
        queue = self._queues.get(timeout)
        if queue is None:
            queue = self._queues[timeout] = deque()
        call = _Call(asyncio.current_task(), loop.time() + timeout, queue)
        queue.append(call)
        timer = self._timer
        if timer is None or timer.when() > call.deadline:
            if timer is not None:
                timer.cancel()
            self._timer = loop.call_at(call.deadline, self._sweep)
        return call

    def _finish(self, call: _Call) -> bool:
        """End ``call``; whether its deadline cancelled it (and nobody else did)."""
        task, call.task = call.task, None
        queue = call.queue
        while queue and queue[0].task is None:  # calls mostly end in the order they began
            queue.popleft()
        if not call.expired or task is None:
            return False
        return task.uncancel() <= call.cancelling

    def _sweep(self) -> None:
        """Cancel the calls past their deadline, drop the finished ones, sleep until the
        next deadline of a call still running."""
        assert self._loop is not None
        now = self._loop.time()
        earliest: float | None = None
        for queue in self._queues.values():
            while queue and (queue[0].task is None or queue[0].deadline <= now):
                call = queue.popleft()
                if call.task is not None:
                    call.expired = True
                    call.task.cancel()
            if queue and (earliest is None or queue[0].deadline < earliest):
                earliest = queue[0].deadline
        self._timer = None if earliest is None else self._loop.call_at(earliest, self._sweep)
