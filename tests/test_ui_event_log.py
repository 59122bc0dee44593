"""The event log's waiting: every viewer woken by an event, each deadline kept by one timer.

Pure asyncio, no services: the log is what every SSE stream of the listener waits on.
"""

from __future__ import annotations

import asyncio

from optio_codex.ui.event_log import EventLog


async def test_an_append_wakes_every_waiter() -> None:
    log = EventLog(base=1)
    waiters = [asyncio.create_task(log.wait(60)) for _ in range(100)]
    await asyncio.sleep(0)
    log.append({"method": "x"})
    assert await asyncio.gather(*waiters) == [True] * 100
    assert not log._waiters  # nothing left behind


async def test_each_waiter_times_out_on_its_own_deadline() -> None:
    log = EventLog(base=1)
    short = asyncio.create_task(log.wait(0.05))
    long = asyncio.create_task(log.wait(30))
    assert await short is False
    assert not long.done()  # the shared timer moved on to the later deadline
    log.append({"method": "x"})
    assert await long is True


async def test_a_shorter_wait_after_a_longer_one_is_not_held_up() -> None:
    log = EventLog(base=1)
    long = asyncio.create_task(log.wait(30))
    await asyncio.sleep(0)
    assert await log.wait(0.05) is False
    assert not long.done()
    log.close()
    assert await long is True


async def test_a_cancelled_waiter_is_forgotten() -> None:
    log = EventLog(base=1)
    gone = asyncio.create_task(log.wait(30))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    assert not log._waiters
    log.close()
    assert log._timer is None
    assert await log.wait(30) is True  # closed: returns at once
