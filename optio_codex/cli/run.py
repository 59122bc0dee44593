"""``optio-codex run``: one codex task on a host, in an embedded optio engine, from a terminal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from optio_codex.cli.codex_settings import provider_secrets_from_env, uses_other_provider
from optio_codex.cli.errors import (
    MongoUnavailable,
    mongo_unavailable,
    recording_failure,
    start_failure,
)
from optio_codex.cli.interrupts import EXIT_INTERRUPTED, Interrupts
from optio_codex.cli.progress import ProgressFollower
from optio_codex.cli.screen import Screen, log_to_screen
from optio_codex.cli.summary import RunTally, write_summary
from optio_codex.cli.terminal import EventPrinter, TerminalApprover
from optio_codex.driver.conversation import CodexConversation
from optio_codex.driver.policies import DenyAll, PermissionPolicy, RulePolicy
from optio_codex.factory import create_codex_task
from optio_codex.hosts.detached_server import DetachedAppServer
from optio_codex.mappings import deep_merge
from optio_codex.task.approval_records import ApprovalRecord, read_approvals
from optio_codex.task.config import CodexTaskConfig, SSHConfig

log = logging.getLogger(__name__)

API_KEY_ENV = "OPENAI_API_KEY"
ENGINE_PREFIX = "optio_codex_cli"  # the embedded engine's collections (and the audit trail's)
# How long a cancelled task's teardown may take before the engine force-cancels it: enough
# to stop codex and remove the task directory on a reachable host.
CANCEL_GRACE = 15.0
NO_CREDENTIALS = f"""\
optio-codex: no credentials for codex.
  Put an OpenAI API key in the environment:   export {API_KEY_ENV}=sk-...
  (it is written to the host as auth.json, mode 0600, never passed on a command line),
  or use a model provider of your own:         -c model_provider=NAME with --config FILE
                                               (docs/task.md, "A custom model provider"),
  or try the offline demonstration:            optio-codex run --demo
"""


@dataclass(kw_only=True)
class RunOptions:
    prompt: str
    host: str | None = None  # user@host[:port]; None: this machine
    key_path: str | None = None
    known_hosts: str | None = None
    accept_new_host_key: bool = False
    model: str | None = None
    # codex settings from --config/--profile/-c (cli/codex_settings.py), merged over the
    # task's config.toml (and over the demo's model settings with --demo).
    codex_config: dict[str, Any] = field(default_factory=dict)
    effort: str | None = None
    approval_policy: str = "on-request"
    sandbox: str = "workspace-write"
    network: bool = False
    policy: str = "ask"  # ask | deny | allow
    allow_commands: tuple[str, ...] = ()
    transport: str | None = None  # detached | attached; None: the task's default
    mongo_url: str | None = None
    task_root: str | None = None
    deliverables_dir: Path = field(default_factory=lambda: Path("optio-codex-deliverables"))
    demo: bool = False
    # The task's limits (task/run_limits.py); max_nudges None: 0 with a person at the
    # terminal (they end the run), else the task's default.
    max_duration: float | None = None
    max_tokens: int | None = None
    max_nudges: int | None = None
    # optio-codex resume: the task to resume (its settings come from cli/task_records.py);
    # the prompt is then the message it goes on with.
    resume_process: str | None = None


def parse_host(spec: str) -> tuple[str, str, int]:
    """``user@host[:port]`` → (user, host, port)."""
    user, at, rest = spec.rpartition("@")
    if not at or not user or not rest:
        raise ValueError(f"--host {spec!r}: expected user@host or user@host:port")
    host, colon, port = rest.partition(":")
    if colon and not port.isdigit():
        raise ValueError(f"--host {spec!r}: the port must be a number")
    return user, host, int(port) if colon else 22


def _policy(options: RunOptions) -> tuple[bool, PermissionPolicy]:
    """(a human is asked, the policy for what no human answers)."""
    if options.policy == "allow":
        return False, RulePolicy(allow_kinds=frozenset(k for k in _all_kinds()))
    rules = RulePolicy(allow_command_prefixes=options.allow_commands)
    if options.policy == "deny":
        return False, rules if options.allow_commands else DenyAll()
    return True, rules


def _all_kinds() -> list[Any]:
    from optio_codex.driver.approvals import ApprovalKind

    return list(ApprovalKind)


async def run(options: RunOptions, out: TextIO = sys.stdout) -> int:
    """Run the task to its end; the exit status: 0 done, 1 failed, 2 cannot start, 130
    interrupted (Ctrl-C, SIGTERM, a closed terminal: see cli/interrupts.py)."""
    interrupts = Interrupts(lambda text: _say(out, text))
    interrupts.install()
    try:
        return await _run(options, out, interrupts)
    except BaseException:
        if not interrupts.interrupted:
            raise
        # Whatever the cancel became on its way up, the clean-up below it has run.
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        _say(out, "=== cancelled ===")
        return EXIT_INTERRUPTED
    finally:
        interrupts.uninstall()


def _say(out: TextIO, text: str) -> None:
    """A line of its own that never raises (the terminal may be gone)."""
    with contextlib.suppress(OSError, ValueError):
        out.write(f"\n{text}\n")
        out.flush()


async def _run(options: RunOptions, out: TextIO, interrupts: Interrupts) -> int:
    secrets = _provider_secrets(options.codex_config)  # SettingsError: exit 2, one line
    async with _demo_world(options, interrupts) as (ssh, world_config):
        codex_config = deep_merge(world_config or {}, options.codex_config) or None
        api_key = os.environ.get(API_KEY_ENV)
        if not options.demo and not api_key and not uses_other_provider(codex_config or {}):
            out.write(NO_CREDENTIALS)
            return 2
        ask, policy = _policy(options)
        if ask and not sys.stdin.isatty():
            # Nobody can answer: the demo's sandboxed, scripted commands are allowed; a real
            # task denies (pass --policy allow or --allow-command for unattended runs).
            ask = False
            if options.demo:
                policy = _policy(RunOptions(prompt="-", policy="allow"))[1]
            out.write(
                "stdin is not a terminal: approvals follow --policy "
                f"{'allow (demo)' if options.demo else 'deny'}\n"
            )
        saved: list[Path] = []
        screen = Screen(out)
        config = task_config(
            options,
            ssh=ssh,
            codex_config=codex_config,
            provider_secrets=secrets,
            api_key=None if options.demo else api_key,
            ask=ask,
            policy=policy,
            on_deliverable=_saver(options.deliverables_dir, saved, screen),
        )
        with log_to_screen(screen):
            return await _run_in_engine(config, options, saved, screen, interrupts)


def task_config(
    options: RunOptions,
    *,
    ssh: SSHConfig | None,
    codex_config: dict[str, Any] | None,
    api_key: str | None,
    provider_secrets: dict[str, str] | None = None,
    ask: bool | None = None,
    policy: PermissionPolicy | None = None,
    on_deliverable: Any = None,
) -> CodexTaskConfig:
    """The task the command line asks for (``ask``/``policy`` default to ``--policy``'s)."""
    default_ask, default_policy = _policy(options)
    ask = default_ask if ask is None else ask
    return CodexTaskConfig(
        consumer_instructions=options.prompt,
        ssh=ssh,
        task_root=options.task_root,
        model=options.model,
        reasoning_effort=options.effort,
        ask_for_approval=options.approval_policy,  # type: ignore[arg-type]
        sandbox=options.sandbox,  # type: ignore[arg-type]
        fs_isolation=options.sandbox != "danger-full-access",  # --sandbox asks for none
        network_access=options.network,
        api_key=api_key,
        codex_config=codex_config,
        provider_secrets=provider_secrets or None,
        auto_start=True,
        permission_gate=ask,
        permission_policy=policy or default_policy,
        on_deliverable=on_deliverable,
        transport=options.transport,  # type: ignore[arg-type]
        max_duration=options.max_duration,
        max_tokens=options.max_tokens,
        max_nudges=_nudges(options),
        # Snapshots need a MongoDB that outlives the run: with --mongo-url a task can be
        # resumed (optio-codex resume), on this host or another.
        supports_resume=options.mongo_url is not None,
    )


def _provider_secrets(codex_config: dict[str, Any]) -> dict[str, str]:
    """The keys of custom providers, read from the variables their env_key names, then
    removed from this process's environment: no child of ours inherits them."""
    secrets = provider_secrets_from_env(codex_config)
    for variable in secrets:
        os.environ.pop(variable, None)
    return secrets


def _nudges(options: RunOptions) -> int:
    """A person at the terminal ends the run themselves (Ctrl-C): no nudges unless asked."""
    if options.max_nudges is not None:
        return options.max_nudges
    return 0 if sys.stdin.isatty() else CodexTaskConfig.max_nudges


def _saver(directory: Path, saved: list[Path], screen: Screen) -> Any:
    async def save(hook_ctx: Any, name: str, content: str) -> None:
        target = directory / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        saved.append(target)
        screen.line(f"[deliverable saved: {target}]")

    return save


# Long: the run's one sequence (engine up, launch, follow, report) and its one clean-up
async def _run_in_engine(
    config: CodexTaskConfig,
    options: RunOptions,
    saved: list[Path],
    screen: Screen,
    interrupts: Interrupts,
) -> int:
    from optio_core import Optio
    from optio_core.exceptions import ResultNotPublished

    process_id = options.resume_process or f"codex-{uuid.uuid4().hex[:8]}"
    task, failure = recording_failure(create_codex_task(process_id, "optio-codex run", config))
    async with _mongo(options, interrupts) as db:
        engine = Optio()
        await engine.init(
            mongo_db=db,
            prefix=ENGINE_PREFIX,
            get_task_definitions=_only(task),
            cancel_grace_seconds=CANCEL_GRACE,
        )
        runner = asyncio.create_task(engine.run())
        await asyncio.sleep(0)  # engine.run() takes SIGINT and SIGTERM in its first step:
        interrupts.install()  # they are ours again (its handler would only shut it down)
        # The task's setup steps, from the first second (they come before the conversation).
        progress = ProgressFollower(engine, process_id, screen)
        following = asyncio.create_task(progress.follow())
        tally = RunTally()
        try:
            try:
                if await _keep_record(db, process_id, options):
                    screen.line(
                        f"[task {process_id}: optio-codex resume {process_id} --mongo-url URL]"
                    )
                conversation: CodexConversation = await engine.launch_and_await_result(
                    process_id,
                    resume=options.resume_process is not None,
                    session_id=None,
                    timeout=300,  # a resume restores the snapshot first
                )
            except ResultNotPublished:
                raise await start_failure(engine, process_id, failure) from None
            await progress.catch_up()  # the setup's lines come before the conversation's
            screen.line(f"[codex app-server: {_transport_of(conversation)}]")
            printer = asyncio.create_task(
                EventPrinter(screen, tally).run(conversation.subscribe(replay=True))
            )
            if config.permission_gate:
                conversation.on_permission_request(
                    TerminalApprover(screen, host=_where(config), cwd=conversation.options.cwd)
                )
            if options.resume_process is not None:
                await conversation.send(options.prompt)  # the resumed task goes on from here
            state = await _wait_for_end(engine, process_id)
            await conversation.wait_closed()
            await asyncio.wait_for(printer, 5)
            following.cancel()
            await progress.poll()
            approvals = await _audit_trail(db, process_id)
            return _report(state, conversation, saved, screen, tally, approvals)
        finally:
            following.cancel()
            if interrupts.interrupted:
                await _cancel_task(engine, process_id)
            await engine.shutdown()
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)


async def _keep_record(db: Any, process_id: str, options: RunOptions) -> bool:
    """A task in a MongoDB of the user's own is kept for optio-codex resume (settings only)."""
    if options.mongo_url is None or options.resume_process is not None:
        return False
    from optio_codex.cli.task_records import save_task

    await save_task(db, ENGINE_PREFIX, process_id, options)
    return True


def _where(config: CodexTaskConfig) -> str:
    """The host as the operator named it, for approval questions."""
    ssh = config.ssh
    return "this machine" if ssh is None else f"{ssh.user}@{ssh.host}:{ssh.port}"


def _transport_of(conversation: CodexConversation) -> str:
    """Which transport really ran (the config may leave it to the task's default)."""
    return "detached" if isinstance(conversation.server, DetachedAppServer) else "attached"


def _only(task: Any) -> Any:
    async def definitions(services: Any, metadata_filter: Any) -> list[Any]:
        return [task]

    return definitions


async def _wait_for_end(engine: Any, process_id: str) -> dict[str, Any]:
    """The task's final status (its max_duration, when given, bounds the wait)."""
    while True:
        proc = await engine.get_process(process_id) or {}
        status = proc.get("status") or {}
        if status.get("state") in ("done", "failed", "cancelled"):
            return dict(status)
        await asyncio.sleep(0.2)


async def _cancel_task(engine: Any, process_id: str) -> None:
    """Cancel the task through the engine, so its teardown runs (codex stopped on the host,
    the task directory removed), and wait for it to end: bounded, the engine force-cancels
    a teardown that outlives CANCEL_GRACE."""
    with contextlib.suppress(Exception):
        await engine.cancel(process_id)
        async with asyncio.timeout(CANCEL_GRACE + 10):
            await _wait_for_end(engine, process_id)


async def _audit_trail(db: Any, process_id: str) -> list[ApprovalRecord]:
    """The run's approvals as the task stored them (the task has ended: all are written);
    the summary goes on without them if MongoDB does not answer."""
    try:
        return await asyncio.wait_for(read_approvals(db, ENGINE_PREFIX, process_id), 5.0)
    except Exception as exc:
        log.warning("could not read the approval audit trail: %s", exc)
        return []


def _report(
    status: dict[str, Any],
    conversation: CodexConversation,
    saved: list[Path],
    screen: Screen,
    tally: RunTally,
    approvals: list[ApprovalRecord],
) -> int:
    final = next((t.final_text for t in reversed(conversation.turns) if t.final_text), "")
    screen.blank_line()
    write_summary(screen, tally, conversation, saved, approvals)
    out = screen.out
    out.write(f"\n=== {status.get('state')} ===\n")
    if final:
        out.write(f"final answer: {final}\n")
    for path in saved:
        out.write(f"deliverable: {path.resolve()}\n")
    if status.get("error"):
        out.write(f"error: {status['error']}\n")
    return 0 if status.get("state") == "done" else 1


@contextlib.asynccontextmanager
async def _mongo(options: RunOptions, interrupts: Interrupts) -> AsyncIterator[Any]:
    from motor.motor_asyncio import AsyncIOMotorClient

    if options.mongo_url:
        client: Any = await _answering_mongo(options.mongo_url)
        try:
            yield client["optio_codex"]
        finally:
            client.close()
        return
    from optio_codex.testing.mongod import LocalMongod

    with tempfile.TemporaryDirectory(prefix="optio-codex-mongo-", dir="/var/tmp") as tmp:
        interrupts.own_dir(Path(tmp))
        mongod = LocalMongod(Path(tmp))
        try:
            with interrupts.deferred():
                url = await mongod.start()
        except Exception as exc:
            raise MongoUnavailable(
                f"the embedded mongod would not start: {exc}",
                hint="pass --mongo-url mongodb://HOST:PORT to use a MongoDB of your own",
            ) from exc
        client = AsyncIOMotorClient(url)
        try:
            # A database name of its own: it names this engine as the owner of the host's
            # registry entries, and a shared name would let two runs on one host reap (stop
            # and delete) each other's live tasks. Nothing outlives a throwaway mongod anyway.
            yield client[f"optio_codex_{uuid.uuid4().hex[:12]}"]
        finally:
            client.close()
            await mongod.stop()


async def _answering_mongo(url: str) -> Any:
    """A client for ``url`` once the server answers; MongoUnavailable within about 3 s if it
    does not (pymongo's default server selection waits 30 s, and then per operation)."""
    from motor.motor_asyncio import AsyncIOMotorClient
    from pymongo.errors import PyMongoError

    try:
        client: Any = AsyncIOMotorClient(url, serverSelectionTimeoutMS=3000)
    except (PyMongoError, ValueError) as exc:
        raise mongo_unavailable(url, exc) from None
    try:
        await client.admin.command("ping")
    except PyMongoError as exc:
        client.close()
        raise mongo_unavailable(url, exc) from None
    return client


@contextlib.asynccontextmanager
async def _demo_world(
    options: RunOptions, interrupts: Interrupts
) -> AsyncIterator[tuple[SSHConfig | None, dict[str, Any] | None]]:
    """For --demo: a loopback sshd and a scripted model on this machine; else the real host."""
    if not options.demo:
        yield _ssh_config(options), None
        return
    from optio_codex.testing.catalog import write_mock_model_catalog
    from optio_codex.testing.codex_home import mock_codex_config
    from optio_codex.testing.model_server import ScriptedModelServer
    from optio_codex.testing.scripted_agent import deliverable_agent
    from optio_codex.testing.sshd import LoopbackSshd

    with tempfile.TemporaryDirectory(prefix="optio-codex-demo-", dir="/var/tmp") as tmp:
        root = Path(tmp)
        interrupts.own_dir(root)
        async with contextlib.AsyncExitStack() as services:
            with interrupts.deferred():  # a started child is always stopped again
                model = await services.enter_async_context(ScriptedModelServer())
                sshd = await services.enter_async_context(LoopbackSshd(root / "sshd"))
            model.fallback = deliverable_agent()
            catalog = write_mock_model_catalog(root / "catalog.json")
            codex_config = mock_codex_config(model.base_url, catalog)
            codex_config.pop("sandbox_workspace_write", None)  # the task sets its own
            options.task_root = options.task_root or str(root / "tasks")
            yield (
                SSHConfig(
                    host=sshd.host,
                    port=sshd.port,
                    user=sshd.username,
                    key_path=str(sshd.client_key_path),
                    known_hosts=str(sshd.known_hosts_path),
                ),
                codex_config,
            )


def _ssh_config(options: RunOptions) -> SSHConfig | None:
    if options.host is None:
        return None
    user, host, port = parse_host(options.host)
    return SSHConfig(
        host=host,
        port=port,
        user=user,
        key_path=options.key_path or str(Path.home() / ".ssh" / "id_ed25519"),
        known_hosts=options.known_hosts,
        host_key_policy="accept-new" if options.accept_new_host_key else "strict",
    )
