"""The child side of `EngineProcess`: one optio engine in its own OS process.

``python -m optio_codex.testing.engine_child --mongo-url URL --db NAME --prefix P
--tasks MODULE:FUNCTION [--launch PID | --resume PID] [--auto-resume-delay S] [--cancel-grace S]
[--ready-file PATH]`` inits ``Optio()`` on the given MongoDB, runs it, optionally launches (or
resumes) one process, writes the ready file, and on SIGTERM or SIGINT calls
``Optio.shutdown()`` (optio's graceful drain, which stamps ``autoResumeScheduled`` on the tasks
with ``auto_resume=True``) and exits 0. ``MODULE:FUNCTION`` names a synchronous callable
returning the task definitions (``list[TaskInstance | TaskFactory]``). It logs to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from optio_codex.testing.engine_process import CHILD_MODULE, EngineProcessError

logger = logging.getLogger(CHILD_MODULE)

# How long the child waits for Optio.run() to start its loops before it gives up.
_RUN_START_TIMEOUT = 30.0


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


def _stop_on_signals(stop: asyncio.Event) -> Callable[[], None]:
    """A function that (re)installs SIGTERM/SIGINT handlers setting ``stop``."""
    loop = asyncio.get_running_loop()

    def request_stop(sig: signal.Signals) -> None:
        logger.info("received %s: shutting down", sig.name)
        stop.set()

    def install() -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, request_stop, sig)

    return install


def _init_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.auto_resume_delay is not None:
        options["auto_resume_delay_seconds"] = args.auto_resume_delay
    if args.cancel_grace is not None:
        options["cancel_grace_seconds"] = args.cancel_grace
    return options


async def _launch(fw: Any, args: argparse.Namespace, stop: asyncio.Event) -> dict[str, Any] | None:
    """Launch (or resume) the process the arguments name; what the ready file reports of it."""
    target = args.launch or args.resume
    if target is None:
        return None
    if stop.is_set():
        logger.warning("not launching %s: a shutdown was requested during startup", target)
        return None
    resume = args.resume is not None
    outcome = await fw.launch(target, resume=resume, session_id=None)
    if outcome.ok:
        logger.info("launched %s (resume=%s)", target, resume)
    else:
        logger.error("launch of %s (resume=%s) refused: %s", target, resume, outcome.reason)
    return {
        "processId": target,
        "resume": resume,
        "ok": outcome.ok,
        "reason": outcome.reason,
        "launchMode": (outcome.proc or {}).get("launchMode"),
    }


async def _until_stopped(fw: Any, run_task: asyncio.Task[None], stop: asyncio.Event) -> int:
    """Wait for a stop signal, then shut the engine down gracefully; the exit status."""
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


async def serve(args: argparse.Namespace) -> int:
    """The child's body: init, run, launch, then wait for a signal and shut down."""
    from motor.motor_asyncio import AsyncIOMotorClient
    from optio_core import Optio

    stop = asyncio.Event()
    install_handlers = _stop_on_signals(stop)
    # From the start (a signal during init must not kill the process half-way), and again once
    # run() has replaced them with its own: this module owns the shutdown and its exit status.
    install_handlers()
    tasks = list(load_task_definitions(args.tasks)())

    async def get_task_definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return list(tasks)

    client: Any = AsyncIOMotorClient(args.mongo_url)
    fw = Optio()
    run_task: asyncio.Task[None] | None = None
    try:
        await fw.init(
            mongo_db=client[args.db],
            prefix=args.prefix,
            get_task_definitions=get_task_definitions,
            **_init_options(args),
        )
        logger.info("engine initialised: db %s, prefix %s", args.db, args.prefix)
        run_task = asyncio.create_task(fw.run())
        await wait_until_running(fw, run_task)
        install_handlers()
        launch = await _launch(fw, args, stop)
        if args.ready_file is not None:
            _write_ready_file(Path(args.ready_file), {"pid": os.getpid(), "launch": launch})
        logger.info("engine ready (pid %d)", os.getpid())
        return await _until_stopped(fw, run_task, stop)
    finally:
        if run_task is not None and not run_task.done():
            run_task.cancel()
            await asyncio.gather(run_task, return_exceptions=True)
        client.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {CHILD_MODULE}",
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


if __name__ == "__main__":
    sys.exit(main())
