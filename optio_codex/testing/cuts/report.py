"""The report of a fault run: totals over its turns, a table and a one-line summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from optio_codex.testing.cuts.plan import CutPlan, TurnRecord, label


@dataclass
class CutReport:
    plan: CutPlan
    turns: list[TurnRecord]
    reconnects: int  # summed over the conversations used
    relaunches: int
    conversations: int  # 1, unless reopen was needed
    wall_s: float
    unused_steps: int = 0  # scripted model steps nobody asked for
    notes: list[str] = field(default_factory=list)

    @property
    def cuts(self) -> int:
        return len(self.turns)

    @property
    def approval_cuts(self) -> int:
        return sum(1 for t in self.turns if t.kind == "approval")

    @property
    def lost_turns(self) -> int:
        return sum(1 for t in self.turns if t.lost)

    @property
    def lost_items(self) -> int:
        return sum(t.items_lost for t in self.turns)

    @property
    def duplicated_turns(self) -> int:
        return sum(1 for t in self.turns if t.duplicated)

    @property
    def commands_repeated(self) -> int:
        return sum(1 for t in self.turns if (t.command_runs or 0) > 1)

    @property
    def extra_model_calls(self) -> int:
        return sum(t.extra_model_calls for t in self.turns)

    @property
    def cuts_landed(self) -> int:
        return sum(1 for t in self.turns if t.cut_landed)

    def reconnect_ms(self) -> list[float]:
        return [t.reconnect_ms for t in self.turns if t.reconnect_ms is not None]

    def percentile(self, q: float, attr: str = "reconnect_ms") -> float | None:
        values = [getattr(t, attr) for t in self.turns if getattr(t, attr) is not None]
        return percentile(values, q)

    def table(self) -> str:
        head = (
            f"{'turn':<8}{'kind':<9}{'status':<12}{'full':<5}{'calls':>6}{'dup':>4}{'cmd':>4}"
            f"{'outage':>7}{'landed':>7}{'gap-ans':>8}{'asks':>5}{'streamed':>12}"
            f"{'reconn':>8}{'ssh':>6}{'chan':>6}{'ws':>6}{'rpc':>6}"
        )
        rows = [head, "-" * len(head)]
        for t in self.turns:
            rows.append(
                f"{label(t.index):<8}{t.kind:<9}{t.status:<12}{_yn(t.full_text):<5}"
                f"{t.model_calls:>6}{_num(t.occurrences):>4}{_num(t.command_runs):>4}"
                f"{t.outage_ms:>7.0f}{_yn(t.cut_landed):>7}{_yn(t.answered_in_gap):>8}"
                f"{t.prompts if t.kind == 'approval' else '-':>5}"
                f"{t.streamed_chars:>6}/{len(t.expected_text):<5}"
                f"{_ms(t.reconnect_ms):>8}{_ms(t.ssh_ms):>6}{_ms(t.channel_ms):>6}"
                f"{_ms(t.websocket_ms):>6}{_ms(t.rpc_ms):>6}" + (f"  {t.error}" if t.error else "")
            )
        return "\n".join(rows)

    def summary(self) -> str:
        p50, p95 = self.percentile(50), self.percentile(95)
        return (
            f"cuts={self.cuts} (approval {self.approval_cuts}, landed mid-turn "
            f"{self.cuts_landed}) lost_turns={self.lost_turns} lost_items={self.lost_items} "
            f"duplicated_turns={self.duplicated_turns} commands_repeated="
            f"{self.commands_repeated} extra_model_calls={self.extra_model_calls} "
            f"reconnects={self.reconnects} relaunches={self.relaunches} "
            f"conversations={self.conversations} reconnect_p50_ms={_ms(p50)} "
            f"reconnect_p95_ms={_ms(p95)} wall={self.wall_s:.1f}s"
        )


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _yn(value: bool | None) -> str:
    return "-" if value is None else ("y" if value else "n")


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"
