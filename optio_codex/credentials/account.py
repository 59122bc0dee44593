"""analyze_account: who a ChatGPT login is and how much of its limits is used, as codex
itself reads them (``account/read``, ``account/rateLimits/read``) in a short-lived local
app-server whose private CODEX_HOME holds the login as auth.json (0600, removed afterwards).

The login is never rotated here: codex would refresh an access token near its expiry at
start, consuming the seed's single-use refresh token in a copy nobody saves. Its token URL is
pointed at a closed local port, so such a refresh fails as a connection error (transient, the
token untouched). Fail-soft, as published: any failure gives the identity the id_token's
claims carry, or EMPTY.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w
from optio_agents.account import EMPTY, AccountInfo, UsageWindow

from optio_codex.binary import pinned_codex
from optio_codex.credentials.token_claims import account_from_auth, plan_name
from optio_codex.hosts.launch import app_server_argv, app_server_env
from optio_codex.protocol.endpoint import JsonRpcEndpoint
from optio_codex.transport.local import spawn_local_app_server

_NO_REFRESH = "http://127.0.0.1:9/oauth/token"  # discard port: nothing listens


async def analyze_account(
    creds: Mapping[str, Any],
    *,
    chatgpt_base_url: str | None = None,
    codex: Path | None = None,
    timeout: float = 20.0,
) -> AccountInfo:
    """``creds``: auth.json's ``tokens`` dict (the published form) or the whole auth.json."""
    try:
        auth = _auth_document(creds)
    except (TypeError, ValueError, AttributeError):
        return EMPTY
    offline = account_from_auth(json.dumps(auth).encode()) or EMPTY
    try:
        read, limits = await asyncio.wait_for(
            _ask_codex(auth, chatgpt_base_url, codex or pinned_codex().path), timeout
        )
    except Exception:  # informational only: never disturbs the caller
        return offline
    return _info(read, limits, offline)


def _auth_document(creds: Mapping[str, Any]) -> dict[str, Any]:
    tokens = creds.get("tokens") if isinstance(creds.get("tokens"), Mapping) else creds
    if not isinstance(tokens, Mapping) or not tokens.get("access_token"):
        raise ValueError("no access token")
    stamp = creds.get("last_refresh") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": None,
        "tokens": dict(tokens),
        "last_refresh": stamp,
    }


async def _ask_codex(
    auth: dict[str, Any], chatgpt_base_url: str | None, codex: Path
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    root = Path.home() / ".optio-codex"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    home = Path(tempfile.mkdtemp(prefix="account-", dir=root))
    try:
        codex_home = home / ".codex"
        codex_home.mkdir(mode=0o700)
        secret = codex_home / "auth.json"
        secret.touch(mode=0o600)
        secret.write_text(json.dumps(auth))
        config: dict[str, Any] = {
            "check_for_update_on_startup": False,
            "analytics": {"enabled": False},
        }
        if chatgpt_base_url:
            config["chatgpt_base_url"] = chatgpt_base_url
        (codex_home / "config.toml").write_text(tomli_w.dumps(config))
        env = app_server_env(
            home=str(home),
            codex_home=str(codex_home),
            tmpdir=str(home),
            extra={"CODEX_REFRESH_TOKEN_URL_OVERRIDE": _NO_REFRESH},
        )
        server = await spawn_local_app_server(app_server_argv(str(codex)), env=env, cwd=home)
        endpoint = JsonRpcEndpoint(server.stream)
        try:
            endpoint.start()
            await endpoint.request(
                "initialize",
                {
                    "clientInfo": {
                        "name": "optio_codex_account",
                        "title": "optio-codex",
                        "version": "1",
                    }
                },
            )
            await endpoint.notify("initialized")
            read = await endpoint.request("account/read", {"refreshToken": False})
            limits = None
            with contextlib.suppress(Exception):
                limits = await endpoint.request("account/rateLimits/read", {})
            return read, limits
        finally:
            await endpoint.aclose()
            server.kill()
            with contextlib.suppress(Exception):
                await server.wait(5.0)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _info(read: Any, limits: Any, offline: AccountInfo) -> AccountInfo:
    account = (read or {}).get("account") if isinstance(read, dict) else None
    if not isinstance(account, dict):
        return offline  # null: codex holds the login for refused (or it is no ChatGPT login)
    routing = read.get("workspaceRouting") or {}
    rate = (limits or {}).get("rateLimits") if isinstance(limits, dict) else None
    windows: list[UsageWindow] = []
    for label in ("primary", "secondary"):
        window = (rate or {}).get(label)
        if isinstance(window, dict) and isinstance(window.get("usedPercent"), int | float):
            resets = window.get("resetsAt")
            windows.append(
                UsageWindow(
                    label=label,
                    pct=float(window["usedPercent"]),
                    resets_at=datetime.fromtimestamp(resets, UTC)
                    if isinstance(resets, int | float)
                    else None,
                )
            )
    plan = account.get("planType") or (rate or {}).get("planType")
    return AccountInfo(
        name=offline.name,
        email=account.get("email") or offline.email,
        plan=plan_name(plan) or offline.plan,
        account_id=routing.get("chatgptAccountId") or offline.account_id,
        windows=tuple(windows),
        raw={"account": read, "rateLimits": limits},
    )
