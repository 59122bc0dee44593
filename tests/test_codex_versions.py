"""The window of codex versions: the identity check, install_dir on the host, the drift report.

The npm codex comes from scripts/setup (``.cache/codex-npm/<version>``); the hosts are the
worker itself (LocalOps, the same scripts a remote host runs) and, for a whole task, a real
sshd with the engine (tests/test_task_resume.py and the second pass of .ci/run).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from optio_codex import read_approvals
from optio_codex.binary import (
    NEWEST_TESTED_CODEX_VERSION,
    PINNED_CODEX_VERSION,
    SUPPORTED_CODEX_WINDOW,
    CodexBinary,
    CodexVersionError,
    check_codex_version,
    codex_at,
    parse_codex_version,
    pinned_codex,
)
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.hosts.codex_install import find_install, provision_codex
from optio_codex.hosts.host_scripts import LocalOps
from optio_codex.hosts.provision import ProvisionError
from optio_codex.hosts.task_spec import ProvisionSpec, TaskPaths
from optio_codex.protocol.errors import METHOD_NOT_FOUND
from optio_codex.protocol.messages import SERVER_REQUEST_PARAMS
from optio_codex.task.audit import AuditTrail
from optio_codex.task.companions import RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig, provision_spec
from tests.support.codex_versions import npm_install_root, selected_version
from tests.support.fake_server import FakeAppServer

NEWER = NEWEST_TESTED_CODEX_VERSION


@pytest.fixture(scope="module")
def npm_root() -> Path:
    root = npm_install_root(NEWER)
    if root is None:
        pytest.skip(f"no npm codex {NEWER} under .cache/codex-npm (scripts/setup installs it)")
    return root


def _spec(tmp_path: Path, **values: object) -> ProvisionSpec:
    return ProvisionSpec(
        task_id="t1",
        consumer_instructions="x",
        task_root=str(tmp_path / "tasks"),
        cache_root=str(tmp_path / "cache"),
        **values,  # type: ignore[arg-type]
    )


# -- the identity check ---------------------------------------------------------------------


def test_the_window_runs_from_the_pin_to_the_newest_tested() -> None:
    assert SUPPORTED_CODEX_WINDOW == (PINNED_CODEX_VERSION, NEWER)
    assert parse_codex_version("codex-cli 0.171.0\n") == (0, 171, 0)
    # codex may warn on stdout first; the version is the last line
    assert parse_codex_version("WARNING: no PATH aliases\ncodex-cli 0.165.2") == (0, 165, 2)
    assert parse_codex_version("codex-cli 0.172.0-alpha.3") is None
    assert parse_codex_version("") is None
    assert check_codex_version("codex-cli 0.163.0", "/x") == "0.163.0"
    assert check_codex_version("codex-cli 0.171.0", "/x") == "0.171.0"


@pytest.mark.parametrize("version", ["0.162.9", "0.172.0", "1.0.0"])
def test_a_version_outside_the_window_is_named_with_the_window_and_the_field(
    version: str,
) -> None:
    with pytest.raises(CodexVersionError) as info:
        check_codex_version(f"codex-cli {version}", "/opt/codex/bin/codex")
    message = str(info.value)
    assert message.startswith("install_dir: ")
    assert f"is {version}, outside the supported window 0.163.0 to {NEWER}" in message
    assert "/opt/codex/bin/codex" in message


def test_something_that_is_not_a_codex_release_is_refused() -> None:
    with pytest.raises(CodexVersionError, match=r"not a codex release .*'codex-cli 0\.171\.0-rc"):
        check_codex_version("codex-cli 0.171.0-rc.1", "/x")


def test_the_codex_the_tests_run_is_the_one_selected(codex_binary: CodexBinary) -> None:
    assert codex_binary.version == selected_version()  # OPTIO_CODEX_TEST_CODEX, or the pin


def test_the_npm_codex_passes_the_check(npm_root: Path) -> None:
    binary = codex_at(npm_root / "bin" / "codex")
    assert binary.version == NEWER
    assert binary.sha256 != pinned_codex().sha256


# -- config ---------------------------------------------------------------------------------


def test_config_fields_reach_the_spec_and_are_checked_by_name() -> None:
    config = CodexTaskConfig(
        consumer_instructions="x", install_dir="~/codex", install_if_missing=False
    )
    spec = provision_spec(config, "t1")
    assert (spec.install_dir, spec.install_if_missing) == ("~/codex", False)
    defaults = provision_spec(CodexTaskConfig(consumer_instructions="x"), "t1")
    assert (defaults.install_dir, defaults.install_if_missing) == (None, True)
    with pytest.raises(ValueError, match=r"install_dir='codex' must be absolute"):
        CodexTaskConfig(consumer_instructions="x", install_dir="codex")
    with pytest.raises(ValueError, match=r"install_dir='/opt/\$\(x\)' must be absolute"):
        CodexTaskConfig(consumer_instructions="x", install_dir="/opt/$(x)")
    with pytest.raises(ValueError, match=r"install_if_missing='no' must be True or False"):
        CodexTaskConfig(consumer_instructions="x", install_if_missing="no")  # type: ignore[arg-type]


# -- install_dir on the host ----------------------------------------------------------------


@pytest.mark.parametrize("where", ["vendor", "npm prefix", "binary"])
async def test_install_dir_finds_the_npm_codex_and_uses_it_in_place(
    npm_root: Path, tmp_path: Path, where: str
) -> None:
    prefix = npm_root.parents[4]  # <prefix>/node_modules/@openai/codex-linux-x64/vendor/<t>
    install_dir = {
        "vendor": str(npm_root),
        "npm prefix": str(prefix),
        "binary": str(npm_root / "bin" / "codex"),
    }[where]
    result = await provision_codex(LocalOps(), _spec(tmp_path, install_dir=install_dir))
    assert result.binary == f"{npm_root}/bin/codex"
    assert (result.version, result.cache_state, result.pushed) == (NEWER, "install_dir", False)
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
    assert (Path(result.paths.codex_home) / "config.toml").is_file()


def _fake_install(root: Path, version_line: str, *, bwrap: bool = True) -> Path:
    """A bundle layout whose codex only prints a version: what the identity check reads."""
    (root / "bin").mkdir(parents=True)
    (root / "codex-path").mkdir()
    (root / "codex-package.json").write_text('{"layoutVersion": 1}')
    codex = root / "bin" / "codex"
    codex.write_text(f"#!/bin/sh\necho '{version_line}'\n")
    codex.chmod(0o755)
    shutil.copy(pinned_codex().path.parent.parent / "codex-path" / "rg", root / "codex-path")
    if bwrap:
        (root / "codex-resources").mkdir()
        resources = pinned_codex().path.parent.parent / "codex-resources"
        shutil.copy(resources / "bwrap", root / "codex-resources")
    return root


async def test_a_codex_outside_the_window_stops_the_launch(tmp_path: Path) -> None:
    root = _fake_install(tmp_path / "old", "codex-cli 0.150.0")
    with pytest.raises(ProvisionError) as info:
        await provision_codex(LocalOps(), _spec(tmp_path, install_dir=str(root)))
    assert str(info.value).startswith(f"install_dir: the codex at {root} is 0.150.0, outside")
    assert not (tmp_path / "tasks").exists()  # nothing written for the task


async def test_a_codex_without_its_bwrap_or_layout_is_refused(tmp_path: Path) -> None:
    partial = _fake_install(tmp_path / "partial", "codex-cli 0.171.0", bwrap=False)
    with pytest.raises(ProvisionError, match="lacks codex-resources/bwrap"):
        await find_install(LocalOps(), str(partial))
    lone = tmp_path / "lone"
    lone.mkdir()
    os.symlink(pinned_codex().path, lone / "codex")
    with pytest.raises(ProvisionError, match=r"is a codex without its bundle layout"):
        await find_install(LocalOps(), str(lone))


async def test_an_empty_install_dir_and_install_if_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    message = r"install_if_missing=False, and the host's cache {} has no good codex 0\.163\.0"
    with pytest.raises(ProvisionError, match=message.format(empty)):
        await provision_codex(
            LocalOps(), _spec(tmp_path, install_dir=str(empty), install_if_missing=False)
        )
    assert list(empty.iterdir()) == []  # the staging dir made for the push is gone
    # Without install_dir, install_if_missing=False wants the pinned codex cached already.
    with pytest.raises(ProvisionError, match=message.format(tmp_path / "cache")):
        await provision_codex(LocalOps(), _spec(tmp_path, install_if_missing=False))
    # Allowed: the pinned bundle goes into install_dir (the published meaning: the host's
    # codex cache), then is found there by the next launch.
    result = await provision_codex(LocalOps(), _spec(tmp_path, install_dir=str(empty)))
    assert result.pushed and result.version == PINNED_CODEX_VERSION
    assert result.bundle_dir.startswith(f"{empty}/codex-{PINNED_CODEX_VERSION}-")
    again = await provision_codex(
        LocalOps(), _spec(tmp_path, install_dir=str(empty), install_if_missing=False)
    )
    assert (again.pushed, again.binary) == (False, result.binary)


async def test_the_published_cache_in_install_dir_caches_the_pinned_codex(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """0.4.8 kept a flat codex and a codex.version stamp there, refreshed to its pin; here the
    pin is 0.163.0 and it is cached beside them (their codex is left alone, never run)."""
    published = tmp_path / "optio-codex-bin"
    published.mkdir()
    (published / "codex").write_text("#!/bin/sh\nexit 1\n")
    (published / "codex.version").write_text("0.142.5")
    spec = _spec(tmp_path, install_dir=str(published), install_if_missing=False)
    with pytest.raises(ProvisionError, match=f"host's cache {published} has no good codex"):
        await provision_codex(LocalOps(), spec)
    assert "is the published optio-codex's codex cache" in caplog.text
    assert sorted(p.name for p in published.iterdir()) == ["codex", "codex.version"]


# -- a server request the pinned schema lacks -------------------------------------------------

FUTURE_KIND = "item/guardian/requestApproval"  # in neither 0.163.0's nor 0.171.0's schema


async def test_a_request_of_an_unknown_kind_is_refused_and_recorded(mongo_db: Any) -> None:
    """A newer codex may ask what the pinned schema has no type for: the driver answers it
    with an error at once (codex counts that as a deny; the turn goes on) and the audit trail
    stores it as refused. codex's side of the wire is scripted: no real binary sends one."""
    assert FUTURE_KIND not in SERVER_REQUEST_PARAMS
    server = FakeAppServer()
    conversation = await CodexConversation.start(
        server, ConversationOptions(cwd="/nowhere"), GateSettings(human=True)
    )
    trail = AuditTrail(CodexTaskConfig(consumer_instructions="x"))
    ctx = SimpleNamespace(process_id="future-1", _db=mongo_db, _prefix="t")
    paths = TaskPaths(host_home="/h", task_root="/h/tasks", task_id="future-1")
    view = RunView(ctx, trail.config, conversation, LocalOps(), paths, None, False)
    await trail.start(view)
    try:
        params = {"threadId": "thread-1", "turnId": "turn-1", "itemId": "g1", "risk": "high"}
        server.send({"id": 7, "method": FUTURE_KIND, "params": params})
        async with asyncio.timeout(10):
            while not any(m.get("id") == 7 for m in server.received):
                await asyncio.sleep(0.01)
        reply = next(m for m in server.received if m.get("id") == 7)
        assert "result" not in reply and reply["error"]["code"] == METHOD_NOT_FOUND
        assert FUTURE_KIND in reply["error"]["message"]
        assert not conversation.gate.pending  # nobody is left waiting for an answer
    finally:
        await trail.stop(RunEnding(succeeded=True, detaching=False, reason="done"))
        await conversation.close()
    [record] = await read_approvals(mongo_db, "t", "future-1")
    assert (record.method, record.kind, record.decision) == (FUTURE_KIND, "other", "refused")
    assert record.decided_by == "optio-codex"
