"""Which codex a task runs on its host: the pinned bundle (the default), or the codex the
task's ``install_dir`` holds, used only after its identity check.

``install_dir`` is a directory on the host (``~/`` resolved there). What is looked for in it,
in this order, is a codex in the bundle layout — ``codex-package.json``, ``bin/codex``,
``codex-resources/bwrap``, ``codex-path/rg`` — which both official packagings ship:

- the ``codex_cli_bin`` directory of the ``openai-codex-cli-bin`` wheel;
- npm's ``@openai/codex-linux-<arch>/vendor/<target>/`` directory (``vendor/*`` of that
  package, ``node_modules/@openai/codex-linux-*/vendor/*`` of an ``npm install --prefix``,
  ``lib/node_modules/@openai/codex/node_modules/...`` of a global install). The node wrapper
  ``bin/codex.js`` is never run: killing it would orphan the real codex.

``install_dir`` may also name the ``bin/codex`` file itself. The layout is required because
codex finds its bubblewrap next to itself: a lone ``codex`` runs, but every sandboxed command
then fails. The codex found must report a version inside
:data:`~optio_codex.binary.SUPPORTED_CODEX_WINDOW`; outside it the launch fails, naming the
version, the window and the field. Nothing is ever taken from the host's PATH.

A directory with no codex at all, or the published package's cache there (a flat ``codex`` with
its ``codex.version`` stamp, whose codex is left alone), is the cache the pinned bundle goes
into (the published meaning of ``install_dir``: where optio-codex keeps codex on the host),
when ``install_if_missing`` allows the install.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

from optio_codex.binary import PINNED_CODEX_VERSION, CodexVersionError, check_codex_version
from optio_codex.hosts.codex_bundle import HostCodexInstall
from optio_codex.hosts.host_scripts import SCRIPT_PRELUDE, HostOps, run_script
from optio_codex.hosts.provision import ProvisionError, ProvisionResult, provision
from optio_codex.hosts.task_spec import ProvisionSpec, validate_root

log = logging.getLogger(__name__)

NEEDED = ("codex-resources/bwrap", "codex-path/rg")
_CANDIDATES = (
    '"$d" "$d"/vendor/* "$d"/node_modules/@openai/codex-linux-*/vendor/* '
    '"$d"/lib/node_modules/@openai/codex/node_modules/@openai/codex-linux-*/vendor/*'
)

# $1 install_dir. Reports {"state": "found", root, version, missing} | "published" (0.4.8's
# cache) | "lone" (a codex without its layout) | "none" (no codex there).
_FIND_SCRIPT = SCRIPT_PRELUDE + (
    'd=$(expand "$1") || fail "install_dir is not absolute"; d=${d%/}; '
    'if [ -f "$d" ]; then case "$d" in */bin/codex) d=${d%/bin/codex};; '
    '*) fail "install_dir $d is a file, not a directory or a bin/codex";; esac; fi; '
    'none() { printf \'OPTIO-RESULT {"state":"none","dir":"%s"}\\n\' "$d"; exit 0; }; '
    '[ -d "$d" ] || none; found=""; '
    f"for c in {_CANDIDATES}; do "
    '[ -f "$c/codex-package.json" ] && [ -x "$c/bin/codex" ] && { found=$c; break; }; done; '
    # The published package's cache: a flat codex and its codex.version stamp.
    'if [ -z "$found" ] && [ -f "$d/codex.version" ]; then '
    'printf \'OPTIO-RESULT {"state":"published","dir":"%s"}\\n\' "$d"; exit 0; fi; '
    'if [ -z "$found" ]; then for c in "$d/codex" "$d/bin/codex"; do [ -e "$c" ] && { '
    'printf \'OPTIO-RESULT {"state":"lone","dir":"%s","codex":"%s"}\\n\' "$d" "$c"; exit 0; }; '
    "done; none; fi; "
    'm=""; for r in ' + " ".join(NEEDED) + '; do [ -x "$found/$r" ] || m="$m $r"; done; '
    # A CODEX_HOME that does not exist: codex --version then writes nothing anywhere.
    'v=$(CODEX_HOME="$found/.optio-no-codex-home" "$found/bin/codex" --version 2>/dev/null '
    "| tail -n 1 | tr -cd 'A-Za-z0-9 ._-'); "
    'printf \'OPTIO-RESULT {"state":"found","root":"%s","version":"%s","missing":"%s"}\\n\' '
    '"$found" "$v" "${m# }"'
)


def install_problems(install_dir: object, install_if_missing: object) -> Iterator[str]:
    """What is wrong with a config's install_dir / install_if_missing, by field."""
    if not isinstance(install_if_missing, bool):
        yield f"install_if_missing={install_if_missing!r} must be True or False"
    if install_dir is None:
        return
    if not isinstance(install_dir, str):
        yield f"install_dir must be a path on the host, not {type(install_dir).__name__}"
        return
    try:
        validate_root("install_dir", install_dir)
    except ValueError as exc:
        yield str(exc)


async def find_install(
    ops: HostOps, install_dir: str, timeout: float | None = 60.0
) -> HostCodexInstall | None:
    """The checked codex install ``install_dir`` holds on the host, or None if it holds no
    codex at all. A codex that is there but unusable raises, saying why."""
    validate_root("install_dir", install_dir)
    report = await run_script(
        ops, _FIND_SCRIPT, [install_dir], timeout=timeout, error=ProvisionError
    )
    state = report.get("state")
    if state == "none":
        return None
    if state == "published":  # as published, the pin wins over what that cache holds
        log.warning(
            "install_dir %s is the published optio-codex's codex cache: its codex is not used; "
            "the pinned codex %s is cached beside it",
            install_dir,
            PINNED_CODEX_VERSION,
        )
        return None
    if state == "lone":
        raise ProvisionError(
            f"install_dir: {report.get('codex')} is a codex without its bundle layout; point "
            "install_dir at a directory holding codex-package.json, bin/codex, "
            "codex-resources/bwrap and codex-path/rg (the openai-codex-cli-bin wheel's "
            "codex_cli_bin, or npm's @openai/codex-linux-<arch>/vendor/<target>): codex's "
            "sandbox needs the bwrap next to it"
        )
    root = str(report.get("root", ""))
    if report.get("missing"):
        raise ProvisionError(
            f"install_dir: the codex install at {root} lacks {report['missing']} "
            "(codex's sandbox runs the bwrap next to bin/codex)"
        )
    try:
        version = check_codex_version(str(report.get("version", "")), root)
    except CodexVersionError as exc:
        raise ProvisionError(str(exc)) from exc
    return HostCodexInstall(root=root, version=version)


async def provision_codex(
    ops: HostOps, spec: ProvisionSpec, timeout: float | None = 120.0
) -> ProvisionResult:
    """:func:`provision` with the codex ``spec.install_dir`` chooses (the module's docstring)."""
    install_dir = spec.install_dir
    if install_dir is None:
        return await provision(ops, spec, timeout=timeout)
    found = await find_install(ops, install_dir)
    if found is not None:
        return await provision(ops, spec, bundle=found, timeout=timeout)
    # No codex of the user's: install_dir is the cache of the pinned bundle (pushed there
    # unless install_if_missing is False).
    log.info("install_dir %s holds no codex install: it caches the pinned codex", install_dir)
    cache = replace(spec, cache_root=install_dir.rstrip("/") or install_dir)
    return await provision(ops, cache, timeout=timeout)
