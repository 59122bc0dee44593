"""The pinned codex as hosts get it: the files of the wheel a host needs (with their hashes),
and the push of that bundle into a host's cache (staged, verified on the host, renamed in).

Why a directory and not a single file: see :mod:`optio_codex.hosts.provision`.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from optio_codex.binary import pinned_codex
from optio_codex.hosts.host_scripts import HostOps, run_script
from optio_codex.hosts.task_spec import ProvisionError, VerifyMode


@dataclass(frozen=True)
class HostCodexInstall:
    """A codex already on the host that the task uses as it is (``install_dir``): a directory
    in the bundle layout, its version checked to lie in the supported window."""

    root: str  # absolute, on the host: holds bin/codex, codex-resources/bwrap, codex-path/rg
    version: str

    @property
    def binary(self) -> str:
        return f"{self.root}/bin/codex"


@dataclass(frozen=True)
class BundleFile:
    local: Path
    rel: str  # path inside the bundle directory
    sha256: str


@dataclass(frozen=True)
class CodexBundle:
    """The files of the pinned codex that a host needs, with their hashes."""

    version: str
    files: tuple[BundleFile, ...]

    @property
    def name(self) -> str:
        codex = next(f for f in self.files if f.rel == "bin/codex")
        return f"codex-{self.version}-{codex.sha256[:16]}"

    def manifest_args(self) -> list[str]:
        return [f"{f.sha256}:{f.rel}" for f in self.files]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=2)
def wheel_bundle(code_mode_host: bool = False) -> CodexBundle:
    """The bundle from the installed openai-codex-cli-bin wheel (hashed once per process)."""
    codex = pinned_codex()
    package = codex.path.parent.parent  # .../codex_cli_bin/{bin,codex-resources,codex-path}
    rels = ["codex-package.json", "codex-resources/bwrap", "codex-path/rg"]
    if code_mode_host:
        rels.append("bin/codex-code-mode-host")
    files = [BundleFile(codex.path, "bin/codex", codex.sha256)]
    for rel in rels:
        local = package / rel
        if not local.is_file():
            raise ProvisionError(f"the codex wheel lacks {rel} (looked at {local})")
        files.append(BundleFile(local, rel, _sha256_file(local)))
    return CodexBundle(version=codex.version, files=tuple(files))


# $1 staging dir, $2 bundle dir, $3 version, $4 verify mode, $5.. "sha256:relpath".
_FINALIZE_SCRIPT = (
    "set -u; umask 077; "
    "stage=$1; d=$2; version=$3; mode=$4; shift 4; "
    'fail() { printf \'OPTIO-ERROR %s\\n\' "$1"; rm -rf "$stage"; exit 3; }; '
    'for p in "$@"; do rel=${p#*:}; '
    'case "$rel" in *.json) chmod 0644 "$stage/$rel";; *) chmod 0755 "$stage/$rel";; esac '
    '|| fail "cannot chmod $rel"; '
    'got=$(sha256sum "$stage/$rel" | cut -d" " -f1); '
    '[ "$got" = "${p%%:*}" ] || fail "sha256 of the uploaded $rel is $got"; done; '
    # A CODEX_HOME that does not exist: codex then writes nothing (its helper links would
    # otherwise land in the SSH user's real ~/.codex/tmp) and only warns on stderr.
    'v=$(CODEX_HOME="$stage/.no-codex-home" "$stage/bin/codex" --version 2>/dev/null); '
    '[ "${v##* }" = "$version" ] '
    '|| fail "the uploaded codex reports $v"; '
    'if [ "$mode" = stamp ]; then { printf "%s;" "$@"; for p in "$@"; do '
    'stat -c "%s %i %z" "$stage/${p#*:}"; done; } > "$stage/.verified"; fi; '
    # A bad bundle is moved aside (running tasks keep their open binary), then the staged
    # one renamed in. mv -T never moves into an existing dir: if a concurrent push won the
    # race, its verified bundle is kept and ours dropped.
    'old=""; if [ -e "$d" ] || [ -L "$d" ]; then old="$d.old.$$"; mv -f -T "$d" "$old" '
    '|| fail "cannot move the old bundle aside"; fi; '
    'if mv -T "$stage" "$d" 2>/dev/null; then state=installed; '
    'else rm -rf "$stage"; state=raced; fi; '
    'if [ -n "$old" ]; then rm -rf "$old"; fi; '
    'printf \'OPTIO-RESULT {"state":"%s"}\\n\' "$state"'
)


async def push_bundle(
    ops: HostOps,
    verify: VerifyMode,
    bundle: CodexBundle,
    stage: str,
    bundle_dir: str,
    timings: dict[str, float],
) -> None:
    """Upload to a staging dir, then verify and rename it into place on the host."""
    if not stage.startswith(posixpath.dirname(bundle_dir) + "/.incoming."):
        raise ProvisionError(f"the host reported an unexpected staging dir {stage!r}")
    started = time.monotonic()
    await ops.put_files([(f.local, f"{stage}/{f.rel}") for f in bundle.files])
    timings["push"] = time.monotonic() - started
    started = time.monotonic()
    args = [stage, bundle_dir, bundle.version, verify, *bundle.manifest_args()]
    await run_script(ops, _FINALIZE_SCRIPT, args, tag="RESULT", timeout=300, error=ProvisionError)
    timings["finalize"] = time.monotonic() - started
