"""A fault harness: streaming turns on one conversation, the network cut under each of them.

:func:`run_cuts` runs ``plan.turns`` turns one after another. Each turn's scripted answer is
unique (``"turn-07: w0 w1 ..."``) and streams slowly, so that a cut lands mid-stream. Every
turn gets exactly one cut, at a seeded random point:

* a *streaming* turn is cut a random delay after its first ``item/agentMessage/delta``;
* an *approval* turn (a share of them) first runs a command that needs approval; the cut lands
  while the approval is pending. The harness answers ``allow`` either during the gap (the
  gate must hold the answer) or after ``x-optio-reconnected`` (the prompt must be rebound).

A cut is ``cutter.cut()`` (TCP resets on both sides); with an outage, ``set_down(True)``
first, then ``set_down(False)`` after the outage. "Network back" is the ``set_down(False)``
(or the cut itself when there is no outage); the reconnect time runs from there to the
conversation's ``x-optio-reconnected``.

For each turn the report says whether it completed with its full text, how many model calls
it took, whether its input ended up in more than one turn (``thread/read`` at the end), how
many times its command ran, and how long the reconnect took. With ``reopen`` the harness also
drives conversations that do not survive a cut (an attached app-server): it opens a fresh one
before the next turn, and the turn that was cut counts as lost.
"""

from optio_codex.testing.cuts.harness import Cutter, OpenConversations, Reopen, run_cuts
from optio_codex.testing.cuts.plan import CutPlan, TurnRecord, answer_text, input_text, label
from optio_codex.testing.cuts.report import CutReport, percentile
from optio_codex.testing.cuts.timing import ReconnectTimeline, instrument

__all__ = [
    "CutPlan",
    "CutReport",
    "Cutter",
    "OpenConversations",
    "ReconnectTimeline",
    "Reopen",
    "TurnRecord",
    "answer_text",
    "input_text",
    "instrument",
    "label",
    "percentile",
    "run_cuts",
]
