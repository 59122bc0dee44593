"""1000 pipelined requests all end answered, against the real server and an overloading fake."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.protocol.endpoint import EndpointLimits
from tests.conftest import Launcher
from tests.support.fake_server import FakeAppServer


async def test_real_server_answers_1000_pipelined_requests(start_local: Launcher) -> None:
    conversation = await start_local()
    started = time.monotonic()
    results = await asyncio.gather(
        *(conversation.request("model/list", {}) for _ in range(1000)), return_exceptions=True
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert all(isinstance(r, dict) and "data" in r for r in results)
    print(
        f"1000 model/list in {time.monotonic() - started:.2f}s, "
        f"{conversation.stats.overload_retries} overload retries"
    )


async def test_overloaded_server_is_retried_until_all_are_answered() -> None:
    # Request n is refused with -32001 (n % 3) times before it is answered: 999 refusals.
    attempts: Counter[int] = Counter()

    def flaky(message: dict[str, Any]) -> dict[str, Any]:
        n = message["params"].get("n", 0)
        attempts[n] += 1
        if attempts[n] <= n % 3:
            return {"error": {"code": -32001, "message": "Server overloaded; retry later."}}
        return {"result": {"data": [], "n": n}}

    server = FakeAppServer({"model/list": flaky})
    limits = EndpointLimits(overload_backoff_base=0.001, overload_backoff_max=0.01)
    conversation = await CodexConversation.start(
        server, ConversationOptions(cwd="/w", limits=limits)
    )
    retries_before = conversation.stats.overload_retries
    results = await asyncio.gather(
        *(conversation.request("model/list", {"n": i}) for i in range(1000))
    )
    assert [r["n"] for r in results] == list(range(1000))
    assert conversation.stats.overload_retries - retries_before == sum(i % 3 for i in range(1000))
    await conversation.close()
