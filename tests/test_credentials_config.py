"""Seed and login fields of CodexTaskConfig: published names, errors that name the field."""

from __future__ import annotations

import logging

import pytest

from optio_codex.task.config import CodexTaskConfig, provision_spec


def _identity(data: bytes) -> bytes:
    return data


async def _provider(holder: str) -> str:
    return "seed-for-" + holder


def test_seed_fields_and_blob_crypto_accessors() -> None:
    named = CodexTaskConfig(consumer_instructions="x", seed_id="team-login")
    assert named.seed_id == "team-login" and named.seed_encrypt is None
    pooled = CodexTaskConfig(
        consumer_instructions="x",
        seed_id=_provider,
        session_blob_encrypt=_identity,
        session_blob_decrypt=_identity,
    )
    # The seed pair falls back to the session pair (the published rule).
    assert pooled.seed_encrypt is _identity and pooled.seed_decrypt is _identity


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed_id": "a", "api_key": "sk-1"}, "seed_id and api_key"),
        ({"seed_id": "  "}, "seed_id must be"),
        ({"seed_id": 7}, "seed_id must be"),
        ({"seed_id": "a", "on_seed_saved": lambda s, i: None}, "on_seed_saved"),
        ({"on_seed_saved": "yes"}, "on_seed_saved must be a callable"),
        ({"seed_blob_encrypt": _identity}, "seed_blob_encrypt and seed_blob_decrypt"),
        ({"session_blob_decrypt": _identity}, "session_blob_encrypt and"),
        ({"env": {"OPENAI_API_KEY": "sk-1"}, "api_key": "sk-2"}, "OPENAI_API_KEY and api_key"),
        ({"env": {"OPENAI_API_KEY": ""}}, "OPENAI_API_KEY must be"),
        ({"env": {"OPENAI_API_KEY": "sk-1"}, "seed_id": "a"}, "seed_id and api_key"),
        ({"env": {"OPENAI_API_KEY": "sk-1", "MY_TOKEN": "t"}}, "env: MY_TOKEN looks like"),
    ],
)
def test_bad_seed_settings_name_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CodexTaskConfig(consumer_instructions="x", **kwargs)  # type: ignore[arg-type]


def test_published_env_api_key_becomes_api_key(caplog: pytest.LogCaptureFixture) -> None:
    secret = "sk-published-style-0123456789"
    with caplog.at_level(logging.INFO, logger="optio_codex.task.config"):
        config = CodexTaskConfig(
            consumer_instructions="x", env={"OPENAI_API_KEY": secret, "LANG": "C.UTF-8"}
        )
    assert config.api_key == secret
    assert config.env == {"LANG": "C.UTF-8"}
    assert provision_spec(config, "t1").api_key == secret
    assert "taken as api_key" in caplog.text and secret not in caplog.text
    assert secret not in repr(config)
    alone = CodexTaskConfig(consumer_instructions="x", env={"OPENAI_API_KEY": secret})
    assert alone.env is None and alone.api_key == secret
