"""What a run adds up to, printed at its end: turns, duration, tokens, approvals by outcome,
deliverables."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optio_codex.cli.screen import Screen

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
        if by == "policy":
            self.by_policy += 1

    def approvals_line(self) -> str:
        counted = [f"{self.approvals[o]} {o}" for o in OUTCOMES if self.approvals[o]]
        if not counted:
            return "none asked"
        policy = f" ({self.by_policy} by policy)" if self.by_policy else ""
        return ", ".join(counted) + policy


def write_summary(
    screen: Screen, tally: RunTally, conversation: Any, deliverables: Sequence[Path]
) -> None:
    """The summary block: a line per measure."""
    turns = list(getattr(conversation, "turns", []) or [])
    usage = getattr(conversation, "total_usage", None)
    screen.line("summary:")
    screen.line(f"  turns:        {len(turns)}")
    screen.line(f"  duration:     {_duration(time.monotonic() - tally.started)}")
    screen.line(f"  tokens:       {_tokens(usage)}")
    screen.line(f"  approvals:    {tally.approvals_line()}")
    saved = ", ".join(str(p) for p in deliverables) if deliverables else "none"
    screen.line(f"  deliverables: {len(deliverables)}" + (f" ({saved})" if deliverables else ""))


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
