"""A custom model provider's key: from the variable its ``env_key`` names into config.toml.

codex reads a provider's key from the environment variable named by
``[model_providers.NAME] env_key``. The app-server's environment is no place for a secret (over
SSH it is set on the exec's command line, visible in the host's process list), so the key is
written into the task's config.toml (mode 0600, in the task's own CODEX_HOME) as the provider's
``experimental_bearer_token``, and ``env_key`` is dropped: the pinned codex (0.163.0) sends
that token as ``Authorization: Bearer`` and, when ``env_key`` is also set, insists on the
variable and fails the turn without it (docs/codex-observed.md, "Custom model providers").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

PROVIDERS = "model_providers"
TOKEN = "experimental_bearer_token"


def provider_env_keys(config: Mapping[str, Any] | None) -> dict[str, str]:
    """{provider name: the variable its ``env_key`` names} for every provider in ``config``."""
    providers = (config or {}).get(PROVIDERS)
    if not isinstance(providers, Mapping):
        return {}
    return {
        str(name): entry["env_key"]
        for name, entry in providers.items()
        if isinstance(entry, Mapping) and isinstance(entry.get("env_key"), str)
    }


def provider_key_problems(
    config: Mapping[str, Any] | None, secrets: Mapping[str, str] | None
) -> Iterator[str]:
    """Why ``secrets`` (variable name → value) does not fit the providers of ``config``."""
    secrets = secrets or {}
    wanted = provider_env_keys(config)
    for name, variable in wanted.items():
        if variable not in secrets:
            yield (
                f"codex_config {PROVIDERS}.{name}.env_key={variable!r} has no value: pass "
                f"provider_secrets={{{variable!r}: ...}} (codex gets no environment of ours)"
            )
    for variable, value in secrets.items():
        if variable not in wanted.values():
            yield f"provider_secrets: {variable} is no provider's env_key in codex_config"
        elif not isinstance(value, str) or not value.strip() or "\n" in value:
            yield f"provider_secrets: the value of {variable} must be a one-line, non-empty string"


def with_provider_keys(config: Mapping[str, Any], secrets: Mapping[str, str]) -> dict[str, Any]:
    """``config`` with each provider's ``env_key`` replaced by its key as a bearer token."""
    wanted = provider_env_keys(config)
    if not wanted:
        return dict(config)
    providers = dict(config[PROVIDERS])
    for name, variable in wanted.items():
        if variable in secrets:
            entry = {k: v for k, v in providers[name].items() if k != "env_key"}
            entry[TOKEN] = secrets[variable]
            providers[name] = entry
    return {**config, PROVIDERS: providers}
