"""``mcp_servers``: the task's remote MCP servers, written into codex's config.toml.

Each launch (fresh or resumed) resolves the setting with optio-agents' resolver (a static
list, or a provider awaited with the process id, so per-launch credentials stay fresh) and
adds one ``[mcp_servers.<name>]`` table per server: ``url`` (codex 0.163.0 speaks streamable
HTTP to it) and ``http_headers``. The headers carry credentials: they travel in the
provisioning tar on stdin and land in the task's config.toml (0600, its own CODEX_HOME), never
on a command line or in an environment, and no progress line names them.
"""

from __future__ import annotations

from typing import Any

from optio_agents.mcp import McpServer, resolve_mcp_servers

from optio_codex.mappings import deep_merge
from optio_codex.task.companions import LaunchPlan, PrepareView, RunEnding, RunView
from optio_codex.task.config import CodexTaskConfig


def mcp_tables(servers: list[McpServer]) -> dict[str, Any]:
    """config.toml's ``mcp_servers`` entries for ``servers``."""
    tables: dict[str, Any] = {}
    for server in servers:
        table: dict[str, Any] = {"url": server.url}
        if server.headers:
            table["http_headers"] = dict(server.headers)
        tables[server.name] = table
    return tables


class McpServers:
    """Puts the resolved servers into the launch plan; nothing runs beside the task."""

    def __init__(self, config: CodexTaskConfig) -> None:
        self.config = config

    async def prepare(self, view: PrepareView, plan: LaunchPlan) -> None:
        servers = await resolve_mcp_servers(self.config, str(view.ctx.process_id))
        if not servers:
            return
        plan.codex_config = deep_merge(plan.codex_config, {"mcp_servers": mcp_tables(servers)})
        plan.notes.append("MCP servers: " + ", ".join(s.name for s in servers))

    async def start(self, run: RunView) -> None:
        return None

    async def stop(self, ending: RunEnding) -> None:
        return None


def mcp_servers_for(config: CodexTaskConfig) -> McpServers | None:
    return McpServers(config) if config.mcp_servers is not None else None
