"""What a run adds up to, printed at its end: turns, duration, tokens, cost, rate-limit
windows, approvals by outcome and each approval of the audit trail, deliverables."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from optio_codex.cli.screen import Screen
from optio_codex.task.approval_records import ApprovalRecord
from optio_codex.task.usage import usage_of
from optio_codex.task.usage_tally import RunUsage, dollars

# The order outcomes are listed in, and their words.
OUTCOMES = ("approved", "approved for session", "denied", "timed out")


@dataclass
class RunTally:
    """Counted while the run goes, from the conversation's events (see terminal.EventPrinter)."""

    started: float = field(default_factory=time.monotonic)
    approvals: Counter[str] = field(default_factory=Counter)
    by_policy: int = 0  # answers no person gave (the policy, or its fallback)

    def approval_resolved(self, payload: dict[str, Any]) -> None:
        """An ``x-optio-permission-resolved`` event; one without a decision was withdrawn
        (codex stopped waiting, or the conversation ended) and is not counted."""
        decision = payload.get("decision")
        if decision is None:
            return
        by = payload.get("by")
        if by == "timeout":
            outcome = "timed out"
        elif decision == "allow":
            outcome = "approved"
        elif decision == "allow_for_session":
            outcome = "approved for session"
        else:
            outcome = "denied"
        self.approvals[outcome] += 1
        if isinstance(by, str) and by.split(":", 1)[0] == "policy":  # "policy:<rule>" too
            self.by_policy += 1

    def approvals_line(self) -> str:
        counted = [f"{self.approvals[o]} {o}" for o in OUTCOMES if self.approvals[o]]
        if not counted:
            return "none asked"
        policy = f" ({self.by_policy} by policy)" if self.by_policy else ""
        return ", ".join(counted) + policy


def write_summary(
    screen: Screen,
    tally: RunTally,
    conversation: Any,
    deliverables: Sequence[Path],
    approvals: Sequence[ApprovalRecord] = (),
) -> None:
    """The summary block: a line per measure, and one per approval of the audit trail."""
    turns = list(getattr(conversation, "turns", []) or [])
    usage = getattr(conversation, "total_usage", None)
    screen.line("summary:")
    screen.line(f"  turns:        {len(turns)}")
    screen.line(f"  duration:     {_duration(time.monotonic() - tally.started)}")
    screen.line(f"  tokens:       {_tokens(usage)}")
    for line in usage_lines(usage_of(conversation)):
        screen.line(line)
    screen.line(f"  approvals:    {tally.approvals_line()}")
    for record in approvals:
        screen.line(f"                {approval_line(record)}")
    saved = ", ".join(str(p) for p in deliverables) if deliverables else "none"
    screen.line(f"  deliverables: {len(deliverables)}" + (f" ({saved})" if deliverables else ""))


# The audit trail's decisions, as the summary words them.
_DECISIONS = {
    "allow": "approved",
    "allow_for_session": "approved for session",
    "deny": "denied",
    "cancel": "denied (turn cancelled)",
    "withdrawn": "withdrawn",
    "dropped": "dropped",
    "refused": "refused",
}
_WHAT_WIDTH = 100


def approval_line(record: ApprovalRecord) -> str:
    """``command `git status`: approved by terminal after 2.1 s``."""
    what = " ".join(record.what.split())
    if record.files:  # the names say enough here; the trail keeps the whole paths
        names = ", ".join(PurePosixPath(f.path).name for f in record.files)
        added = sum(f.added for f in record.files)
        removed = sum(f.removed for f in record.files)
        what = f"{names} (+{added} -{removed})"
    if len(what) > _WHAT_WIDTH:
        what = what[: _WHAT_WIDTH - 1] + "…"
    kind = record.kind.replace("_", " ")
    if record.decision is None:
        return f"{kind} `{what}`: still waiting"
    outcome = _DECISIONS.get(record.decision, record.decision)
    waited = record.waited or 0.0
    return f"{kind} `{what}`: {outcome} by {record.decided_by} after {waited:.1f} s"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if minutes else f"{seconds:.1f} s"


def _tokens(usage: Any) -> str:
    if usage is None or not getattr(usage, "total_tokens", 0):
        return "0"
    return (
        f"{usage.total_tokens:,} total ({usage.input_tokens:,} in, "
        f"{usage.cached_input_tokens:,} of them cached; {usage.output_tokens:,} out, "
        f"{usage.reasoning_output_tokens:,} of them reasoning)"
    )


def usage_lines(usage: RunUsage | None) -> list[str]:
    """The cost (with the price table's date) and the account's rate-limit windows, when
    the account has them."""
    if usage is None:
        return []
    lines = [f"  cost:         {_cost(usage)}"]
    windows = _rate_limits(usage)
    if windows:
        lines.append(f"  rate limits:  {windows[0]}")
        lines += [f"                {more}" for more in windows[1:]]
    return lines


def _cost(usage: RunUsage) -> str:
    if usage.cost_usd is None:
        models = ", ".join(usage.unpriced_models)
        return f"not known: no price for {models} (set CodexTaskConfig.prices)"
    if not usage.prices:
        return dollars(usage.cost_usd)
    overridden = any(match.overridden for match in usage.prices.values())
    where = "your prices" if overridden else f"list prices of {usage.prices_as_of}"
    return f"{dollars(usage.cost_usd)} ({', '.join(usage.prices)} at {where})"


def _rate_limits(usage: RunUsage) -> list[str]:
    """One line per limit: ``codex: 12% of 5 h (resets 14:20), 40% of 7 d (resets Dec 11)``."""
    lines = []
    for limit_id, snapshot in (usage.rate_limits or {}).items():
        windows = [
            _window(snapshot.get(which))
            for which in ("primary", "secondary")
            if isinstance(snapshot.get(which), dict)
        ]
        if windows:
            name = snapshot.get("limitName") or limit_id
            lines.append(f"{name}: {', '.join(windows)}")
    return lines


def _window(window: Any) -> str:
    used = f"{window.get('usedPercent', 0)}% used"
    minutes = window.get("windowDurationMins")
    if isinstance(minutes, int) and minutes > 0:
        used += f" of {_span(minutes)}"
    resets = window.get("resetsAt")
    if isinstance(resets, int) and resets > 0:
        used += f" (resets {_when(resets)})"
    return used


def _span(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440} d"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _when(epoch_seconds: int) -> str:
    moment = time.localtime(epoch_seconds)
    same_day = time.strftime("%Y-%m-%d", moment) == time.strftime("%Y-%m-%d")
    return time.strftime("%H:%M" if same_day else "%b %d %H:%M", moment)
