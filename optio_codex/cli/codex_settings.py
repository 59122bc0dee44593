"""codex settings from the command line: ``--config FILE``, ``--profile NAME``, ``-c key=value``.

They become the task's ``codex_config``, merged over the config.toml optio-codex generates in
the task's own CODEX_HOME (the user-level one: codex ignores provider keys in a project's
``.codex/config.toml``), so the sandbox check of CodexTaskConfig sees every one of them.

Layered as codex layers them: the file, then the profile, then each ``-c`` in order. The
profile is applied here, not by codex: ``profile = "p"`` in config.toml makes every
thread/start of the pinned codex (0.163.0) fail (docs/codex-observed.md, "Sandbox"), so
``[profiles.NAME]`` is merged over the top level and no ``profile``/``profiles`` key is
written. A provider's key never comes from here (argv is visible to every user): its
``env_key`` names a variable the user exports, read by :func:`provider_secrets_from_env`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optio_codex.hosts.provider_keys import provider_env_keys
from optio_codex.mappings import deep_merge

PROFILE = "profile"
PROFILES = "profiles"


class SettingsError(ValueError):
    """Settings that cannot be used; the message is one line naming the file or entry."""


def parse_override(entry: str) -> dict[str, Any]:
    """``key=value`` as a nested table: the key a TOML key (dots make tables, quotes keep a
    dot in a name), the value TOML, or the plain string when it is not TOML (as codex's -c)."""
    key, equals, raw = entry.partition("=")
    key, raw = key.strip(), raw.strip()
    if not equals or not key:
        raise SettingsError(f'-c {entry!r}: expected key=value, e.g. -c model="o3"')
    try:
        path = _key_path(tomllib.loads(f"{key} = 0"))
    except tomllib.TOMLDecodeError:
        raise SettingsError(f"-c {entry!r}: {key!r} is not a TOML key") from None
    try:
        value: Any = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    for name in reversed(path):
        value = {name: value}
    result: dict[str, Any] = value
    return result


def _key_path(table: Mapping[str, Any]) -> list[str]:
    """The names from the top of a one-leaf table down to its leaf."""
    path: list[str] = []
    node: Any = table
    while isinstance(node, Mapping):
        (name, node), *_ = node.items()
        path.append(name)
    return path


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SettingsError(f"--config {path}: cannot read it ({reason})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"--config {path}: not valid TOML ({exc})") from None


def codex_settings(
    config_file: Path | None = None,
    profile: str | None = None,
    overrides: Sequence[str] = (),
) -> dict[str, Any]:
    """The task's ``codex_config`` from the command line's three options (empty: none given).

    A ``profile = "NAME"`` in the file chooses the profile when ``--profile`` does not.
    ``-c profiles.NAME.key=value`` adds to a profile before it is applied.
    """
    base = read_config_file(config_file) if config_file is not None else {}
    extra: dict[str, Any] = {}
    for entry in overrides:
        extra = deep_merge(extra, parse_override(entry))
    profiles = deep_merge(_table(base.get(PROFILES)), _table(extra.get(PROFILES)))
    chosen = profile or base.get(PROFILE)
    settings = {k: v for k, v in base.items() if k not in (PROFILE, PROFILES)}
    if chosen is not None:
        if chosen not in profiles or not isinstance(profiles[chosen], Mapping):
            known = ", ".join(sorted(profiles)) or "none"
            raise SettingsError(
                f"--profile {chosen}: no [profiles.{chosen}] table in --config or -c "
                f"(profiles: {known})"
            )
        settings = deep_merge(settings, profiles[chosen])
    return deep_merge(settings, {k: v for k, v in extra.items() if k != PROFILES})


def _table(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def provider_secrets_from_env(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{variable: value} for the ``env_key`` of every provider in ``settings``, read from
    this process's environment; SettingsError names the first one not set."""
    source = os.environ if environ is None else environ
    secrets: dict[str, str] = {}
    for provider, variable in provider_env_keys(settings).items():
        value = source.get(variable, "")
        if not value.strip():
            raise SettingsError(
                f"model_providers.{provider}.env_key names {variable}, which is not set: "
                f"export {variable}=<the provider's key> (it reaches codex in a 0600 file only)"
            )
        secrets[variable] = value.strip()
    return secrets


def uses_other_provider(settings: Mapping[str, Any]) -> bool:
    """Whether codex talks to a provider other than OpenAI's (so needs no OPENAI_API_KEY)."""
    provider = settings.get("model_provider")
    return isinstance(provider, str) and provider != "openai"
