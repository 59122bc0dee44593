"""What ``optio-codex run`` keeps of a task for ``optio-codex resume``: its settings, never its
secrets.

One document per task in ``{prefix}_codex_cli_tasks`` of the run's MongoDB (``--mongo-url``):
the prompt and every option of the command line, except what is secret. The API key and a
custom provider's key are read from the environment again by the resume, as by the run; a
``-c`` setting whose name looks like a secret is left out (and the resume says so).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optio_codex.cli.run import RunOptions
from optio_codex.hosts.launch import SECRET_NAME

RECORDS_SUFFIX = "_codex_cli_tasks"
FORMAT = 1
# Not kept: how this terminal runs the engine and answers, not what the task is.
_NOT_KEPT = frozenset(
    {"mongo_url", "demo", "accept_new_host_key", "resume_process", "codex_config"}
)


class TaskRecordError(LookupError):
    """No record of the task to resume; the message says where it looked."""


def without_secrets(value: Any, dropped: list[str], path: str = "") -> Any:
    """``value`` with every text setting whose name looks like a secret left out (named in
    ``dropped``); ``env_key`` names a variable, not a secret, and flags are no secret."""
    if not isinstance(value, Mapping):
        return value
    kept: dict[str, Any] = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else str(key)
        if isinstance(item, str) and key != "env_key" and SECRET_NAME.search(str(key)):
            dropped.append(where)
            continue
        kept[str(key)] = without_secrets(item, dropped, where)
    return kept


def record_of(process_id: str, options: RunOptions) -> dict[str, Any]:
    fields = {
        f.name: getattr(options, f.name)
        for f in dataclasses.fields(options)
        if f.name not in _NOT_KEPT
    }
    fields["deliverables_dir"] = str(options.deliverables_dir)
    fields["allow_commands"] = list(options.allow_commands)
    dropped: list[str] = []
    codex_config = without_secrets(options.codex_config, dropped)
    return {
        "_id": process_id,
        "format": FORMAT,
        "saved_at": datetime.now(UTC),
        "options": fields,
        "codex_config": codex_config,
        "dropped_settings": dropped,
    }


async def save_task(db: Any, prefix: str, process_id: str, options: RunOptions) -> None:
    record = record_of(process_id, options)
    await db[prefix + RECORDS_SUFFIX].replace_one({"_id": process_id}, record, upsert=True)


async def load_task(db: Any, prefix: str, process_id: str) -> tuple[RunOptions, list[str]]:
    """The task's settings as ``run`` took them, and the ``-c`` settings left out."""
    doc = await db[prefix + RECORDS_SUFFIX].find_one({"_id": process_id})
    if doc is None or doc.get("format") != FORMAT:
        raise TaskRecordError(
            f"no task {process_id!r} in {db.name}.{prefix}{RECORDS_SUFFIX}: optio-codex list "
            "shows the tasks a run with this --mongo-url kept"
        )
    known = {f.name for f in dataclasses.fields(RunOptions)}
    values = {k: v for k, v in doc["options"].items() if k in known}
    values["deliverables_dir"] = Path(values.get("deliverables_dir") or ".")
    values["allow_commands"] = tuple(values.get("allow_commands") or ())
    values["codex_config"] = dict(doc.get("codex_config") or {})
    return RunOptions(**values), list(doc.get("dropped_settings") or [])


async def task_records(db: Any, prefix: str) -> dict[str, dict[str, Any]]:
    return {doc["_id"]: doc async for doc in db[prefix + RECORDS_SUFFIX].find()}
