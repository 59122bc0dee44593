"""The ``optio-codex`` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from optio_codex._version import __version__

if TYPE_CHECKING:
    from optio_codex.cli.run import RunOptions


RUN_EPILOG = """\
examples:
  export OPENAI_API_KEY=sk-...
  optio-codex run --host me@build-box "fix the failing test"
  # your own Responses-API endpoint; its key is read from the variable env_key names
  export MY_KEY=...
  optio-codex run --host me@build-box -c model_provider=mine \\
    -c model_providers.mine.name=mine -c model_providers.mine.base_url=https://llm.example/v1 \\
    -c model_providers.mine.wire_api=responses -c model_providers.mine.env_key=MY_KEY \\
    --model my-model "fix the failing test"
  optio-codex run --demo        # offline: loopback sshd and a scripted model

exit status: 0 done; 1 the task ran and failed; 2 a configuration or connection problem
(one or two lines say which, and the fix; --debug shows the traceback); 130 interrupted.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="optio-codex", description="Run OpenAI Codex as an optio task."
    )
    parser.add_argument("--version", action="version", version=f"optio-codex {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run one codex task on a host (or this machine)",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_run(run)
    demo = commands.add_parser(
        "demo", help="codex app-server over SSH on this machine against a local model (one turn)"
    )
    demo.add_argument("prompt", nargs="?", default="Say hello.")
    from optio_codex.cli.seeds import add_seeds_parser

    add_seeds_parser(commands)
    from optio_codex.cli.tasks import add_task_parsers

    add_task_parsers(commands)
    return parser


def _add_run(run: argparse.ArgumentParser) -> None:
    what = run.add_mutually_exclusive_group()
    what.add_argument("prompt", nargs="?", help="what codex should do")
    what.add_argument("--prompt-file", type=Path, help="read the task from this file")
    run.add_argument("--host", help="user@host[:port] to run on (default: this machine)")
    run.add_argument("--key", dest="key_path", help="SSH private key (default ~/.ssh/id_ed25519)")
    run.add_argument("--known-hosts", help="known_hosts file (default ~/.ssh/known_hosts)")
    run.add_argument(
        "--accept-new-host-key",
        action="store_true",
        help="trust and record the key of a host never seen before (a changed key is refused)",
    )
    run.add_argument("--model")
    _add_codex_settings(run)
    run.add_argument("--effort", help="reasoning effort for the model")
    run.add_argument(
        "--approval-policy", choices=["untrusted", "on-request", "never"], default="on-request"
    )
    run.add_argument(
        "--sandbox",
        choices=["read-only", "workspace-write", "danger-full-access"],
        default="workspace-write",
    )
    run.add_argument(
        "--network", action="store_true", help="let the agent's commands use the network"
    )
    run.add_argument(
        "--policy",
        choices=["ask", "deny", "allow"],
        default="ask",
        help="approvals: ask the operator (default), or deny / allow all unattended",
    )
    run.add_argument(
        "--allow-command",
        action="append",
        default=[],
        metavar="PREFIX",
        help="allow commands starting with PREFIX without asking (repeatable)",
    )
    run.add_argument(
        "--transport",
        choices=("detached", "attached"),
        help="detached (default over SSH): codex survives SSH drops; attached: codex on the "
        "exec channel's stdio (default on this machine)",
    )
    run.add_argument("--mongo-url", help="use this MongoDB instead of an embedded mongod")
    run.add_argument("--task-root", help="where task directories go on the host")
    run.add_argument("--deliverables-dir", type=Path, default=Path("optio-codex-deliverables"))
    _add_limits(run)
    run.add_argument(
        "--demo",
        action="store_true",
        help="offline: a loopback sshd and a scripted model on this machine",
    )
    run.add_argument(
        "--debug", action="store_true", help="show the traceback of a failure, not one line"
    )


def _add_codex_settings(run: argparse.ArgumentParser) -> None:
    """codex's own settings, as codex takes them (see optio_codex/cli/codex_settings.py)."""
    run.add_argument(
        "-c",
        "--codex-setting",
        dest="codex_settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a codex config.toml setting, as codex's -c: the value is TOML, else a string; "
        'dotted keys make tables (-c model_providers.local.base_url="http://...")',
    )
    run.add_argument(
        "--config",
        dest="codex_config_file",
        type=Path,
        metavar="FILE",
        help="a TOML file merged into the task's codex config.toml (before --profile and -c); "
        "a provider's env_key names a variable you export: its value reaches codex in a "
        "0600 file, never on a command line",
    )
    run.add_argument(
        "--profile", help="apply [profiles.PROFILE] of --config or -c over the top level"
    )


def _add_limits(run: argparse.ArgumentParser) -> None:
    """Every run ends: the task's limits (see optio_codex/task/run_limits.py)."""
    run.add_argument(
        "--max-duration",
        type=float,
        metavar="SECONDS",
        help="end the run, failed, after this many seconds (default: no limit)",
    )
    run.add_argument(
        "--max-tokens",
        type=int,
        help="end the run, failed, once the thread used more tokens (default: no limit)",
    )
    run.add_argument(
        "--max-nudges",
        type=int,
        metavar="N",
        help="when the agent stops without reporting DONE, ask it to finish N times, then "
        "fail (default: 3 unattended, 0 with a person at the terminal; 0: never)",
    )


class UsageError(ValueError):
    """A command line that cannot run; the message says why (exit status 2)."""


def run_options(argv: Sequence[str]) -> RunOptions:
    """The ``run`` command line as RunOptions (raises UsageError)."""
    args = _parser().parse_args(argv)
    if args.command != "run":
        raise UsageError(f"not a run command line: {args.command}")
    return _options(args)


def _options(args: argparse.Namespace) -> RunOptions:
    from optio_codex.cli.run import RunOptions

    if args.prompt_file is not None:
        try:
            prompt = args.prompt_file.read_text()
        except OSError as exc:
            raise UsageError(f"optio-codex: cannot read --prompt-file: {exc}") from None
    else:
        prompt = args.prompt or (
            "Write a greeting into deliverables/hello.txt." if args.demo else ""
        )
    if not prompt.strip():
        raise UsageError("optio-codex run: give a prompt or --prompt-file")
    from optio_codex.cli.codex_settings import SettingsError, codex_settings

    try:
        settings = codex_settings(args.codex_config_file, args.profile, args.codex_settings)
    except SettingsError as exc:
        raise UsageError(f"optio-codex run: {exc}") from None
    return RunOptions(
        prompt=prompt,
        host=args.host,
        key_path=args.key_path,
        known_hosts=args.known_hosts,
        accept_new_host_key=args.accept_new_host_key,
        model=args.model,
        codex_config=settings,
        effort=args.effort,
        approval_policy=args.approval_policy,
        sandbox=args.sandbox,
        network=args.network,
        policy=args.policy,
        allow_commands=tuple(args.allow_command),
        transport=args.transport,
        mongo_url=args.mongo_url,
        task_root=args.task_root,
        deliverables_dir=args.deliverables_dir,
        demo=args.demo,
        max_duration=args.max_duration,
        max_tokens=args.max_tokens,
        max_nudges=args.max_nudges,
    )


def _run(args: argparse.Namespace) -> int:
    from optio_codex.cli.run import run

    try:
        options = _options(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    from optio_codex.cli.errors import setup_logging

    setup_logging(args.debug)
    try:
        return asyncio.run(run(options))
    except KeyboardInterrupt:  # before run() took the signals: nothing was started yet
        print("\n[interrupted]", file=sys.stderr)
        return 130
    except Exception as exc:  # every failure ends in plain lines (exit 2 or 1), unless --debug
        if args.debug:
            raise
        from optio_codex.cli.errors import exit_code_for, failure_lines

        sys.stderr.write(failure_lines(exc))
        return exit_code_for(exc)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "seeds":
        from optio_codex.cli.seeds import run_seeds

        return run_seeds(args)
    if args.command in ("list", "resume"):
        from optio_codex.cli.tasks import run_tasks_command

        return run_tasks_command(args)
    from optio_codex.cli.demo import run_demo

    return asyncio.run(run_demo(args.prompt))


if __name__ == "__main__":
    sys.exit(main())
