"""How a failure ends the command line: one or two plain lines (the cause, then the fix) and
the documented exit status — 2 for configuration and connection problems, 1 for a task that
ran and failed, 130 for an interrupt. Tracebacks are for ``--debug`` only."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sys
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from optio_codex.binary import CodexBinaryError
from optio_codex.hosts.errors import OptioCodexError
from optio_codex.hosts.host_scripts import HostScriptError

PROGRAM = "optio-codex"
EXIT_FAILED = 1  # the task ran and failed
EXIT_SETUP = 2  # configuration or connection: the task could not start
EXIT_INTERRUPTED = 130

# Failures a user fixes in their setup (host, key, URL, options), not in the task.
_SETUP_ERRORS: tuple[type[BaseException], ...] = (
    OptioCodexError,
    HostScriptError,  # the host could not be prepared
    CodexBinaryError,
    ValueError,  # an option the task's config refused
)


class MongoUnavailable(OptioCodexError):
    """The MongoDB the engine needs does not answer (or the embedded one would not start)."""


class TaskDidNotStart(OptioCodexError):
    """The task ended before codex ran; the message is optio's failure reason for it."""


def redact_url(url: str) -> str:
    """``url`` without its password: it goes into messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable URL>"
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def mongo_unavailable(url: str, exc: BaseException) -> MongoUnavailable:
    reason = str(exc).split(" (configured timeouts", 1)[0].split(",", 1)[0][:200]
    return MongoUnavailable(
        f"MongoDB at {redact_url(url)} does not answer ({type(exc).__name__}: {reason})",
        hint="check --mongo-url and that mongod runs there, or leave --mongo-url out to use "
        "an embedded mongod",
    )


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, KeyboardInterrupt | asyncio.CancelledError):
        return EXIT_INTERRUPTED
    return EXIT_SETUP if isinstance(exc, _SETUP_ERRORS) else EXIT_FAILED


def failure_lines(exc: BaseException) -> str:
    """The plain lines a failure ends with: ``optio-codex: <cause>`` and ``  <fix>``."""
    if isinstance(exc, OptioCodexError):
        cause, fix = exc.message, exc.hint
    else:
        text = str(exc).strip() or type(exc).__name__
        cause, _, fix = text.partition("\n")
    cause = cause.removeprefix(f"{PROGRAM} run: ").removeprefix(f"{PROGRAM}: ")
    lines = f"{PROGRAM}: {cause}\n"
    if fix.strip():
        lines += f"  {fix.strip()}\n"
    return lines


def reason_lines(reason: str) -> tuple[str, str]:
    """optio's failure reason (``status.error``) as (cause, fix): the task records
    ``str()`` of an :class:`OptioCodexError`, the cause and the fix on two lines."""
    cause, _, fix = reason.strip().partition("\n")
    return cause, fix


class CodexErrorLines:
    """codex's ``error`` notifications as terminal lines, as they come: the reason, and while
    codex retries, the attempt and the delay since the previous one (codex's own message,
    e.g. "Reconnecting... waiting for network", carries neither)."""

    def __init__(self) -> None:
        self._last: float | None = None
        self._attempt = 0

    def line(self, params: dict[str, Any]) -> str:
        error = params.get("error") or {}
        message = str(error.get("message") or "an error without a message").strip()
        why = [_error_kind(error.get("codexErrorInfo")), str(error.get("additionalDetails") or "")]
        reason = ": ".join(w for w in why if w)
        what = f"{message} ({reason})" if reason else message
        now = time.monotonic()
        delay = "" if self._last is None else f", {now - self._last:.1f} s after the last"
        if params.get("willRetry"):
            self._attempt += 1
            self._last = now
            return f"[model endpoint: {what}; codex retries: attempt {self._attempt}{delay}]"
        self._attempt, self._last = 0, None
        return f"[model endpoint failed: {what}]"


class OneLineLogs(logging.Formatter):
    """Log records as one plain line each: a traceback is for ``--debug``."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{PROGRAM}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            cause = str(record.exc_info[1]).strip().split("\n", 1)[0]
            text += f": {cause or type(record.exc_info[1]).__name__}"
        return text


def setup_logging(debug: bool) -> None:
    """Warnings as one line on stderr; with ``debug``, everything, tracebacks included."""
    handler = logging.StreamHandler(sys.stderr)
    if debug:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(OneLineLogs())
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])


def _error_kind(info: Any) -> str:
    """``"internalServerError"`` or ``{"responseStreamDisconnected": {...}}`` → its name
    (with an HTTP status when codex gives one)."""
    if isinstance(info, str):
        return info
    if isinstance(info, dict) and info:
        name, detail = next(iter(info.items()))
        status = detail.get("httpStatusCode") if isinstance(detail, dict) else None
        return f"{name} {status}" if status else str(name)
    return ""


def recording_failure(task: Any) -> tuple[Any, list[BaseException]]:
    """``task`` (an optio TaskInstance) whose body keeps the exception it ends with: optio
    records only its text, and the command line's exit status depends on its type."""
    caught: list[BaseException] = []
    execute = task.execute

    async def recorded(ctx: Any) -> None:
        try:
            await execute(ctx)
        except Exception as exc:
            caught.append(exc)
            raise

    return dataclasses.replace(task, execute=recorded), caught


async def start_failure(engine: Any, process_id: str, caught: list[BaseException]) -> Exception:
    """Why the task ended before publishing its conversation: the exception it raised when it
    is one a user can fix, else optio's failure reason for it."""
    if caught and isinstance(caught[-1], OptioCodexError):
        return caught[-1]
    status: dict[str, Any] = {}
    for _ in range(50):  # optio records the end just after the result future fails
        status = ((await engine.get_process(process_id)) or {}).get("status") or {}
        if status.get("state") in ("done", "failed", "cancelled"):
            break
        await asyncio.sleep(0.1)
    reason = str(status.get("error") or (caught[-1] if caught else "") or "no reason given")
    cause, fix = reason_lines(reason)
    if caught and isinstance(caught[-1], _SETUP_ERRORS):
        return TaskDidNotStart(cause, hint=fix)
    return TaskFailedEarly(cause, hint=fix)


class TaskFailedEarly(Exception):
    """The task failed before codex ran, for a reason that is not a setup problem."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(f"{message}\n{hint}" if hint else message)
