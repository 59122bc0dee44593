"""An optio engine in its own OS process, so that a test can crash it or stop it mid-task.

A task that must survive an engine restart (reattach to what it left running, or resume from
saved state) can only be tested against a real restart: the engine's memory, its event loop and
its signal handling all go. This module is both sides of that:

- the child, ``python -m optio_codex.testing.engine_child ...`` (see that module): one engine
  that launches (or resumes) one process, writes a ready file, and on SIGTERM or SIGINT shuts
  down gracefully and exits 0.
- the parent, `EngineProcess`: start the child, wait until it is ready, SIGKILL it (a crash) or
  SIGTERM it (a graceful shutdown), with its output in a log file for diagnostics; plus
  `process_state` / `wait_for_state`, which read a process record from MongoDB directly.

What optio does across a restart (optio-core 0.7.2, ``lifecycle.py``):

- SIGKILL: the record stays ``running``; the next engine's ``init()`` reconciles every active
  record to ``failed`` ("Process was interrupted by server restart") and clears
  ``autoResumeScheduled``. It is never auto-resumed; ``launch(pid, resume=True)`` resumes it
  (``ctx.resume`` is True) when the record has ``supportsResume`` and ``hasSavedState``.
- SIGTERM: ``shutdown()`` stamps ``autoResumeScheduled`` on each running top-level task whose
  definition has ``auto_resume=True`` *before* it sets that run's cancellation flag, and leaves
  ``status.state`` at ``running`` (a user's cancel writes ``cancel_requested`` first). A body
  that returns on the flag ends ``cancelled``. The next engine's auto-resume timer
  (``auto_resume_delay_seconds`` after ``run()`` starts) relaunches every record that is
  ``cancelled`` + ``autoResumeScheduled`` + ``hasSavedState`` with ``resume=True``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict

from optio_codex.testing.processes import log_tail

# The child's module, run with ``python -m``.
CHILD_MODULE = "optio_codex.testing.engine_child"


class EngineProcessError(RuntimeError):
    """The engine process failed, or did not do what was asked in time; carries its log tail."""


class ProcessState(TypedDict):
    """What a test asks of an optio process record (``{prefix}_processes``)."""

    state: str
    hasSavedState: bool
    autoResumeScheduled: bool
    error: str | None
    # "resume" or "fresh": how its last launch ran (absent before the first launch).
    launchMode: str | None


class EngineProcess:
    """One engine child process (single use: start it once).

    ``async with EngineProcess(...) as engine: await engine.start(launch="p1")`` — leaving the
    block always SIGKILLs the engine and reaps it, and with ``kill_group_on_exit`` (the default)
    also whatever else is left in its process group. `kill` alone SIGKILLs only the engine, as a
    crash would: processes the engine spawned in its own group live on until the block ends, so
    a test can let the next engine find them (pass ``kill_group_on_exit=False`` to keep them
    even then, and clean them up yourself).
    """

    def __init__(
        self,
        *,
        mongo_url: str,
        db: str,
        prefix: str,
        tasks: str,
        workdir: Path,
        name: str = "engine",
        pythonpath: Sequence[str | Path] = (),
        env: Mapping[str, str] | None = None,
        cancel_grace: float | None = None,
        kill_group_on_exit: bool = True,
    ) -> None:
        self.mongo_url = mongo_url
        self.db = db
        self.prefix = prefix
        self.tasks = tasks
        self.name = name
        self.log_path = workdir / f"{name}.log"
        self.ready_path = workdir / f"{name}.ready.json"
        self._workdir = workdir
        self._pythonpath = [str(p) for p in pythonpath]
        self._env = dict(env or {})
        self._cancel_grace = cancel_grace
        self._kill_group_on_exit = kill_group_on_exit
        self._proc: asyncio.subprocess.Process | None = None
        self.ready_info: dict[str, Any] | None = None

    # -- state --

    @property
    def started(self) -> bool:
        return self._proc is not None

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise EngineProcessError(f"{self.name} was not started")
        return self._proc.pid

    @property
    def returncode(self) -> int | None:
        """The exit status once reaped (negative: the signal that killed it), else None."""
        return None if self._proc is None else self._proc.returncode

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def _error(self, message: str) -> EngineProcessError:
        return EngineProcessError(f"{self.name}: {message}; log tail:\n{self.log_tail()}")

    # -- lifecycle --

    def command(
        self,
        *,
        launch: str | None = None,
        resume: str | None = None,
        auto_resume_delay: float | None = None,
    ) -> list[str]:
        """The child's argv (without the interpreter)."""
        if launch is not None and resume is not None:
            raise ValueError("launch and resume are exclusive")
        argv = ["-m", CHILD_MODULE, "--mongo-url", self.mongo_url, "--db", self.db]
        argv += ["--prefix", self.prefix, "--tasks", self.tasks]
        argv += ["--ready-file", str(self.ready_path)]
        if launch is not None:
            argv += ["--launch", launch]
        if resume is not None:
            argv += ["--resume", resume]
        if auto_resume_delay is not None:
            argv += ["--auto-resume-delay", str(auto_resume_delay)]
        if self._cancel_grace is not None:
            argv += ["--cancel-grace", str(self._cancel_grace)]
        return argv

    async def start(
        self,
        *,
        launch: str | None = None,
        resume: str | None = None,
        auto_resume_delay: float | None = None,
    ) -> None:
        """Start the child (returns at once; `wait_ready` waits for the engine)."""
        if self._proc is not None:
            raise EngineProcessError(f"{self.name} was started already")
        argv = self.command(launch=launch, resume=resume, auto_resume_delay=auto_resume_delay)
        self._workdir.mkdir(parents=True, exist_ok=True)
        self.ready_path.unlink(missing_ok=True)
        env = {**os.environ, **self._env}
        paths = [*self._pythonpath, *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        with self.log_path.open("ab") as log:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                env=env,
                # Own session: a signal aimed at the test runner's group must not reach it, and
                # its group can be killed as a whole at the end.
                start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 15.0, *, launched: bool = True) -> dict[str, Any]:
        """Until the ready file appears; returns it (``{"pid", "launch"}``).

        Raises `EngineProcessError` (with the log tail) if the engine exits first, does not get
        ready in time, or (``launched``) its launch was refused.
        """
        if self._proc is None:
            raise EngineProcessError(f"{self.name} was not started")
        deadline = time.monotonic() + timeout
        while not self.ready_path.exists():
            if self._proc.returncode is not None:
                raise self._error(f"exited with status {self._proc.returncode} during startup")
            if time.monotonic() > deadline:
                raise self._error(f"not ready within {timeout:.1f}s")
            await asyncio.sleep(0.02)
        info: dict[str, Any] = json.loads(self.ready_path.read_text())
        self.ready_info = info
        launch = info.get("launch")
        if launched and launch is not None and not launch.get("ok"):
            raise self._error(f"launch refused: {launch.get('reason')}")
        return info

    async def kill(self) -> int:
        """SIGKILL the engine (a crash) and reap it; returns its exit status (-9)."""
        proc = self._proc
        if proc is None:
            raise EngineProcessError(f"{self.name} was not started")
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGKILL)
        return await proc.wait()

    async def terminate(self, timeout: float = 15.0) -> int:
        """SIGTERM the engine (graceful shutdown) and wait for it to exit; returns its status.

        Past `timeout` it is SIGKILLed and `EngineProcessError` raised.
        """
        proc = self._proc
        if proc is None:
            raise EngineProcessError(f"{self.name} was not started")
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            await self.kill()
            raise self._error(f"did not exit within {timeout:.1f}s of SIGTERM") from None

    async def close(self) -> None:
        """SIGKILL the engine (and its process group, if so configured) and reap it."""
        proc = self._proc
        if proc is None:
            return
        if proc.returncode is None:
            await self.kill()
        if self._kill_group_on_exit:
            # The group's id is the engine's pid (start_new_session); it is gone once empty.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    async def __aenter__(self) -> EngineProcess:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


# --- reading a process record ----------------------------------------------------------------


async def process_state(db: Any, prefix: str, process_id: str) -> ProcessState | None:
    """The record of ``process_id`` in ``{prefix}_processes`` (the newest, as optio resolves a
    processId), or None."""
    doc: dict[str, Any] | None = await db[f"{prefix}_processes"].find_one(
        {"processId": process_id}, sort=[("_id", -1)]
    )
    if doc is None:
        return None
    status = doc.get("status") or {}
    return ProcessState(
        state=str(status.get("state")),
        hasSavedState=bool(doc.get("hasSavedState", False)),
        autoResumeScheduled=bool(doc.get("autoResumeScheduled", False)),
        error=status.get("error"),
        launchMode=doc.get("launchMode"),
    )


async def wait_for_state(
    db: Any,
    prefix: str,
    process_id: str,
    states: str | Collection[str],
    timeout: float,
    *,
    until: Callable[[ProcessState], bool] | None = None,
    engine: EngineProcess | None = None,
    interval: float = 0.05,
) -> ProcessState:
    """Poll the record until its state is one of ``states`` (and ``until`` holds); return it.

    With ``engine``, fail at once (with its log tail) if that engine exits meanwhile. On timeout
    raises `TimeoutError` naming the last state seen.
    """
    wanted = {states} if isinstance(states, str) else set(states)
    deadline = time.monotonic() + timeout
    last: ProcessState | None = None
    while True:
        last = await process_state(db, prefix, process_id)
        if last is not None and last["state"] in wanted and (until is None or until(last)):
            return last
        if engine is not None and engine.returncode is not None:
            raise engine._error(
                f"exited with status {engine.returncode} while {process_id} was {last}"
            )
        if time.monotonic() > deadline:
            tail = f"; {engine.name} log tail:\n{engine.log_tail()}" if engine else ""
            raise TimeoutError(
                f"{process_id} not in {sorted(wanted)} within {timeout:.1f}s (last: {last}){tail}"
            )
        await asyncio.sleep(interval)
