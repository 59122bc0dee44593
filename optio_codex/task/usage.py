"""Usage and cost, for every task: a run companion that follows the conversation's token
usage and the account's rate limits and publishes them.

- a progress line at each turn's end (``turn 2: 12,345 tokens in (10,000 cached), ...``);
- ``widgetData.usage`` on the process record, when the record's widgetData is an object
  (the host UI makes it one), rewritten at most once per turn end and once per rate-limit
  update (a write still in flight absorbs the next ones: the latest figures win);
- at the end, the run's result file ``codex-usage.json`` (unless the task stored a result of
  its own, e.g. in ``after_execute``);
- :attr:`UsageCompanion.usage`, and :func:`usage_of` a conversation, for a caller in the same
  process (the command line's summary).

The figures themselves are counted in :mod:`optio_codex.task.usage_tally`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.events import Subscription
from optio_codex.task.companions import RunCompanion, RunEnding, RunView, conversation_of
from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.usage_tally import RunUsage, UsageTally, turn_line

log = logging.getLogger(__name__)

RESULT_FILE = "codex-usage.json"
RATE_LIMITS_READ_TIMEOUT = 20.0
DRAIN_TIMEOUT = 3.0  # at the end, for the events already queued
# A task that ends well often ends mid-turn: the agent writes DONE, then says its last
# words. Its figures are complete once that turn ends, which is worth a short wait.
FINAL_TURN_WAIT = 3.0

_by_conversation: weakref.WeakKeyDictionary[CodexConversation, UsageCompanion] = (
    weakref.WeakKeyDictionary()
)


def usage_of(conversation: Any) -> RunUsage | None:
    """The usage of the run ``conversation`` belongs to (None when no usage companion
    follows it, e.g. a conversation started outside a task)."""
    try:
        companion = _by_conversation.get(conversation)
    except TypeError:  # not weak-referenceable: not one of ours
        return None
    return companion.usage if companion is not None else None


class LatestWriter:
    """Runs ``write`` after each :meth:`poke`, never two at once: pokes that arrive while a
    write is in flight are served by one more write, with the figures of that moment."""

    def __init__(self, write: Callable[[], Awaitable[None]]) -> None:
        self._write = write
        self._wanted = False
        self._task: asyncio.Task[None] | None = None
        self.writes = 0

    def poke(self) -> None:
        self._wanted = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._wanted:
            self._wanted = False
            try:
                await self._write()
                self.writes += 1
            except Exception as exc:  # the figures are also in the log and the result
                log.warning("could not publish the usage figures: %s", exc)

    async def flush(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)


class UsageCompanion:
    """Follows one run's usage; see the module's docstring."""

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config
        self.tally = UsageTally(prices=config.prices, model=config.model)
        self._ctx: Any = None
        self._conversation: CodexConversation | None = None
        self._events: Subscription | None = None
        self._follower: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._widget = LatestWriter(self._write_widget)

    @property
    def usage(self) -> RunUsage:
        """The figures so far (a snapshot)."""
        return self.tally.snapshot()

    async def start(self, run: RunView) -> None:
        self._ctx = run.ctx
        self._conversation = conversation = conversation_of(run)
        self.tally.model = _thread_model(conversation) or self.config.model
        _by_conversation[conversation] = self
        self._events = conversation.subscribe()
        self._follower = asyncio.get_running_loop().create_task(self._follow(self._events))
        # In the background: with a ChatGPT sign-in it asks the backend, and the run need
        # not wait for that to start its work.
        self._reader = asyncio.get_running_loop().create_task(self._read_rate_limits(run))

    async def stop(self, ending: RunEnding) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        conversation = self._conversation
        if ending.succeeded and conversation is not None and conversation.active_turn_id:
            with contextlib.suppress(Exception):
                await conversation.wait_for_turn(timeout=FINAL_TURN_WAIT)
        if self._events is not None and self._follower is not None:
            # What already arrived is counted (the last turn's end, often), then no more.
            self._events.close("the run is ending")
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._follower), DRAIN_TIMEOUT)
            self._follower.cancel()
        await self._widget.flush()
        await self._store_result()

    # -- what the conversation tells ---------------------------------------------------------

    async def _read_rate_limits(self, run: RunView) -> None:
        """The account's windows now. An API key (or a provider of one's own) has none:
        codex refuses the request, and the run goes on without windows."""
        try:
            response = await conversation_of(run).request(
                "account/rateLimits/read",
                {"excludeResetCreditDetails": True},
                timeout=RATE_LIMITS_READ_TIMEOUT,
            )
        except Exception as exc:
            log.debug("no rate limits for this account: %s", exc)
            return
        if self.tally.rate_limits_read(response):
            self._widget.poke()

    async def _follow(self, events: Subscription) -> None:
        async for event in events:
            try:
                await self._on_event(event)
            except Exception:
                log.exception("usage: an event could not be counted")

    async def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("method") or event.get("type")
        params = event.get("params")
        if not isinstance(params, dict):
            params = {}
        if kind == "thread/tokenUsage/updated":
            self.tally.usage_updated(params)
        elif kind == "turn/started":
            turn_id = (params.get("turn") or {}).get("id")
            if isinstance(turn_id, str):
                self.tally.turn_started(turn_id)
        elif kind == "turn/completed":
            await self._turn_completed(params)
        elif kind == "account/rateLimits/updated":
            if self.tally.rate_limits_updated(params):
                self._widget.poke()
        elif kind == "model/rerouted":
            turn_id, model = params.get("turnId"), params.get("toModel")
            if isinstance(turn_id, str) and isinstance(model, str) and model:
                self.tally.turn_rerouted(turn_id, model)
        elif kind == "x-optio-control-update" and event.get("id") == "model":
            self.tally.model_changed(str(event.get("value") or ""))

    async def _turn_completed(self, params: dict[str, Any]) -> None:
        turn = params.get("turn") or {}
        turn_id = turn.get("id")
        if not isinstance(turn_id, str):
            return
        figures = self.tally.turn_completed(turn_id, str(turn.get("status") or "completed"))
        await self._report(turn_line(figures, self.usage))
        self._widget.poke()

    # -- publishing -------------------------------------------------------------------------

    async def _report(self, message: str) -> None:
        """A progress line that leaves the bar where it is (a plan or a STATUS line set it):
        a message alone would make it indeterminate."""
        ctx = self._ctx
        percent: float | None = None
        with contextlib.suppress(Exception):
            record = await _processes(ctx).find_one(
                {"_id": ctx._process_oid}, {"progress.percent": 1}
            )
            found = ((record or {}).get("progress") or {}).get("percent")
            percent = float(found) if isinstance(found, int | float) else None
        ctx.report_progress(percent, message)

    async def _write_widget(self) -> None:
        """``widgetData.usage`` by a dotted $set, and only where widgetData is an object: a
        $set into null fails, and a task without the host UI has no widget to fill."""
        ctx = self._ctx
        await _processes(ctx).update_one(
            {"_id": ctx._process_oid, "widgetData": {"$type": "object"}},
            {"$set": {"widgetData.usage": self.usage.as_dict()}},
        )

    async def _store_result(self) -> None:
        ctx = self._ctx
        if ctx is None or not hasattr(ctx, "store_result"):
            return
        body = json.dumps(self.usage.as_dict(), indent=2).encode()
        try:
            async with ctx.store_result(RESULT_FILE, "application/json") as writer:
                await writer.write(body)
        except RuntimeError as exc:  # the task stored a result of its own: it stays
            log.info("usage figures not stored as the result (%s)", exc)
        except Exception as exc:
            log.warning("could not store the usage figures: %s", exc)


def _processes(ctx: Any) -> Any:
    """optio's process collection (optio_core.store._collection)."""
    return ctx._db[f"{ctx._prefix}_processes"]


def _thread_model(conversation: Any) -> str | None:
    """The model codex opened the thread with (thread/start answers it)."""
    model = (getattr(conversation, "thread", None) or {}).get("model")
    return model if isinstance(model, str) and model else None


def usage_for(config: CodexTaskConfig) -> RunCompanion | None:
    """Every task gets one."""
    return UsageCompanion(config)


__all__ = ["RESULT_FILE", "LatestWriter", "UsageCompanion", "usage_for", "usage_of"]
