"""``optio-codex list`` and ``optio-codex resume``: the tasks a MongoDB holds, their snapshots,
and a task resumed from its newest good snapshot on the same host or another.

``list`` reads any engine's collections (``--db``, ``--prefix``; by default those
``optio-codex run --mongo-url`` writes). ``resume`` runs the task again as ``run`` does, from
the settings its run kept (cli/task_records.py), with the secrets read from the environment
again and ``--host`` moving it to another machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from optio_codex.cli.run import ENGINE_PREFIX, RunOptions
from optio_codex.snapshots.model import SnapshotInfo
from optio_codex.snapshots.published import published_snapshots
from optio_codex.snapshots.resume import age_of
from optio_codex.snapshots.task_capture import store_in

MONGO_ENV = "OPTIO_CODEX_MONGO_URL"
DEFAULT_DB = "optio_codex"  # the database optio-codex run --mongo-url uses
DEFAULT_MESSAGE = (
    "Go on with the task AGENTS.md describes from where you left off; if it is finished, "
    "report DONE."
)


@dataclass
class TaskRow:
    process_id: str
    state: str
    saved: bool
    snapshots: list[SnapshotInfo] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)
    kept: bool = False  # optio-codex run kept its settings: resumable from the command line


def add_task_parsers(commands: Any) -> None:
    listing = commands.add_parser("list", help="tasks in a MongoDB, their state and snapshots")
    _add_mongo(listing)
    listing.add_argument("--prefix", default=ENGINE_PREFIX, help="the engine's prefix")
    resume = commands.add_parser(
        "resume",
        help="resume a task from its newest good snapshot, on its host or another",
    )
    resume.add_argument("task", help="the task's process id (optio-codex list shows them)")
    resume.add_argument("message", nargs="?", default=DEFAULT_MESSAGE, help="what it goes on with")
    resume.add_argument("--host", help="user@host[:port] to resume on (default: the run's)")
    resume.add_argument("--key", dest="key_path", help="SSH private key for --host")
    resume.add_argument("--known-hosts", help="known_hosts file for --host")
    resume.add_argument("--accept-new-host-key", action="store_true")
    resume.add_argument("--task-root", help="where the task directory goes on the host")
    resume.add_argument("--debug", action="store_true")
    _add_mongo(resume)


def _add_mongo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mongo-url",
        default=os.environ.get(MONGO_ENV),
        help=f"the MongoDB the tasks are in (default: ${MONGO_ENV})",
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="the database (default: optio_codex)")


async def task_rows(db: Any, prefix: str) -> list[TaskRow]:
    """Every process of the engine, newest first, with its snapshots."""
    from optio_codex.cli.task_records import task_records

    store = store_in(db, prefix, None)
    kept = await task_records(db, prefix)
    rows = []
    cursor = db[f"{prefix}_processes"].find({}, {"processId": 1, "status": 1, "hasSavedState": 1})
    async for proc in cursor.sort("_id", -1):
        pid = str(proc.get("processId"))
        rows.append(
            TaskRow(
                process_id=pid,
                state=str((proc.get("status") or {}).get("state", "?")),
                saved=bool(proc.get("hasSavedState")),
                snapshots=await store.list(pid),
                published=await published_snapshots(db, prefix, pid),
                kept=pid in kept,
            )
        )
    return rows


def print_rows(rows: Sequence[TaskRow], out: TextIO) -> None:
    if not rows:
        out.write("no tasks\n")
        return
    for row in rows:
        resumable = " (resumable: optio-codex resume)" if row.kept and row.snapshots else ""
        out.write(f"{row.process_id}  {row.state}{resumable}\n")
        for snap in row.snapshots:
            meta = snap.meta
            out.write(
                f"  snapshot {snap.id}  {age_of(snap.created_at)}  {_size(snap.size)} in "
                f"{snap.files} files  thread {meta.get('thread_id') or '-'} "
                f"({meta.get('turns', 0)} turns)  on {meta.get('host', '?')}\n"
            )
        for doc in row.published:
            captured = doc.get("capturedAt")
            out.write(
                f"  0.4.8 snapshot {doc['_id']}  {age_of(captured) if captured else '?'}  "
                f"thread {doc.get('sessionId') or '-'}  ({doc.get('endState')})\n"
            )
        if not row.snapshots and not row.published:
            out.write("  no snapshots\n")


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


async def list_tasks(url: str, db_name: str, prefix: str, out: TextIO) -> int:
    from optio_codex.cli.run import _answering_mongo

    client = await _answering_mongo(url)
    try:
        print_rows(await task_rows(client[db_name], prefix), out)
    finally:
        client.close()
    return 0


async def resume_options(args: argparse.Namespace, out: TextIO) -> RunOptions:
    """The run's settings, moved where ``args`` says, resuming ``args.task``."""
    from optio_codex.cli.run import _answering_mongo
    from optio_codex.cli.task_records import load_task

    client = await _answering_mongo(args.mongo_url)
    try:
        options, dropped = await load_task(client[args.db], ENGINE_PREFIX, args.task)
    finally:
        client.close()
    if dropped:
        out.write(f"not kept with the task (secret-looking settings): {', '.join(dropped)}\n")
    moved = {
        name: getattr(args, name)
        for name in ("host", "key_path", "known_hosts", "task_root")
        if getattr(args, name)
    }
    return replace(
        options,
        **moved,
        accept_new_host_key=args.accept_new_host_key,
        mongo_url=args.mongo_url,
        prompt=args.message,
        resume_process=args.task,
    )


def run_tasks_command(args: argparse.Namespace) -> int:
    if not args.mongo_url:
        print(
            f"optio-codex {args.command}: tasks live in a MongoDB of your own: pass "
            f"--mongo-url mongodb://HOST:PORT (or set {MONGO_ENV})",
            file=sys.stderr,
        )
        return 2
    from optio_codex.cli.errors import exit_code_for, failure_lines, setup_logging
    from optio_codex.cli.task_records import TaskRecordError

    try:
        if args.command == "list":
            return asyncio.run(list_tasks(args.mongo_url, args.db, args.prefix, sys.stdout))
        setup_logging(args.debug)
        options = asyncio.run(resume_options(args, sys.stdout))
        from optio_codex.cli.run import run

        return asyncio.run(run(options))
    except TaskRecordError as exc:
        print(f"optio-codex resume: {exc.args[0]}", file=sys.stderr)
        return 2
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        sys.stderr.write(failure_lines(exc))
        return exit_code_for(exc)
