"""The one writer of the terminal: streamed text, lines of their own, and questions.

Several tasks print (the conversation's events, the task's progress, approval questions): each
goes through a Screen, which knows whether the cursor stands mid-line after streamed text, so
that a line of its own never lands glued to the end of a sentence.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TextIO


class Screen:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.mid_line = False  # streamed text left the cursor after a character
        self._blank = True  # the last line written was empty (or nothing was written)

    def stream(self, text: str) -> None:
        """Text as it arrives (deltas): no line breaks added."""
        if not text:
            return
        self.out.write(text)
        self.mid_line = not text.endswith("\n")
        self._blank = text.endswith("\n\n")
        self.out.flush()

    def end_line(self) -> None:
        """Finish the streamed line, if one is open."""
        if self.mid_line:
            self.out.write("\n")
            self.mid_line = False
            self._blank = False
            self.out.flush()

    def line(self, text: str) -> None:
        """A line of its own, starting on a fresh line."""
        self.end_line()
        self.out.write(text + "\n")
        self._blank = not text
        self.out.flush()

    def blank_line(self) -> None:
        """A separating empty line (one, not a run of them)."""
        self.end_line()
        if not self._blank:
            self.line("")

    def prompt(self, text: str) -> None:
        """A question the operator answers on the same line."""
        self.end_line()
        self.out.write(text)
        self.mid_line = True
        self.out.flush()

    def answered(self) -> None:
        """The terminal echoed the operator's answer and their Enter."""
        self.mid_line = False
        self._blank = False


class _ScreenHandler(logging.Handler):
    def __init__(self, screen: Screen) -> None:
        super().__init__(logging.WARNING)
        self.screen = screen
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.screen.line(self.format(record))
        except Exception:
            self.handleError(record)


class _EndLineFirst(logging.Filter):
    """Before a handler of someone else's writes a record: end the streamed line."""

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.screen = screen

    def filter(self, record: logging.LogRecord) -> bool:
        self.screen.end_line()
        return True


@contextlib.contextmanager
def log_to_screen(screen: Screen) -> Iterator[None]:
    """Log lines on lines of their own, never glued to the end of streaming text: the
    handlers logging was set up with end the screen's line first; with none, records go
    through the screen (Python's last-resort handler would write them to stderr as is)."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    added: logging.Handler | None = None
    if not handlers:
        added = _ScreenHandler(screen)
        root.addHandler(added)
    first = _EndLineFirst(screen)
    for handler in handlers:
        handler.addFilter(first)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(first)
        if added is not None:
            root.removeHandler(added)
