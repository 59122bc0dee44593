"""What the ``optio-codex run`` command line turns into: the task's CodexTaskConfig."""

from __future__ import annotations

import pytest

from optio_codex.cli.main import run_options
from optio_codex.cli.run import task_config
from optio_codex.driver.policies import DenyAll


@pytest.mark.parametrize("transport", ["attached", "detached"])
def test_the_transport_on_the_command_line_reaches_the_task(transport: str) -> None:
    options = run_options(["run", "do it", "--transport", transport])
    assert options.transport == transport
    config = task_config(options, ssh=None, codex_config=None, api_key="sk-test")
    assert config.transport == transport


def test_without_transport_the_task_picks_its_default() -> None:
    options = run_options(["run", "do it"])
    config = task_config(options, ssh=None, codex_config=None, api_key="sk-test")
    assert config.transport is None


def test_the_sandbox_options_reach_the_task() -> None:
    options = run_options(["run", "do it", "--network", "--policy", "deny", "--model", "m"])
    config = task_config(options, ssh=None, codex_config=None, api_key="sk-test")
    assert config.network_access is True and config.sandbox == "workspace-write"
    assert config.model == "m" and isinstance(config.permission_policy, DenyAll)
