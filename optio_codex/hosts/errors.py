"""The base of the errors a user can cause or meet: a plain message naming the cause, and a
hint naming the fix. The typed errors live where they are raised (hosts/ssh.py,
hosts/sandbox.py, hosts/task_spec.py, cli/); this is the base they share, in the lowest layer
that raises one, so a library user can catch them all with one ``except``."""

from __future__ import annotations


class OptioCodexError(Exception):
    """A failure with a cause (``message``) and a fix (``hint``, may be empty).

    ``str()`` is both, on one or two lines: what the command line prints and what optio
    records as the task's failure reason.
    """

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message
