"""The figures of a run's token usage, with no I/O: tokens per turn and in total, their
cost, the account's rate-limit windows, and the words of a turn's progress line.

Fed by the conversation's notifications (``thread/tokenUsage/updated``, ``turn/started``,
``turn/completed``, ``model/rerouted``, ``account/rateLimits/updated``) and read as a
:class:`RunUsage` snapshot; :mod:`optio_codex.task.usage` publishes it.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from optio_codex.driver.turns import TokenUsage
from optio_codex.protocol.wire import RateLimitSnapshot
from optio_codex.task.prices import PRICES_AS_OF, ModelPrice, PriceMatch, cost, lookup_price

log = logging.getLogger(__name__)

KEEP_TURNS = 20  # turns kept in the published figures (the totals count every turn)
DEFAULT_LIMIT_ID = "codex"  # codex's name for its own bucket when a snapshot names none


@dataclass(frozen=True)
class TurnUsage:
    """One finished turn's tokens and, when its model is priced, their cost."""

    number: int  # 1 for the run's first turn
    turn_id: str
    status: str
    model: str | None
    usage: TokenUsage
    cost_usd: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "turn": self.number,
            "turnId": self.turn_id,
            "status": self.status,
            "model": self.model,
            **tokens_dict(self.usage),
            "costUsd": self.cost_usd,
        }


@dataclass(frozen=True)
class RunUsage:
    """What a run used so far: a snapshot, safe to keep and read from any task."""

    model: str | None  # the model turns run with now
    turns: tuple[TurnUsage, ...]  # the last KEEP_TURNS
    turn_count: int
    total: TokenUsage  # the thread's total, as codex last reported it
    cost_usd: float | None  # None while any tokens went to a model without a price
    unpriced_models: tuple[str, ...]
    prices: Mapping[str, PriceMatch]  # the price used for each model seen
    rate_limits: Mapping[str, Mapping[str, Any]] | None  # limit id -> codex's snapshot
    prices_as_of: str = PRICES_AS_OF

    def as_dict(self) -> dict[str, Any]:
        """The published shape (widgetData.usage, codex-usage.json): JSON, camelCase."""
        return {
            "model": self.model,
            "turnCount": self.turn_count,
            "turns": [turn.as_dict() for turn in self.turns],
            "total": tokens_dict(self.total),
            "costUsd": self.cost_usd,
            "unpricedModels": list(self.unpriced_models),
            "prices": {model: _price_dict(match) for model, match in self.prices.items()},
            "pricesAsOf": self.prices_as_of,
            "rateLimits": (
                {key: dict(value) for key, value in self.rate_limits.items()}
                if self.rate_limits
                else None
            ),
        }


def tokens_dict(usage: TokenUsage) -> dict[str, int]:
    return {
        "input": usage.input_tokens,
        "cachedInput": usage.cached_input_tokens,
        "output": usage.output_tokens,
        "reasoning": usage.reasoning_output_tokens,
        "total": usage.total_tokens,
    }


def _price_dict(match: PriceMatch) -> dict[str, Any]:
    price = match.price
    return {
        "entry": match.entry,
        "input": price.input,
        "cachedInput": price.cached_input,
        "output": price.output,
        "overridden": match.overridden,
    }


def _plus(a: TokenUsage, b: TokenUsage) -> TokenUsage:
    return TokenUsage(
        a.input_tokens + b.input_tokens,
        a.cached_input_tokens + b.cached_input_tokens,
        a.output_tokens + b.output_tokens,
        a.reasoning_output_tokens + b.reasoning_output_tokens,
        a.total_tokens + b.total_tokens,
    )


def _at_least_zero(usage: TokenUsage) -> TokenUsage:
    return TokenUsage(
        max(usage.input_tokens, 0),
        max(usage.cached_input_tokens, 0),
        max(usage.output_tokens, 0),
        max(usage.reasoning_output_tokens, 0),
        max(usage.total_tokens, 0),
    )


@dataclass
class _OpenTurn:
    model: str | None
    start: TokenUsage | None = None  # the thread's total before the turn's first tokens


@dataclass
class UsageTally:
    """Counts a run's usage from codex's notifications.

    A turn's tokens are the difference of the thread's totals across it, which stays right
    however often codex reports; a thread resumed from an earlier run starts its first turn
    at that report's total less its ``last``. Tokens no turn of this run accounts for (the
    earlier runs of a resumed thread) are priced at the current model.
    """

    prices: Mapping[str, ModelPrice] | None = None
    model: str | None = None
    keep_turns: int = KEEP_TURNS
    total: TokenUsage = field(default_factory=TokenUsage)
    turn_count: int = 0
    rate_limits: dict[str, dict[str, Any]] | None = None
    _seen_total: bool = False
    _open: dict[str, _OpenTurn] = field(default_factory=dict)
    _turns: deque[TurnUsage] = field(default_factory=deque)
    _in_turns: TokenUsage = field(default_factory=TokenUsage)  # summed over finished turns
    _turns_cost: float = 0.0
    _unpriced: dict[str, None] = field(default_factory=dict)  # ordered set

    # -- what codex reports ------------------------------------------------------------------

    def turn_started(self, turn_id: str) -> None:
        self._open.setdefault(turn_id, _OpenTurn(self.model))

    def model_changed(self, model: str | None) -> None:
        """A model switch: turns started from now on run with ``model``."""
        if model:
            self.model = model

    def turn_rerouted(self, turn_id: str, model: str) -> None:
        """codex ran the turn with another model than asked (``model/rerouted``)."""
        self._open.setdefault(turn_id, _OpenTurn(model)).model = model

    def usage_updated(self, params: Mapping[str, Any]) -> None:
        """``thread/tokenUsage/updated``: the thread's total and the last response's."""
        token_usage = params.get("tokenUsage")
        if not isinstance(token_usage, dict):
            return
        total = TokenUsage.from_wire(token_usage.get("total"))
        turn_id = params.get("turnId")
        if isinstance(turn_id, str):
            turn = self._open.setdefault(turn_id, _OpenTurn(self.model))
            if turn.start is None:
                last = TokenUsage.from_wire(token_usage.get("last"))
                turn.start = self.total if self._seen_total else _at_least_zero(total - last)
        self.total = total
        self._seen_total = True

    def turn_completed(self, turn_id: str, status: str) -> TurnUsage:
        """A turn's end: its figures, counted into the run's."""
        turn = self._open.pop(turn_id, None) or _OpenTurn(self.model)
        used = TokenUsage() if turn.start is None else _at_least_zero(self.total - turn.start)
        match = self._price(turn.model, used)
        spent = cost(used, match.price) if match is not None else None
        self.turn_count += 1
        result = TurnUsage(self.turn_count, turn_id, status, turn.model, used, spent)
        self._turns.append(result)
        while len(self._turns) > self.keep_turns:
            self._turns.popleft()
        self._in_turns = _plus(self._in_turns, used)
        self._turns_cost += spent or 0.0
        return result

    def rate_limits_read(self, response: Any) -> bool:
        """``account/rateLimits/read``'s answer; whether it held any windows."""
        if not isinstance(response, dict):
            return False
        by_id = response.get("rateLimitsByLimitId")
        snapshots = list(by_id.values()) if isinstance(by_id, dict) and by_id else []
        if not snapshots:
            snapshots = [response.get("rateLimits")]
        return any([self.rate_limits_updated({"rateLimits": s}) for s in snapshots])

    def rate_limits_updated(self, params: Mapping[str, Any]) -> bool:
        """``account/rateLimits/updated``: the latest snapshot of one limit replaces the one
        kept for it. False for a shape this codex's schema does not know (kept out)."""
        raw = params.get("rateLimits")
        if not isinstance(raw, dict):
            return False
        try:
            snapshot = RateLimitSnapshot.model_validate(raw)
        except ValidationError as exc:
            log.debug("a rate-limit snapshot of an unknown shape was left out: %s", exc)
            return False
        data = snapshot.model_dump(mode="json", by_alias=True, exclude_none=True)
        limits = self.rate_limits if self.rate_limits is not None else {}
        limits[str(data.get("limitId") or DEFAULT_LIMIT_ID)] = data
        self.rate_limits = limits
        return True

    # -- what it adds up to ------------------------------------------------------------------

    def _price(self, model: str | None, used: TokenUsage) -> PriceMatch | None:
        match = lookup_price(model, self.prices)
        if match is None and used.total_tokens > 0:
            self._unpriced[model or "(unknown model)"] = None
        return match

    def snapshot(self) -> RunUsage:
        """The figures now (a copy: later notifications do not change it)."""
        rest = _at_least_zero(self.total - self._in_turns)
        unpriced = dict(self._unpriced)
        rest_cost = 0.0
        if rest.total_tokens > 0:
            match = lookup_price(self.model, self.prices)
            if match is None:
                unpriced[self.model or "(unknown model)"] = None
            else:
                rest_cost = cost(rest, match.price)
        models = {t.model for t in self._turns if t.model} | ({self.model} if self.model else set())
        prices = {m: p for m in sorted(models) if (p := lookup_price(m, self.prices)) is not None}
        return RunUsage(
            model=self.model,
            turns=tuple(self._turns),
            turn_count=self.turn_count,
            total=self.total,
            cost_usd=None if unpriced else round(self._turns_cost + rest_cost, 6),
            unpriced_models=tuple(unpriced),
            prices=prices,
            rate_limits=(
                {key: dict(value) for key, value in self.rate_limits.items()}
                if self.rate_limits
                else None
            ),
        )


def turn_line(turn: TurnUsage, run: RunUsage) -> str:
    """A turn's progress line: its tokens, the run's so far, and the run's cost when its
    models are priced (``turn 2: 12,345 tokens in (10,000 cached), 678 out (120 reasoning);
    total 40,000 / 2,000; $0.0123``)."""
    used, total = turn.usage, run.total
    status = "" if turn.status == "completed" else f" ({turn.status})"
    line = (
        f"turn {turn.number}{status}: {used.input_tokens:,} tokens in "
        f"({used.cached_input_tokens:,} cached), {used.output_tokens:,} out "
        f"({used.reasoning_output_tokens:,} reasoning); "
        f"total {total.input_tokens:,} / {total.output_tokens:,}"
    )
    if run.cost_usd is not None:
        line += f"; {dollars(run.cost_usd)}"
    return line


def dollars(amount: float) -> str:
    """$0.0123 under a dollar (a turn costs cents), $12.35 from one on."""
    return f"${amount:,.4f}" if amount < 1 else f"${amount:,.2f}"


__all__ = [
    "KEEP_TURNS",
    "RunUsage",
    "TurnUsage",
    "UsageTally",
    "dollars",
    "tokens_dict",
    "turn_line",
]
