"""The listener's inner auth: HTTP Basic ``optio:<password>``, a new random password per run
(shared with the terminal of tui/, so it lives in task/)."""

from __future__ import annotations

from optio_codex.task.widget_upstream import USERNAME, authorized, new_password

__all__ = ["USERNAME", "authorized", "new_password"]
