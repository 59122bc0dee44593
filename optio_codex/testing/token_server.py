"""TokenServer: a local stand-in for OpenAI's OAuth token server and the bits of the ChatGPT
backend codex calls, for offline tests and benchmarks (the credentials note says what codex
0.163.0 sends and accepts).

- ``POST /oauth/token``: the refresh grant (JSON) rotates single-use refresh tokens per
  lineage; a token used twice answers 401 ``refresh_token_reused`` and revokes its whole
  lineage, as the real server does. The authorization_code grant (form-encoded) ends the
  device-code login.
- ``POST /api/accounts/deviceauth/usercode`` and ``.../deviceauth/token``: the device-code
  login, pending (404) until the test calls ``approve(user_code)``.
- ``GET /backend-api/wham/accounts/check`` and ``/backend-api/wham/usage``; 404 elsewhere.

Faults for the next calls of ``/oauth/token``: ``fail_next(kind, n)`` with a kind of
``oauth_tokens.FAULTS`` (500, 429, hang, invalid_grant, refresh_token_expired, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from aiohttp import web

from optio_codex.testing.codex_home import MOCK_PROVIDER_ID, mock_codex_config
from optio_codex.testing.oauth_tokens import (
    CLIENT_ID,
    FAULT_ANSWERS,
    FAULTS,
    Account,
    TokenLineage,
    access_token,
    auth_json,
    id_token,
    new_refresh_token,
)
from optio_codex.testing.service import Service

REFRESH_URL_ENV = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"


@dataclass
class TokenCounts:
    calls: int = 0  # POST /oauth/token, any grant
    rotations: int = 0  # refresh grants that issued a new refresh token
    reuses: int = 0  # refresh tokens presented a second time
    faults: int = 0  # calls answered by a scripted fault
    backend: int = 0  # /backend-api requests


@dataclass
class _Device:
    device_auth_id: str
    user_code: str
    account: Account
    approved: bool = False
    code: str | None = None
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(32))


class TokenServer(Service["TokenServer"]):
    def __init__(self, *, access_ttl: float = 3600.0, device_account: Account | None = None):
        self.access_ttl = access_ttl
        self.device_account = device_account or Account()
        self.counts = TokenCounts()
        self.lineages: dict[str, TokenLineage] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self._by_refresh: dict[str, str] = {}  # every refresh token ever issued → lineage
        self._access: dict[str, tuple[str, float]] = {}  # access token → (lineage, exp)
        self._faults: deque[str] = deque()
        self._devices: dict[str, _Device] = {}
        self._codes: dict[str, _Device] = {}
        self._hang = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Self:
        if self._runner is not None:
            raise RuntimeError("token server already started")
        app = web.Application()
        app.router.add_post("/oauth/token", self._token)
        app.router.add_post("/api/accounts/deviceauth/usercode", self._usercode)
        app.router.add_post("/api/accounts/deviceauth/token", self._device_token)
        app.router.add_route("*", "/backend-api/{tail:.*}", self._backend)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._hang = asyncio.Event()
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._hang.set()
        await runner.cleanup()

    @property
    def running(self) -> bool:
        return self._runner is not None

    def _entered(self) -> TokenServer:
        return self

    @property
    def base_url(self) -> str:
        """The issuer: ``http://127.0.0.1:PORT`` (``--experimental_issuer``)."""
        if self._port is None:
            raise RuntimeError("token server not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def token_url(self) -> str:
        """What ``CODEX_REFRESH_TOKEN_URL_OVERRIDE`` must hold."""
        return f"{self.base_url}/oauth/token"

    @property
    def chatgpt_base_url(self) -> str:
        return f"{self.base_url}/backend-api/"

    def codex_env(self) -> dict[str, str]:
        """The environment codex needs to refresh here (a URL, no secret)."""
        return {REFRESH_URL_ENV: self.token_url}

    def chatgpt_codex_config(self, model_base_url: str, catalog_path: Path) -> dict[str, Any]:
        """codex_home.mock_codex_config for a ChatGPT login: the provider gets the login's
        access token (``requires_openai_auth``), the ChatGPT backend is this server."""
        config = mock_codex_config(model_base_url, catalog_path)
        config["model_providers"][MOCK_PROVIDER_ID]["requires_openai_auth"] = True
        config["chatgpt_base_url"] = self.chatgpt_base_url
        return config

    # -- the test's controls -------------------------------------------------------------------

    def new_login(
        self,
        *,
        account_id: str = "acct-test-1",
        email: str = "dev@example.com",
        plan: str = "pro",
        access_ttl: float | None = None,
    ) -> dict[str, Any]:
        """A fresh lineage; the auth.json (as a dict) codex accepts for it."""
        account = Account(account_id, email, f"user-{account_id}", plan)
        return auth_json(self._issue_login(account, access_ttl), account_id)

    def _issue_login(self, account: Account, access_ttl: float | None) -> dict[str, str]:
        lineage_id = secrets.token_hex(6)
        refresh = new_refresh_token()
        ttl = self.access_ttl if access_ttl is None else access_ttl
        self.lineages[lineage_id] = TokenLineage(lineage_id, account, ttl, refresh)
        self._by_refresh[refresh] = lineage_id
        return self._tokens(self.lineages[lineage_id], refresh)

    def _tokens(self, lineage: TokenLineage, refresh: str) -> dict[str, str]:
        access, exp = access_token(lineage.account, lineage.lineage_id, lineage.access_ttl)
        self._access[access] = (lineage.lineage_id, exp)
        return {
            "id_token": id_token(lineage.account),
            "access_token": access,
            "refresh_token": refresh,
        }

    def fail_next(self, kind: str, n: int = 1) -> None:
        """Answer the next ``n`` calls of /oauth/token with the fault ``kind``."""
        if kind not in FAULTS:
            raise ValueError(f"fault {kind!r}: one of {sorted(FAULTS)}")
        self._faults.extend([kind] * n)

    def revoke(self, refresh_token: str, reason: str = "revoked") -> None:
        """Revoke the lineage ``refresh_token`` belongs to (its tokens stop working)."""
        lineage_id = self._by_refresh.get(refresh_token)
        if lineage_id is not None:
            self.lineages[lineage_id].revoked = reason

    def approve(self, user_code: str) -> None:
        """The operator entered ``user_code``: the device login completes at the next poll."""
        for device in self._devices.values():
            if device.user_code == user_code:
                device.approved = True
                return
        raise KeyError(f"no pending device login with code {user_code!r}")

    @property
    def pending_user_codes(self) -> list[str]:
        return [d.user_code for d in self._devices.values() if not d.approved]

    def is_valid_access(self, token: str | None) -> bool:
        """``token`` was issued here, has not expired, and its lineage is not revoked."""
        found = self._access.get(token or "")
        if found is None:
            return False
        lineage_id, exp = found
        return time.time() < exp and self.lineages[lineage_id].revoked is None

    def bearer_check(self, authorization: str | None) -> bool:
        """For ScriptedModelServer(auth_check=...): an ``Authorization`` header's bearer."""
        scheme, _, token = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.is_valid_access(token.strip())

    def current_refresh(self, lineage_id: str) -> str:
        return self.lineages[lineage_id].current

    def lineage_of(self, refresh_token: str) -> TokenLineage | None:
        lineage_id = self._by_refresh.get(refresh_token)
        return self.lineages.get(lineage_id) if lineage_id else None

    # -- /oauth/token --------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        self.counts.calls += 1
        if self._faults:
            self.counts.faults += 1
            kind = self._faults.popleft()
            if kind == "hang":
                await self._hang.wait()  # until the client gives up or the server stops
                return web.json_response({"error": "server_error"}, status=503)
            status, body = FAULT_ANSWERS[kind]
            return web.json_response(body, status=status)
        if request.content_type == "application/json":
            body = await _json(request)
        else:
            body = dict(await request.post())
        if body.get("client_id") != CLIENT_ID:
            return web.json_response({"error": "invalid_client"}, status=401)
        grant = body.get("grant_type")
        if grant == "refresh_token":
            return self._refresh(str(body.get("refresh_token") or ""))
        if grant == "authorization_code":
            return self._exchange(str(body.get("code") or ""), str(body.get("code_verifier") or ""))
        return web.json_response({"error": "unsupported_grant_type"}, status=400)

    def _refresh(self, refresh: str) -> web.Response:
        lineage = self.lineage_of(refresh)
        if lineage is None:
            return web.json_response({"error": "invalid_grant"}, status=401)
        if lineage.revoked is not None:
            return web.json_response({"code": "refresh_token_invalidated"}, status=400)
        if refresh != lineage.current:  # a used token: the real server revokes the family
            self.counts.reuses += 1
            lineage.revoked = "refresh_token_reused"
            return web.json_response({"error": {"code": "refresh_token_reused"}}, status=401)
        lineage.used.add(refresh)
        lineage.current = new_refresh_token()
        lineage.rotations += 1
        self._by_refresh[lineage.current] = lineage.lineage_id
        self.counts.rotations += 1
        return web.json_response(self._tokens(lineage, lineage.current))

    def _exchange(self, code: str, verifier: str) -> web.Response:
        device = self._codes.pop(code, None)
        if device is None or verifier != device.verifier:
            return web.json_response({"error": "invalid_grant"}, status=400)
        return web.json_response(self._issue_login(device.account, None))

    # -- device-code login ---------------------------------------------------------------------

    async def _usercode(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        body = await _json(request)
        if body.get("client_id") != CLIENT_ID:
            return web.json_response({"error": "invalid_client"}, status=400)
        code = "-".join(secrets.token_hex(2).upper() for _ in range(2))
        device = _Device(secrets.token_hex(8), code, self.device_account)
        self._devices[device.device_auth_id] = device
        return web.json_response(
            {"device_auth_id": device.device_auth_id, "user_code": code, "interval": "1"}
        )

    async def _device_token(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        body = await _json(request)
        device = self._devices.get(str(body.get("device_auth_id")))
        if device is None or device.user_code != body.get("user_code"):
            return web.json_response({"error": "invalid_request"}, status=400)
        if not device.approved:
            return web.json_response({"error": "authorization_pending"}, status=404)
        del self._devices[device.device_auth_id]
        device.code = "ac_" + secrets.token_urlsafe(16)
        self._codes[device.code] = device
        return web.json_response(
            {
                "authorization_code": device.code,
                "code_challenge": "unused-by-the-stand-in",
                "code_verifier": device.verifier,
            }
        )

    # -- ChatGPT backend -----------------------------------------------------------------------

    async def _backend(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        self.counts.backend += 1
        tail = request.match_info["tail"].rstrip("/")
        if not self.bearer_check(request.headers.get("Authorization")):
            return web.json_response({"error": {"code": "token_expired"}}, status=401)
        account_id = request.headers.get("chatgpt-account-id")
        if tail == "wham/accounts/check" and request.method == "GET":
            return web.json_response(
                {
                    "accounts": [
                        {
                            "id": account_id,
                            "workspace_backend_origin": "https://chatgpt.com",
                            "account_routing_override": "NO_CONSTRAINT",
                        }
                    ]
                }
            )
        if tail == "wham/usage" and request.method == "GET":
            return web.json_response(_usage())
        return web.json_response({"detail": "Not Found"}, status=404)

    async def _not_found(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        return web.json_response({"detail": "Not Found"}, status=404)


def _usage() -> dict[str, Any]:
    reset = int(time.time()) + 600

    def window(used: int, seconds: int) -> dict[str, Any]:
        return {
            "used_percent": used,
            "limit_window_seconds": seconds,
            "reset_after_seconds": 600,
            "reset_at": reset,
        }

    return {
        "plan_type": "pro",
        "rate_limit": {
            "allowed": True,
            "limit_reached": False,
            "primary_window": window(42, 18000),
            "secondary_window": window(7, 604800),
        },
        "credits": {"has_credits": False, "unlimited": False, "balance": "0"},
    }


async def _json(request: web.Request) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        body = await request.json()
        if isinstance(body, dict):
            return body
    return {}
