"""codex settings from the command line (-c, --config, --profile) and a custom model provider
whose key reaches codex in a 0600 file, never in argv or an environment.

The end-to-end runs are the real ``optio-codex run --demo`` (engine, mongod, loopback sshd,
codex) with its model switched, by these options, to a second scripted model server that this
test runs and watches.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from optio_codex import CodexTaskConfig
from optio_codex.cli.codex_settings import (
    SettingsError,
    codex_settings,
    parse_override,
    provider_secrets_from_env,
)
from optio_codex.hosts.task_files import build_config, task_files
from optio_codex.hosts.task_spec import ProvisionSpec, TaskPaths
from optio_codex.task.config import provision_spec
from optio_codex.testing.model_server import RecordedRequest, ScriptedModelServer, Step
from optio_codex.testing.scripted_agent import deliverable_agent
from tests.support.procs import processes_holding
from tests.support.pty_session import PtySession

OPTIO_CODEX = str(Path(sys.executable).parent / "optio-codex")
SECRET = "sk-provider-7f3a9c1e5b2d4680"
KEY_VAR = "MY_PROVIDER_KEY"
# A name no filter of secret-looking names catches: the command line must drop it itself.
PLAIN_VAR = "SECOND_ENDPOINT_PASS"
# The scripted model's own knobs (no retries behind the test's back, no websockets).
PROVIDER = {
    "name": "Second scripted model",
    "wire_api": "responses",
    "env_key": KEY_VAR,
    "request_max_retries": 0,
    "stream_max_retries": 0,
    "supports_websockets": False,
}


def optio_codex(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it (no stdin), with no keys but ``env``'s."""
    environ = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", KEY_VAR)}
    return subprocess.run(
        [OPTIO_CODEX, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        env={**environ, **(env or {})},
    )


# --- parsing and layering ---------------------------------------------------------------------


def test_a_value_is_toml_else_a_plain_string() -> None:
    assert parse_override("model=o3") == {"model": "o3"}
    assert parse_override('model="o3"') == {"model": "o3"}
    assert parse_override("tools.web_search=true") == {"tools": {"web_search": True}}
    assert parse_override("x.retries = 4") == {"x": {"retries": 4}}
    assert parse_override("roots=['/a', '/b']") == {"roots": ["/a", "/b"]}
    assert parse_override('projects."/srv/a.b".trust_level=trusted') == {
        "projects": {"/srv/a.b": {"trust_level": "trusted"}}
    }
    assert parse_override("url=http://h:1/v1?a=b") == {"url": "http://h:1/v1?a=b"}


@pytest.mark.parametrize("entry", ["model", "=x", "a..b=1", "a b=1"])
def test_an_entry_that_is_no_key_value_is_refused(entry: str) -> None:
    with pytest.raises(SettingsError, match=r"^-c "):
        parse_override(entry)


def test_the_file_then_the_profile_then_each_c(tmp_path: Path) -> None:
    file = tmp_path / "codex.toml"
    file.write_text(
        'model = "a"\nmodel_reasoning_effort = "low"\nprofile = "fast"\n'
        '[profiles.fast]\nmodel = "b"\n[profiles.slow]\nmodel = "c"\n'
        '[model_providers.p]\nbase_url = "http://x"\n'
    )
    # profile = "fast" in the file chooses it; a -c entry comes last.
    assert codex_settings(file, None, ["model_reasoning_effort=high"]) == {
        "model": "b",
        "model_reasoning_effort": "high",
        "model_providers": {"p": {"base_url": "http://x"}},
    }
    # --profile overrides the file's choice; -c adds to a profile before it applies.
    settings = codex_settings(file, "slow", ["profiles.slow.model_provider=p", "model=d"])
    assert settings["model"] == "d" and settings["model_provider"] == "p"
    assert "profile" not in settings and "profiles" not in settings  # codex 0.163 fails on them
    assert codex_settings(None, None, []) == {}


def test_an_unknown_profile_is_a_clear_error(tmp_path: Path) -> None:
    file = tmp_path / "codex.toml"
    file.write_text('[profiles.fast]\nmodel = "b"\n')
    with pytest.raises(SettingsError, match=r"--profile slow: no \[profiles.slow\].*fast"):
        codex_settings(file, "slow", [])


def test_a_provider_key_comes_from_the_variable_its_env_key_names() -> None:
    settings = {"model_providers": {"p": {"env_key": KEY_VAR}}}
    assert provider_secrets_from_env(settings, {KEY_VAR: SECRET}) == {KEY_VAR: SECRET}
    with pytest.raises(SettingsError, match=f"export {KEY_VAR}="):
        provider_secrets_from_env(settings, {})


# --- the library: CodexTaskConfig and the files a task starts with ----------------------------


def _provider_config(**extra: Any) -> dict[str, Any]:
    return {
        "model_provider": "p",
        "model_providers": {"p": {**PROVIDER, "base_url": "http://127.0.0.1:9/v1"}},
        **extra,
    }


def test_a_provider_env_key_without_its_secret_is_refused() -> None:
    with pytest.raises(ValueError, match=rf"env_key='{KEY_VAR}' has no value"):
        CodexTaskConfig(consumer_instructions="x", codex_config=_provider_config())
    with pytest.raises(ValueError, match="OTHER is no provider's env_key"):
        CodexTaskConfig(
            consumer_instructions="x",
            codex_config=_provider_config(),
            provider_secrets={KEY_VAR: SECRET, "OTHER": "y"},
        )


def test_the_secret_is_written_to_config_toml_only_with_mode_0600() -> None:
    config = CodexTaskConfig(
        consumer_instructions="x",
        codex_config=_provider_config(),
        provider_secrets={KEY_VAR: SECRET},
    )
    assert SECRET not in repr(config)
    spec = provision_spec(config, "t1", task_root="/srv/tasks")
    assert SECRET not in repr(spec)
    kept = build_config(spec, TaskPaths(host_home="", task_root="/srv/tasks", task_id="t1"))
    assert SECRET not in str(kept)  # what the task keeps and reports
    files = {name: (data, mode) for name, data, mode in task_files(spec, kept)}
    data, mode = files["home/.codex/config.toml"]
    assert mode == 0o600 and stat.S_IMODE(mode) == 0o600
    written = tomllib.loads(data.decode())["model_providers"]["p"]
    assert written["experimental_bearer_token"] == SECRET and "env_key" not in written
    assert all(SECRET.encode() not in d for n, (d, _) in files.items() if "config.toml" not in n)


def test_a_spec_without_secrets_writes_env_key_as_given() -> None:
    spec = ProvisionSpec(task_id="t1", consumer_instructions="x", codex_config=_provider_config())
    kept = build_config(spec, TaskPaths(host_home="", task_root="/srv/tasks", task_id="t1"))
    assert kept["model_providers"]["p"]["env_key"] == KEY_VAR


# --- the command line: refusals end in one line, exit 2 ---------------------------------------


def _one_line_refusal(done: Any, *fragments: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stdout + done.stderr
    said = done.stderr.strip()
    assert len(said.splitlines()) == 1, said
    for fragment in fragments:
        assert fragment in said, said


def test_bad_toml_in_config_exits_2_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("model = \n[unclosed\n")
    done = optio_codex("run", "x", "--config", str(bad), cwd=tmp_path)
    _one_line_refusal(done, f"--config {bad}: not valid TOML")
    done = optio_codex("run", "x", "--config", str(tmp_path / "none.toml"), cwd=tmp_path)
    _one_line_refusal(done, "none.toml: cannot read it")


def test_a_bad_entry_or_profile_exits_2(tmp_path: Path) -> None:
    _one_line_refusal(optio_codex("run", "x", "-c", "nokey", cwd=tmp_path), "-c 'nokey'")
    done = optio_codex("run", "x", "--profile", "fast", cwd=tmp_path)
    _one_line_refusal(done, "--profile fast: no [profiles.fast]")


def test_a_c_entry_that_loosens_the_sandbox_is_refused(tmp_path: Path) -> None:
    done = optio_codex(
        "run",
        "x",
        "-c",
        "sandbox_workspace_write.network_access=true",
        cwd=tmp_path,
        env={"OPENAI_API_KEY": "sk-unused"},
    )
    _one_line_refusal(done, "sandbox_workspace_write.network_access=true", "network_access=")


def test_another_provider_needs_no_openai_key(tmp_path: Path) -> None:
    # Past the credentials check (no OPENAI_API_KEY), up to the task's own validation.
    done = optio_codex(
        "run",
        "x",
        "-c",
        "model_provider=p",
        "-c",
        "model_providers.p.base_url=http://127.0.0.1:9/v1",
        "-c",
        "sandbox_mode=danger-full-access",
        cwd=tmp_path,
    )
    _one_line_refusal(done, "sandbox_mode='danger-full-access' contradicts")
    assert "OPENAI_API_KEY" not in done.stdout + done.stderr


def test_a_provider_key_variable_not_set_exits_2(tmp_path: Path) -> None:
    done = optio_codex(
        "run",
        "x",
        "-c",
        "model_provider=p",
        "-c",
        f"model_providers.p.env_key={KEY_VAR}",
        "-c",
        "model_providers.p.base_url=http://127.0.0.1:9/v1",
        cwd=tmp_path,
    )
    _one_line_refusal(done, f"names {KEY_VAR}, which is not set", f"export {KEY_VAR}=")


# --- the command line, end to end: a second model server gets the task -----------------------


class Watch:
    """The second model plays the demo's agent; on each request (codex is alive then) it
    looks for the secret in every process's argv and environment but the command line's."""

    def __init__(self, host_dir: Path) -> None:
        self.host_dir = host_dir
        self.cli_pid = 0
        self.leaks: list[str] = []
        self.config_modes: set[int] = set()
        self._agent = deliverable_agent()

    def __call__(self, request: RecordedRequest) -> Step:
        mine = f"{self.cli_pid} "
        self.leaks += [p for p in processes_holding(SECRET.encode()) if not p.startswith(mine)]
        for toml in (self.host_dir / "tasks").glob("*/home/.codex/config.toml"):
            self.config_modes.add(stat.S_IMODE(toml.stat().st_mode))
        return self._agent(request)


async def _run_cli(
    host_dir: Path, watch: Watch, *options: str, variable: str = KEY_VAR
) -> tuple[int, str]:
    env = _cli_env(variable)
    argv = ["run", "--demo", "--task-root", str(host_dir / "tasks")]
    argv += ["--deliverables-dir", str(host_dir / "out"), *options]
    proc = await asyncio.create_subprocess_exec(
        OPTIO_CODEX,
        *argv,
        cwd=host_dir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    watch.cli_pid = proc.pid
    out, _ = await asyncio.wait_for(proc.communicate(), 150)
    return proc.returncode or 0, out.decode(errors="replace")


def _cli_env(variable: str) -> dict[str, str]:
    env = {**os.environ, variable: SECRET, "PYTHONPATH": str(Path(__file__).parent.parent)}
    env["TERM"] = "dumb"
    env.pop("OPENAI_API_KEY", None)
    return env


def _at_the_terminal(host_dir: Path, watch: Watch, options: list[str]) -> tuple[int, str]:
    """A person runs it and answers yes to both questions (write the file, write DONE)."""
    argv = [OPTIO_CODEX, "run", "--demo", "--task-root", str(host_dir / "tasks")]
    argv += ["--deliverables-dir", str(host_dir / "out"), *options]
    with PtySession(argv, cwd=host_dir, env=_cli_env(KEY_VAR)) as run:
        watch.cli_pid = run.pid
        for _ in range(2):
            run.expect(r"allow\? \[y\]es / \[n\]o / \[a\]lways: ")
            run.send_line("y")
        run.expect("=== done ===")
        return run.wait(), run.output


def _check_run(status: int, out: str, model: ScriptedModelServer, watch: Watch) -> None:
    assert status == 0, out
    assert "=== done ===" in out, out
    requests = model.responses_requests
    assert requests, "the second model server got no request"
    assert {r.headers.get("authorization") for r in requests} == {f"Bearer {SECRET}"}
    assert watch.config_modes == {0o600}, watch.config_modes
    assert not watch.leaks, watch.leaks
    assert SECRET not in out
    assert (watch.host_dir / "out" / "hello.txt").read_text() == "Hello from codex!\n"


@pytest.mark.timeout(200)
async def test_a_custom_provider_through_c(host_dir: Path) -> None:
    watch = Watch(host_dir)
    async with ScriptedModelServer(fallback=watch) as model:
        options = ["-c", "model_provider=second"]
        for key, value in {**PROVIDER, "base_url": model.base_url}.items():
            shown = str(value).lower() if isinstance(value, bool) else value
            options += ["-c", f"model_providers.second.{key}={shown}"]
        # The pty session blocks: it runs in a thread while this loop serves the model.
        status, out = await asyncio.to_thread(_at_the_terminal, host_dir, watch, options)
        _check_run(status, out, model, watch)


@pytest.mark.timeout(200)
async def test_a_custom_provider_through_config_and_profile(host_dir: Path) -> None:
    watch = Watch(host_dir)
    async with ScriptedModelServer(fallback=watch) as model:
        file = host_dir / "codex.toml"
        file.write_text(
            # The provider is defined at the top; only the profile chooses it.
            f'[model_providers.second]\nbase_url = "{model.base_url}"\n'
            f'name = "Second"\nwire_api = "responses"\nenv_key = "{PLAIN_VAR}"\n'
            "request_max_retries = 0\nstream_max_retries = 0\nsupports_websockets = false\n"
            '[profiles.elsewhere]\nmodel_provider = "second"\n'
        )
        status, out = await _run_cli(
            host_dir, watch, "--config", str(file), "--profile", "elsewhere", variable=PLAIN_VAR
        )
        _check_run(status, out, model, watch)
