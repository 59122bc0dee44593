"""The published module path of the account helpers (optio-opencode imports
``optio_codex.account.account_from_openai`` for its OpenAI logins): who a ChatGPT login is
and how much of its limits is used, as codex itself reads them (optio_codex.credentials)."""

from __future__ import annotations

from optio_agents.account import AccountInfo

from optio_codex.credentials.account import analyze_account

__all__ = ["account_from_openai", "analyze_account"]


async def account_from_openai(access_token: str, account_id: str | None) -> AccountInfo:
    """A login known by its access token (and ChatGPT account id) alone, as the published
    helper took it; fail-soft like :func:`analyze_account` (EMPTY when nothing is known)."""
    tokens = {"access_token": access_token, "account_id": account_id}
    return await analyze_account({k: v for k, v in tokens.items() if v})
