"""Credentials under churn: pooled seeds, forced token rotations and engine crashes.

20 seeded tasks (``--tasks``) share a pool of 5 seeds (``--seeds``) through ``seed_pool``;
each runs on the loopback sshd against the scripted model, which takes a few commands
(``--steps``) before it writes DONE. The model accepts each access token for one request
only, so codex refreshes it (a 401, a reload, a 401, the refresh grant at the token-server
stand-in) before almost every model call: each refresh rotates the seed's single-use refresh
token, and the run must save it back. Meanwhile the engine (its own process, so that it can
die like one) is SIGKILLed ``--kills`` times at random moments (``--seed`` fixes them); each
time a new engine resumes every task that had started a thread and relaunches the rest.

Measured, from outside the engine:

* ``rotations``: refresh grants the token server answered with a new refresh token;
* ``lineage_losses``: logins lost for good: a lineage the token server revoked (a refresh
  token used twice), a seed quarantined, or a seed not holding its lineage's current token at
  the end (the next task would plant a spent one);
* ``double_leases``: moments at which two tasks' live codex processes held logins of one
  lineage (sampled every 0.2 s from the task directories and /proc);
* ``secrets_found``: any token issued in the run found in a process's argv or environment
  (sampled with the above), the engines' logs, or any MongoDB document (GridFS chunks
  included: the seeds are encrypted with the built-in cipher, key in a 0600 file).

The last line is ``RESULT rotations=<n> lineage_losses=<n> double_leases=<n>
secrets_found=<n>``: all but rotations must be 0. Run: ``.venv/bin/python
benchmarks/credentials.py`` (about 5 minutes on 2 CPUs).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import logging
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from optio_codex.blob_crypto import BlobCipher  # noqa: E402
from optio_codex.credentials.seed_store import SeedStore  # noqa: E402
from optio_codex.testing import model_server as ms  # noqa: E402
from optio_codex.testing.catalog import write_mock_model_catalog  # noqa: E402
from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step  # noqa: E402
from optio_codex.testing.mongod import LocalMongod  # noqa: E402
from optio_codex.testing.sshd import LoopbackSshd, SshdInfo  # noqa: E402
from optio_codex.testing.token_server import TokenServer  # noqa: E402

PREFIX = "bench"
POOL = "bench-pool"
SETTINGS_ENV = "OPTIO_CODEX_BENCH_CREDENTIALS"
KEY_ENV = "OPTIO_CODEX_BLOB_KEY_FILE"
BENCH_PARENT = Path("/var/tmp")  # outside /tmp: codex refuses helper binaries under it
TERMINAL = ("done", "failed", "cancelled")


# --- the engine child ---------------------------------------------------------------------------


async def engine_child(ready_file: str) -> None:
    """One engine: define the tasks, launch or resume every unfinished one, run until killed."""
    from motor.motor_asyncio import AsyncIOMotorClient
    from optio_core import Optio

    from optio_codex.credentials.seed_store import seed_pool
    from optio_codex.factory import create_codex_task
    from optio_codex.task.config import CodexTaskConfig, SSHConfig
    from optio_codex.testing.engine_child import wait_until_running

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    settings = json.loads(os.environ[SETTINGS_ENV])
    client: Any = AsyncIOMotorClient(settings["mongo_url"])
    db = client[settings["db"]]
    provider = seed_pool(SeedStore(db, PREFIX), POOL, wait=900)
    tasks = [
        create_codex_task(
            pid,
            pid,
            CodexTaskConfig(
                consumer_instructions="Run the scripted commands, then write DONE to optio.log.",
                ssh=SSHConfig(**settings["ssh"]),
                task_root=settings["task_root"],
                codex_config=settings["codex_config"],
                env=settings["env"],
                seed_id=provider,
                auto_start=True,
                supports_resume=True,
                cleanup="always",
                inactivity_timeout=30.0,
            ),
        )
        for pid in settings["pids"]
    ]

    async def definitions(services: dict[str, Any], metadata_filter: Any) -> list[Any]:
        return list(tasks)

    fw = Optio()
    await fw.init(mongo_db=db, prefix=PREFIX, get_task_definitions=definitions)
    runner = asyncio.create_task(fw.run())
    await wait_until_running(fw, runner)
    for pid in settings["pids"]:
        proc = await fw.get_process(pid) or {}
        if proc.get("status", {}).get("state") == "done":
            continue
        await fw.launch(pid, resume=bool(proc.get("hasSavedState")), session_id=None)
    mark_ready(ready_file)
    await runner


def mark_ready(ready_file: str) -> None:
    Path(ready_file).write_text("ready")


# --- the parent's observers ---------------------------------------------------------------------


class Observer:
    """Samples the task directories and /proc; counts double leases and exposed secrets."""

    def __init__(self, token: TokenServer, task_root: Path) -> None:
        self.token = token
        self.task_root = task_root
        self.double_leases: set[tuple[str, tuple[str, ...]]] = set()
        self.exposed: set[str] = set()

    def secrets(self) -> list[bytes]:
        found = set(self.token._access)  # the access tokens it issued
        for lineage in self.token.lineages.values():
            found.add(lineage.current)
            found.update(lineage.used)
        return [s.encode() for s in found]

    def sample(self) -> None:
        homes: dict[str, str] = {}  # CODEX_HOME of a live process -> task id
        wanted = self.secrets()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            for part in ("cmdline", "environ"):
                with contextlib.suppress(OSError):
                    data = (entry / part).read_bytes()
                    self.exposed.update(f"{part}:{s[:12]!r}" for s in wanted if s in data)
                    if part == "environ":
                        for var in data.split(b"\0"):
                            if var.startswith(b"CODEX_HOME=") and str(self.task_root) in str(var):
                                home = var.removeprefix(b"CODEX_HOME=").decode()
                                homes[home] = Path(home).parents[1].name
        by_lineage: dict[str, set[str]] = {}
        for home, task in homes.items():
            with contextlib.suppress(OSError, ValueError):
                auth = json.loads((Path(home) / "auth.json").read_text())
                lineage = self.token.lineage_of(auth["tokens"]["refresh_token"])
                if lineage is not None:
                    by_lineage.setdefault(lineage.lineage_id, set()).add(task)
        for lineage_id, holders in by_lineage.items():
            if len(holders) > 1:
                self.double_leases.add((lineage_id, tuple(sorted(holders))))

    def kill_leftovers(self) -> None:
        """codex app-servers the engines left running (detached for a resume that never
        comes): SIGKILLed by pid, found by their CODEX_HOME under the benchmark's tasks."""
        for entry in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError):
                if (
                    entry.name.isdigit()
                    and str(self.task_root).encode() in (entry / "environ").read_bytes()
                ):
                    os.kill(int(entry.name), signal.SIGKILL)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.to_thread(self.sample)
            await asyncio.sleep(0.2)


def agent(steps: int) -> Any:
    """A model that runs ``steps`` commands, then writes DONE, then says so."""

    def answer(request: RecordedRequest) -> Step:
        calls = [
            str(i.get("arguments"))
            for i in request.body.get("input") or []
            if i.get("type") == "function_call"
        ]
        if any("echo DONE" in c for c in calls):
            return ms.text("Done.")
        if len(calls) >= steps:
            return ms.exec_command("echo DONE >> optio.log", escalate=False)
        return ms.exec_command(f"echo step {len(calls)}", escalate=False)

    return answer


def one_use_tokens(token: TokenServer) -> Any:
    uses: dict[str, int] = {}

    def check(header: str | None) -> bool:
        if not token.bearer_check(header):
            return False
        bearer = (header or "").partition(" ")[2].strip()
        uses[bearer] = uses.get(bearer, 0) + 1
        return uses[bearer] <= 1

    return check


# --- the run ------------------------------------------------------------------------------------


async def start_engine(base: Path, name: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    ready = base / f"{name}.ready"
    log = (base / f"{name}.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--engine-child",
        str(ready),
        stdout=log,
        stderr=log,
        env=env,
    )
    async with asyncio.timeout(60):
        while not ready.exists():
            if process.returncode is not None:
                raise RuntimeError(f"engine {name} exited: see {base / f'{name}.log'}")
            await asyncio.sleep(0.1)
    return process


async def states(db: Any, pids: Iterable[str]) -> dict[str, str]:
    found = {}
    async for proc in db[f"{PREFIX}_processes"].find({"processId": {"$in": list(pids)}}):
        found[proc["processId"]] = proc.get("status", {}).get("state")
    return found


async def until_all_ended(db: Any, pids: list[str], timeout: float) -> None:
    """Until every task has ended, or ``timeout``: then the unfinished ones are named."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while True:
                left = await states(db, pids)
                if len(left) == len(pids) and all(s in TERMINAL for s in left.values()):
                    return
                await asyncio.sleep(1.0)
    left = await states(db, pids)
    stuck = sorted(p for p in pids if left.get(p) not in TERMINAL)
    print(f"not ended after {timeout:g} s (left to a graceful engine stop): {stuck}")


def logs_with(base: Path, wanted: list[bytes]) -> int:
    return sum(1 for log in base.glob("engine-*.log") for s in wanted if s in log.read_bytes())


async def documents_with(db: Any, wanted: list[bytes]) -> int:
    import bson

    hits = 0
    for name in await db.list_collection_names():
        async for doc in db[name].find():
            raw = bson.encode(doc)
            hits += sum(1 for s in wanted if s in raw)
    return hits


async def lineage_losses(token: TokenServer, store: SeedStore, seed_ids: list[str]) -> int:
    losses = sum(1 for lineage in token.lineages.values() if lineage.revoked is not None)
    for seed_id in seed_ids:
        doc = await store.find(seed_id)
        if doc.get("status") in ("dead", "quarantined"):
            losses += 1
            continue
        held = json.loads((await store.load(seed_id)).auth_json)["tokens"]["refresh_token"]
        lineage = token.lineage_of(held)
        if lineage is None or held != lineage.current:
            losses += 1
    return losses


# Long: the whole scenario in order reads best in one place.
async def bench(args: argparse.Namespace) -> None:
    from motor.motor_asyncio import AsyncIOMotorClient

    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="optio-cred-bench-", dir=BENCH_PARENT))
    key_file = base / "blob.key"
    key_file.touch(mode=0o600)
    key_file.write_bytes(base64.b64encode(secrets.token_bytes(32)))
    os.environ[KEY_ENV] = str(key_file)  # the built-in cipher, here and in the engines
    pids = [f"cred-{i:02d}" for i in range(args.tasks)]
    try:
        async with (
            LocalMongod(base / "mongod") as mongod,
            LoopbackSshd(base / "sshd") as sshd,
            TokenServer() as token,
            ScriptedModelServer(fallback=agent(args.steps)) as model,
        ):
            model.auth_check = one_use_tokens(token)
            client: Any = AsyncIOMotorClient(mongod.url)
            db = client["credbench"]
            store = SeedStore(db, PREFIX)
            assert BlobCipher.from_environment() is not None
            seed_ids = []
            for i in range(args.seeds):
                auth = token.new_login(account_id=f"acct-{i}", email=f"seed{i}@example.com")
                seed_ids.append(await store.create(json.dumps(auth).encode(), pool_key=POOL))
            env = {**os.environ, SETTINGS_ENV: settings(mongod.url, sshd, base, token, model, pids)}
            observer = Observer(token, base / "tasks")
            stop = asyncio.Event()
            watching = asyncio.create_task(observer.run(stop))
            started = time.monotonic()
            # Kill points: random moments of the rotation stream (so each kill lands among
            # refreshes and save-backs), at least --min-gap seconds into an engine's life.
            expected = args.tasks * (args.steps + 1)
            marks = sorted(
                rng.sample(range(5, max(6 + args.kills, int(expected * 0.8))), args.kills)
            )
            for kill in range(args.kills + 1):
                engine = await start_engine(base, f"engine-{kill}", env)
                if kill < args.kills:
                    await asyncio.sleep(args.min_gap)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(args.max_gap):
                            while token.counts.rotations < marks[kill]:
                                await asyncio.sleep(rng.uniform(0.01, 0.3))
                    engine.kill()
                    await engine.wait()
                    left = await states(db, pids)
                    done = sum(1 for s in left.values() if s == "done")
                    print(
                        f"kill {kill + 1}: {done}/{len(pids)} done, rotations so far "
                        f"{token.counts.rotations}",
                        flush=True,
                    )
                    continue
                await until_all_ended(db, pids, args.timeout)
                engine.terminate()  # a graceful stop: what still runs is detached for a resume
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(engine.wait(), 60)
            stop.set()
            await watching
            observer.kill_leftovers()
            final = await states(db, pids)
            wanted = observer.secrets()
            in_logs = logs_with(base, wanted)
            in_docs = await documents_with(db, wanted)
            losses = await lineage_losses(token, store, seed_ids)
            done = sum(1 for s in final.values() if s == "done")
            failed = sorted(p for p, s in final.items() if s == "failed")
            print(f"failed tasks (see their process records): {failed}")
            print(
                f"tasks done: {done}/{len(pids)} in {time.monotonic() - started:.0f} s; "
                f"states {sorted(set(final.values()))}"
            )
            print(
                f"token server: {token.counts}; seeds' generations: "
                f"{[(await store.find(s))['lineage']['generation'] for s in seed_ids]}"
            )
            print(
                f"double leases: {sorted(observer.double_leases)}; exposed: "
                f"{sorted(observer.exposed)}; in logs {in_logs}; in documents {in_docs}"
            )
            client.close()
            found = len(observer.exposed) + in_logs + in_docs
            print(
                f"RESULT rotations={token.counts.rotations} lineage_losses={losses} "
                f"double_leases={len(observer.double_leases)} secrets_found={found}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


def settings(
    mongo_url: str,
    sshd: SshdInfo,
    base: Path,
    token: TokenServer,
    model: ScriptedModelServer,
    pids: list[str],
) -> str:
    catalog = write_mock_model_catalog(base / "catalog.json")
    config = token.chatgpt_codex_config(model.base_url, catalog)
    config.pop("sandbox_workspace_write", None)
    return json.dumps(
        {
            "mongo_url": mongo_url,
            "db": "credbench",
            "ssh": {
                "host": sshd.host,
                "port": sshd.port,
                "user": sshd.username,
                "key_path": str(sshd.client_key_path),
                "known_hosts": str(sshd.known_hosts_path),
            },
            "task_root": str(base / "tasks"),
            "codex_config": config,
            "env": token.codex_env(),
            "pids": pids,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=4, help="commands per task before DONE")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--min-gap", type=float, default=3.0, help="engine life before a kill")
    parser.add_argument(
        "--max-gap", type=float, default=60.0, help="longest wait for a kill's rotation mark"
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="for the last engine to end every task"
    )
    parser.add_argument("--seed", type=int, default=7, help="the random kill times")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--engine-child", metavar="READY_FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine_child:
        asyncio.run(engine_child(args.engine_child))
        return
    asyncio.run(bench(args))


if __name__ == "__main__":
    main()
