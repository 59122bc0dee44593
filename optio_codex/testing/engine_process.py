"""An optio engine in its own OS process, so that a test can crash it or stop it mid-task.

A task that must survive an engine restart (reattach to what it left running, or resume from
saved state) can only be tested against a real restart: the engine's memory, its event loop and
its signal handling all go. This module is both sides of that:

- the child, ``python -m optio_codex.testing.engine_process --mongo-url URL --db NAME --prefix P
  --tasks MODULE:FUNCTION [--launch PID | --resume PID] [--auto-resume-delay S]
  [--cancel-grace S] [--ready-file PATH]``: it inits ``Optio()`` on the given MongoDB, runs it,
  optionally launches (or resumes) one process, writes the ready file, and on SIGTERM or SIGINT
  calls ``Optio.shutdown()`` (optio's graceful drain, which stamps ``autoResumeScheduled`` on the
  tasks with ``auto_resume=True``) and exits 0. ``MODULE:FUNCTION`` names a synchronous callable
  returning the task definitions (``list[TaskInstance | TaskFactory]``). It logs to stderr.
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

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict

logger = logging.getLogger("optio_codex.testing.engine_process")

MODULE = "optio_codex.testing.engine_process"
# How long the child waits for Optio.run() to start its loops before it gives up.
_RUN_START_TIMEOUT = 30.0


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


# --- the child: one engine ------------------------------------------------------------------


def load_task_definitions(spec: str) -> Callable[[], list[Any]]:
    """The callable ``MODULE:FUNCTION`` names."""
    module_name, sep, function_name = spec.partition(":")
    if not sep or not module_name or not function_name:
        raise ValueError(f"--tasks wants MODULE:FUNCTION, got {spec!r}")
    module = importlib.import_module(module_name)
    function = getattr(module, function_name)
    if not callable(function):
        raise TypeError(f"{spec} is not callable")
    return function  # type: ignore[no-any-return]


def _write_ready_file(path: Path, info: Mapping[str, Any]) -> None:
    """Write atomically: the parent never reads half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(info))
    partial.replace(path)


async def wait_until_running(fw: Any, run_task: asyncio.Task[None]) -> None:
    """Until ``Optio.run()`` has started its loops (the auto-resume timer is the last one).

    optio exposes no "running" event; its private ``_auto_resume_task`` is set by ``run()``
    right before it waits for shutdown, after the re-sync and the signal handlers.
    """
    deadline = time.monotonic() + _RUN_START_TIMEOUT
    while getattr(fw, "_auto_resume_task", None) is None:
        if run_task.done():
            run_task.result()  # raises what run() raised
            raise EngineProcessError("Optio.run() returned during startup")
        if time.monotonic() > deadline:
            raise EngineProcessError(f"Optio.run() did not start within {_RUN_START_TIMEOUT}s")
        await asyncio.sleep(0.01)


async def serve(args: argparse.Namespace) -> int:
    """The child's body: init, run, launch, then wait for a signal and shut down."""
    from motor.motor_asyncio import AsyncIOMotorClient
    from optio_core import Optio

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def request_stop(sig: signal.Signals) -> None:
        logger.info("received %s: shutting down", sig.name)
        stop.set()

    def install_handlers() -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, request_stop, sig)

    # From the start (a signal during init must not kill the process half-way), and again once
    # run() has replaced them with its own: this module owns the shutdown and its exit status.
    install_handlers()

    definitions = load_task_definitions(args.tasks)
    tasks = list(definitions())

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return list(tasks)

    init_kwargs: dict[str, Any] = {}
    if args.auto_resume_delay is not None:
        init_kwargs["auto_resume_delay_seconds"] = args.auto_resume_delay
    if args.cancel_grace is not None:
        init_kwargs["cancel_grace_seconds"] = args.cancel_grace

    client: Any = AsyncIOMotorClient(args.mongo_url)
    fw = Optio()
    run_task: asyncio.Task[None] | None = None
    try:
        await fw.init(
            mongo_db=client[args.db],
            prefix=args.prefix,
            get_task_definitions=get_task_definitions,
            **init_kwargs,
        )
        logger.info("engine initialised: db %s, prefix %s", args.db, args.prefix)
        run_task = asyncio.create_task(fw.run())
        await wait_until_running(fw, run_task)
        install_handlers()

        launch: dict[str, Any] | None = None
        target = args.launch or args.resume
        if target is not None and stop.is_set():
            logger.warning("not launching %s: a shutdown was requested during startup", target)
        elif target is not None:
            resume = args.resume is not None
            outcome = await fw.launch(target, resume=resume, session_id=None)
            launch = {
                "processId": target,
                "resume": resume,
                "ok": outcome.ok,
                "reason": outcome.reason,
                "launchMode": (outcome.proc or {}).get("launchMode"),
            }
            if outcome.ok:
                logger.info("launched %s (resume=%s)", target, resume)
            else:
                logger.error("launch of %s (resume=%s) refused: %s", target, resume, outcome.reason)

        if args.ready_file is not None:
            _write_ready_file(Path(args.ready_file), {"pid": os.getpid(), "launch": launch})
        logger.info("engine ready (pid %d)", os.getpid())

        stop_wait = asyncio.create_task(stop.wait())
        await asyncio.wait({stop_wait, run_task}, return_when=asyncio.FIRST_COMPLETED)
        stop_wait.cancel()
        if run_task.done():
            run_task.result()
            logger.error("Optio.run() returned without a shutdown")
            return 1
        await fw.shutdown()
        await run_task
        logger.info("engine shut down")
        return 0
    finally:
        if run_task is not None and not run_task.done():
            run_task.cancel()
            await asyncio.gather(run_task, return_exceptions=True)
        client.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {MODULE}",
        description="Run one optio engine until SIGTERM/SIGINT (graceful shutdown, exit 0).",
    )
    parser.add_argument("--mongo-url", required=True)
    parser.add_argument("--db", required=True, help="database name")
    parser.add_argument("--prefix", required=True, help="optio's collection prefix")
    parser.add_argument(
        "--tasks",
        required=True,
        metavar="MODULE:FUNCTION",
        help="an importable sync callable returning the task definitions",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--launch", metavar="PID", help="launch this process once running")
    which.add_argument("--resume", metavar="PID", help="launch this process with resume=True")
    parser.add_argument(
        "--auto-resume-delay",
        type=float,
        metavar="S",
        help="optio's auto_resume_delay_seconds (its default: 300)",
    )
    parser.add_argument(
        "--cancel-grace", type=float, metavar="S", help="optio's cancel_grace_seconds (default 5)"
    )
    parser.add_argument(
        "--ready-file",
        metavar="PATH",
        help='written (JSON {"pid", "launch"}) once the engine runs and the launch was made',
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s",
    )
    try:
        return asyncio.run(serve(args))
    except Exception:
        logger.exception("engine process failed")
        return 1


# --- the parent: start, watch, crash or stop the child --------------------------------------


def _log_tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


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
        return _log_tail(self.log_path, lines)

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
        argv = ["-m", MODULE, "--mongo-url", self.mongo_url, "--db", self.db]
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


# --- the parent: read a process record ------------------------------------------------------


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


if __name__ == "__main__":
    sys.exit(main())
