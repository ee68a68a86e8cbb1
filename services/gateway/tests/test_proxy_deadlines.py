"""``Deadlines.run``: ``asyncio.timeout``'s behaviour with one timer for every call."""

from __future__ import annotations

import asyncio

import pytest

from burency_gateway.proxy.deadlines import Deadlines


async def _answer(value: str, delay: float = 0.0) -> str:
    await asyncio.sleep(delay)  # the call's own work, not a wait for a result
    return value


async def _stuck(started: asyncio.Event) -> None:
    """A call that says it has begun (its deadline is registered by then), then hangs."""
    started.set()
    await asyncio.Event().wait()


async def test_a_call_in_time_returns_its_result_and_leaves_no_cancellation() -> None:
    deadlines = Deadlines()
    assert await deadlines.run(_answer("ok"), 5.0) == "ok"
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0


async def test_a_stuck_call_times_out_and_the_task_is_not_left_cancelled() -> None:
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await deadlines.run(asyncio.Event().wait(), 0.05)
    assert loop.time() - started >= 0.05
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    assert await deadlines.run(_answer("next"), 5.0) == "next"  # the task goes on as usual


async def test_a_shorter_deadline_started_later_fires_first() -> None:
    deadlines = Deadlines()
    started = asyncio.Event()
    long = asyncio.create_task(deadlines.run(_stuck(started), 30.0))
    await started.wait()
    with pytest.raises(TimeoutError):
        await deadlines.run(asyncio.Event().wait(), 0.05)
    assert not long.done()
    long.cancel()
    with pytest.raises(asyncio.CancelledError):
        await long


async def test_every_stuck_call_of_a_queue_times_out_and_the_others_answer() -> None:
    deadlines = Deadlines()

    async def stuck(timeout: float) -> str:
        try:
            await deadlines.run(asyncio.Event().wait(), timeout)
        except TimeoutError:
            return "timeout"
        return "answered"

    calls = []
    for n in range(6):  # deadlines 10 ms apart, the answers well within theirs
        calls.append(asyncio.create_task(stuck(0.05 + n * 0.01)))
        calls.append(asyncio.create_task(deadlines.run(_answer(f"a{n}", 0.001), 5.0)))
    results = await asyncio.gather(*calls)
    assert results == [r for n in range(6) for r in ("timeout", f"a{n}")]


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    deadlines = Deadlines()
    started = asyncio.Event()
    call = asyncio.create_task(deadlines.run(_stuck(started), 30.0))
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call


async def test_cancelled_elsewhere_and_expired_stays_a_cancellation() -> None:
    deadlines = Deadlines()

    async def cancelled_at_the_deadline() -> None:
        task = asyncio.current_task()
        assert task is not None
        asyncio.get_running_loop().call_later(0.05, task.cancel)
        await deadlines.run(asyncio.Event().wait(), 0.05)

    call = asyncio.create_task(cancelled_at_the_deadline())
    with pytest.raises(asyncio.CancelledError):
        await call


async def test_finished_calls_are_not_kept() -> None:
    deadlines = Deadlines()
    for n in range(1000):
        assert await deadlines.run(_answer(str(n)), 10.0) == str(n)
    assert sum(len(queue) for queue in deadlines._queues.values()) == 0


async def _refuse() -> str:
    await _answer("looked up")  # the handler awaits once (its engine round trip) first
    raise ValueError("insufficient funds")  # a handler's BurencyError, 4xx, say


async def test_a_call_that_raises_is_over_and_its_deadline_never_cancels_the_task_later() -> None:
    """A direct handler that refuses (a 4xx BurencyError: the common case for a bad order)
    ends its call: the task that ran it (an in-process client's, or the request's while it
    still writes the problem to a slow client) must not be cancelled at the old deadline."""
    deadlines = Deadlines()
    with pytest.raises(ValueError, match="insufficient funds"):
        await deadlines.run(_refuse(), 0.05)
    # past the deadline of the refused call, the same task still runs undisturbed
    past_deadline = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_later(0.15, past_deadline.set_result, None)
    await past_deadline  # a cancellation from the stale deadline would raise here
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    assert sum(len(queue) for queue in deadlines._queues.values()) == 0  # nor kept
