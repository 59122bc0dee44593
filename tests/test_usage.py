"""Usage and cost: the price table (lookup, overrides, arithmetic), the tally of codex's
usage notifications, the summary's lines, and a real run that publishes its figures.

The engine runs are real: optio engine on a real mongod, real sshd, real codex; the model is
scripted and reports the usage each response cost.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorGridFSBucket

from optio_codex.cli.summary import usage_lines
from optio_codex.driver.turns import TokenUsage
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.prices import (
    DEFAULT_PRICES,
    PRICES_AS_OF,
    ModelPrice,
    cost,
    lookup_price,
)
from optio_codex.task.usage import RESULT_FILE, usage_of
from optio_codex.task.usage_tally import UsageTally, turn_line
from optio_codex.testing.model_server import ScriptedModelServer, text, usage
from optio_codex.testing.sshd import SshdInfo
from tests.support.engine_runs import Engine, launch, log_messages, process_end, process_when
from tests.support.engine_runs import ssh_to as _ssh_to
from tests.test_task_engine import model_config

# -- the price table ------------------------------------------------------------------------


def test_the_default_table_is_dated_and_prices_the_codex_models() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", PRICES_AS_OF)
    for model in ("gpt-5-codex", "gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5", "o4-mini"):
        assert model in DEFAULT_PRICES, model


@pytest.mark.parametrize(
    ("model", "entry"),
    [
        ("gpt-5-codex", "gpt-5-codex"),  # exact
        ("GPT-5-Codex", "gpt-5-codex"),  # ids are compared without case
        ("gpt-5-codex-2025-09-15", "gpt-5-codex"),  # a dated snapshot: the longest prefix
        ("gpt-5-mini-2025-08-07", "gpt-5-mini"),  # not gpt-5
        ("gpt-5.1-codex-mini-high", "gpt-5.1-codex-mini"),
        ("o4-mini-2025-04-16", "o4-mini"),
    ],
)
def test_a_model_is_priced_by_its_entry_or_its_longest_known_prefix(model: str, entry: str) -> None:
    match = lookup_price(model)
    assert match is not None and match.entry == entry, match
    assert match.price == DEFAULT_PRICES[entry]
    assert not match.overridden


@pytest.mark.parametrize(
    "model", ["mock-model", "gpt-5.6-luna", "gpt-6", "gpt-5x", "o4", "", None, "codex"]
)
def test_an_unknown_model_has_no_price_never_a_guess(model: str | None) -> None:
    # gpt-5.6-luna starts with "gpt-5" but does not extend it at a "-": a different model.
    assert lookup_price(model) is None


def test_the_tasks_prices_override_and_extend_the_table() -> None:
    mine = ModelPrice(input=3.0, output=9.0, cached_input=1.0)
    overrides = {"gpt-5-codex": mine, "My-Model": ModelPrice(input=1.0, output=2.0)}
    match = lookup_price("gpt-5-codex-2025-09-15", overrides)
    assert match is not None and match.price == mine and match.overridden
    extended = lookup_price("my-model-v2", overrides)
    assert extended is not None and extended.entry == "my-model" and extended.overridden
    # The others keep the table's price.
    other = lookup_price("gpt-5", overrides)
    assert other is not None and other.price == DEFAULT_PRICES["gpt-5"] and not other.overridden


def test_cost_bills_cached_input_reasoning_and_output_once_each() -> None:
    price = ModelPrice(input=2.0, output=8.0, cached_input=0.5)
    used = TokenUsage(
        input_tokens=1_000_000,
        cached_input_tokens=400_000,
        output_tokens=200_000,  # reasoning is part of the output count
        reasoning_output_tokens=50_000,
        total_tokens=1_200_000,
    )
    # 600k uncached at $2, 400k cached at $0.50, 200k out at $8.
    assert cost(used, price) == pytest.approx(1.2 + 0.2 + 1.6)
    # Without a cached price, cached input is billed as input.
    assert cost(used, ModelPrice(input=2.0, output=8.0)) == pytest.approx(2.0 + 1.6)
    assert cost(TokenUsage(), price) == 0.0


@pytest.mark.parametrize("field", ["input", "output", "cached_input"])
def test_a_price_is_a_number_zero_or_more(field: str) -> None:
    values: dict[str, Any] = {"input": 1.0, "output": 1.0, field: -1}
    with pytest.raises(ValueError, match=field):
        ModelPrice(**values)
    with pytest.raises(ValueError, match="prices"):
        CodexTaskConfig(consumer_instructions="x", prices={"m": 1.0})  # type: ignore[dict-item]


# -- the tally, fed what codex 0.163.0 sends ----------------------------------------------------


def _tokens(i: int, cached: int, out: int, reasoning: int) -> dict[str, int]:
    return {
        "inputTokens": i,
        "cachedInputTokens": cached,
        "cacheWriteInputTokens": 0,
        "outputTokens": out,
        "reasoningOutputTokens": reasoning,
        "totalTokens": i + out,
    }


def _usage_update(turn: str, total: dict[str, int], last: dict[str, int]) -> dict[str, Any]:
    """``thread/tokenUsage/updated`` params as the pinned codex sends them."""
    return {
        "threadId": "th",
        "turnId": turn,
        "tokenUsage": {"total": total, "last": last, "modelContextWindow": 258400},
    }


PRICE = ModelPrice(input=2.0, output=8.0, cached_input=0.5)


def test_turns_and_totals_from_codex_notifications() -> None:
    tally = UsageTally(prices={"mock-model": PRICE}, model="mock-model")
    tally.turn_started("t1")
    first = _tokens(1000, 400, 200, 50)
    tally.usage_updated(_usage_update("t1", first, first))
    one = tally.turn_completed("t1", "completed")
    assert one.usage == TokenUsage(1000, 400, 200, 50, 1200)
    assert one.cost_usd == pytest.approx(0.003)
    tally.turn_started("t2")
    # Two responses in the turn (a tool call, then the answer): two reports.
    tally.usage_updated(_usage_update("t2", _tokens(2000, 400, 300, 50), _tokens(1000, 0, 100, 0)))
    total = _tokens(3000, 400, 500, 50)
    tally.usage_updated(_usage_update("t2", total, _tokens(1000, 0, 200, 0)))
    two = tally.turn_completed("t2", "interrupted")
    assert two.usage == TokenUsage(2000, 0, 300, 0, 2300)
    run = tally.snapshot()
    assert run.total == TokenUsage(3000, 400, 500, 50, 3500)
    assert run.cost_usd == pytest.approx(0.003 + 0.0064)
    assert run.turn_count == 2 and [t.turn_id for t in run.turns] == ["t1", "t2"]
    assert turn_line(two, run) == (
        "turn 2 (interrupted): 2,000 tokens in (0 cached), 300 out (0 reasoning); "
        "total 3,000 / 500; $0.0094"
    )
    figures = run.as_dict()
    assert figures["total"] == {
        "input": 3000,
        "cachedInput": 400,
        "output": 500,
        "reasoning": 50,
        "total": 3500,
    }
    assert figures["turns"][0]["costUsd"] == pytest.approx(0.003)
    assert figures["pricesAsOf"] == PRICES_AS_OF and figures["rateLimits"] is None
    assert figures["prices"]["mock-model"]["overridden"] is True
    json.dumps(figures)  # what is published is JSON


def test_a_resumed_thread_counts_earlier_runs_in_the_total_at_the_current_price() -> None:
    tally = UsageTally(prices={"mock-model": PRICE}, model="mock-model")
    # The first report after a resume carries the thread's whole history.
    tally.usage_updated(
        _usage_update("t9", _tokens(11_000, 0, 1_100, 0), _tokens(1_000, 0, 100, 0))
    )
    turn = tally.turn_completed("t9", "completed")
    assert turn.usage == TokenUsage(1000, 0, 100, 0, 1100)
    run = tally.snapshot()
    assert run.total.total_tokens == 12_100
    assert run.cost_usd == pytest.approx((11_000 * 2 + 1_100 * 8) / 1e6)


def test_a_model_switch_prices_each_turn_at_its_model_and_an_unpriced_one_has_no_cost() -> None:
    tally = UsageTally(prices={"cheap": ModelPrice(input=1.0, output=1.0)}, model="cheap")
    tally.turn_started("a")
    tally.usage_updated(_usage_update("a", _tokens(100, 0, 10, 0), _tokens(100, 0, 10, 0)))
    assert tally.turn_completed("a", "completed").cost_usd == pytest.approx(110 / 1e6)
    tally.model_changed("gpt-5-codex")
    tally.turn_started("b")
    tally.usage_updated(_usage_update("b", _tokens(200, 0, 20, 0), _tokens(100, 0, 10, 0)))
    b = tally.turn_completed("b", "completed")
    assert b.model == "gpt-5-codex"
    assert b.cost_usd == pytest.approx((100 * 1.25 + 10 * 10.0) / 1e6)
    tally.turn_rerouted("c", "some-new-model")
    tally.usage_updated(_usage_update("c", _tokens(300, 0, 30, 0), _tokens(100, 0, 10, 0)))
    c = tally.turn_completed("c", "completed")
    assert c.model == "some-new-model" and c.cost_usd is None
    run = tally.snapshot()
    assert run.cost_usd is None and run.unpriced_models == ("some-new-model",)
    assert "$" not in turn_line(c, run)  # the cost only when every model is priced
    assert usage_lines(run)[0] == (
        "  cost:         not known: no price for some-new-model (set CodexTaskConfig.prices)"
    )


def _snapshot(limit_id: str | None, used: int) -> dict[str, Any]:
    return {
        "limitId": limit_id,
        "limitName": None,
        "planType": "plus",
        "primary": {"usedPercent": used, "windowDurationMins": 300, "resetsAt": 1_900_000_000},
        "secondary": {"usedPercent": 40, "windowDurationMins": 10080, "resetsAt": None},
        "credits": {"hasCredits": False, "unlimited": False, "balance": None},
    }


def test_rate_limit_windows_the_latest_per_limit() -> None:
    tally = UsageTally(model="gpt-5-codex")
    # What account/rateLimits/read answers a ChatGPT sign-in (GetAccountRateLimitsResponse).
    read = {"rateLimits": _snapshot("codex", 12), "rateLimitsByLimitId": None}
    assert tally.rate_limits_read(read)
    assert tally.rate_limits_updated({"rateLimits": _snapshot("codex", 30)})
    assert tally.rate_limits_updated({"rateLimits": _snapshot(None, 31)})  # codex's own
    assert not tally.rate_limits_updated({"rateLimits": {"primary": "full"}})  # unknown shape
    run = tally.snapshot()
    assert run.rate_limits is not None and list(run.rate_limits) == ["codex"]
    assert run.rate_limits["codex"]["primary"]["usedPercent"] == 31
    lines = usage_lines(run)
    assert lines[1].startswith("  rate limits:  codex: 31% used of 5 h (resets "), lines
    assert lines[1].endswith(", 40% used of 7 d"), lines


def test_an_account_without_windows_has_none() -> None:
    tally = UsageTally(model="gpt-5-codex")
    assert not tally.rate_limits_read(None)
    assert not tally.rate_limits_read({"rateLimits": None})
    run = tally.snapshot()
    assert run.rate_limits is None and run.as_dict()["rateLimits"] is None
    assert usage_lines(run) == [
        f"  cost:         $0.0000 (gpt-5-codex at list prices of {PRICES_AS_OF})"
    ]


def test_the_summary_shows_cost_with_the_tables_date() -> None:
    tally = UsageTally(model="gpt-5-codex")
    tally.turn_started("t")
    tally.usage_updated(
        _usage_update("t", _tokens(100_000, 0, 10_000, 0), _tokens(100_000, 0, 10_000, 0))
    )
    tally.turn_completed("t", "completed")
    out = io.StringIO()
    for line in usage_lines(tally.snapshot()):
        out.write(line + "\n")
    assert out.getvalue() == (
        f"  cost:         $0.2250 (gpt-5-codex at list prices of {PRICES_AS_OF})\n"
    )


# -- a real run ---------------------------------------------------------------------------


def _config(model_server: ScriptedModelServer, base: Path, sshd: SshdInfo, **kw: Any) -> Any:
    return CodexTaskConfig(
        consumer_instructions="Answer, then wait.",
        ssh=_ssh_to(sshd),
        task_root=str(base / "tasks"),
        codex_config=model_config(model_server, base),
        max_nudges=0,  # the test sends each turn; nothing else may start one
        **kw,
    )


def _with_cached(tokens: dict[str, Any], cached: int) -> dict[str, Any]:
    return {**tokens, "input_tokens_details": {"cached_tokens": cached}}


async def _result_file(mongo_db: Any, proc: dict[str, Any]) -> Any:
    stream = await AsyncIOMotorGridFSBucket(mongo_db).open_download_stream(proc["result"]["fileId"])
    return json.loads(await stream.read())


EXPECTED_LINES = [
    "turn 1: 1,000 tokens in (400 cached), 200 out (50 reasoning); total 1,000 / 200; $0.0030",
    "turn 2: 2,000 tokens in (0 cached), 300 out (0 reasoning); total 3,000 / 500; $0.0094",
]


async def test_a_run_reports_publishes_and_stores_its_usage_at_the_tasks_prices(
    engine: Engine,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
) -> None:
    fw, _ = engine
    model_server.script(
        text("First.", tokens=_with_cached(usage(1000, 200, reasoning_tokens=50), 400)),
        text("Second.", tokens=usage(2000, 300)),
    )
    config = _config(model_server, host_dir, sshd, prices={"mock-model": PRICE})
    conversation = await launch(engine, "usage-1", config)
    # The host UI makes widgetData an object; it is not built yet, so the test does.
    await mongo_db["t_processes"].update_one({"processId": "usage-1"}, {"$set": {"widgetData": {}}})
    await conversation.run_turn("One.", timeout=60)
    await conversation.run_turn("Two.", timeout=60)

    proc = await process_when(
        fw, "usage-1", lambda p: EXPECTED_LINES[1] in log_messages(p), within=30
    )
    messages = log_messages(proc)
    assert [m for m in messages if m.startswith("turn ")] == EXPECTED_LINES, messages
    proc = await process_when(
        fw,
        "usage-1",
        lambda p: ((p.get("widgetData") or {}).get("usage") or {}).get("turnCount") == 2,
    )
    widget = proc["widgetData"]["usage"]
    assert widget["model"] == "mock-model"
    assert widget["total"] == {
        "input": 3000,
        "cachedInput": 400,
        "output": 500,
        "reasoning": 50,
        "total": 3500,
    }
    assert widget["costUsd"] == pytest.approx(0.0094)
    assert [t["costUsd"] for t in widget["turns"]] == [pytest.approx(0.003), pytest.approx(0.0064)]
    assert widget["prices"]["mock-model"] == {
        "entry": "mock-model",
        "input": 2.0,
        "cachedInput": 0.5,
        "output": 8.0,
        "overridden": True,
    }
    assert widget["pricesAsOf"] == PRICES_AS_OF
    # An account without a ChatGPT sign-in has no rate-limit windows.
    assert widget["rateLimits"] is None
    live = usage_of(conversation)
    assert live is not None and live.as_dict() == widget

    await conversation.close()
    proc = await process_end(fw, "usage-1")
    assert proc["status"]["state"] == "done", proc["status"]
    assert proc["result"]["filename"] == RESULT_FILE, proc["result"]
    assert proc["result"]["contentType"] == "application/json"
    assert await _result_file(mongo_db, proc) == widget


async def test_a_result_the_task_stored_itself_stays_and_an_unpriced_model_shows_no_cost(
    engine: Engine,
    mongo_db: Any,
    sshd: SshdInfo,
    model_server: ScriptedModelServer,
    host_dir: Path,
) -> None:
    fw, _ = engine

    async def after_execute(hook_ctx: Any) -> None:
        async with hook_ctx.store_result("mine.txt", "text/plain") as writer:
            await writer.write(b"the task's own result")

    model_server.script(text("Only.", tokens=usage(500, 50)))
    config = _config(model_server, host_dir, sshd, after_execute=after_execute)
    conversation = await launch(engine, "usage-2", config)
    await conversation.run_turn("One.", timeout=60)
    line = "turn 1: 500 tokens in (0 cached), 50 out (0 reasoning); total 500 / 50"
    await process_when(fw, "usage-2", lambda p: line in log_messages(p), within=30)
    await conversation.close()
    proc = await process_end(fw, "usage-2")
    assert proc["status"]["state"] == "done", proc["status"]
    assert proc["result"]["filename"] == "mine.txt", proc["result"]
    # No widget was asked for: widgetData stays as optio left it.
    assert proc.get("widgetData") is None
    live = usage_of(conversation)
    assert live is not None and live.cost_usd is None
    assert live.unpriced_models == ("mock-model",)
