"""A tiny stdio MCP server for tests: what codex calls when the model uses an MCP tool.

No dependencies: newline-delimited JSON-RPC 2.0 on stdin/stdout, speaking just enough MCP
(``initialize``, ``tools/list``, ``tools/call``, ``ping``) for codex's client. Two tools:

- ``echo`` (``readOnlyHint: true``): returns its ``text`` argument.
- ``write_note`` (``readOnlyHint: false``, ``destructiveHint: true``): appends its ``text``
  argument as one line to the log file, so a test can tell whether the call really ran.
  Under ``approvalPolicy: "on-request"`` codex asks the client before calling it, with an
  ``mcpServer/elicitation/request`` whose ``_meta.codex_approval_kind`` is ``"mcp_tool_call"``.

Codex 0.163.0 does not list MCP tools in the model's ``tools[]``: they are deferred behind its
``tool_search`` tool, whose output puts them in a namespace ``mcp__<server>``. The model calls one
as ``{"type": "function_call", "namespace": "mcp__<server>", "name": "<tool>", ...}`` (a search
first is not required); the flat name ``mcp__<server>__<tool>`` is refused as "unsupported call".

Point codex at the server with :func:`mcp_server_config` (a ``[mcp_servers.<name>]`` table for
config.toml), or run it by hand: ``python -m optio_codex.testing.mcp_server --log notes.log``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, TextIO

__all__ = [
    "DEFAULT_SERVER_NAME",
    "ECHO_TOOL",
    "SERVER_NAME",
    "WRITE_TOOL",
    "McpTestServer",
    "main",
    "mcp_server_config",
    "model_namespace",
]

SERVER_NAME: Final = "optio-test-mcp"
DEFAULT_SERVER_NAME: Final = "optiotest"  # the [mcp_servers.<name>] key used by tests
ECHO_TOOL: Final = "echo"
WRITE_TOOL: Final = "write_note"
# Versions we can answer in; a client asking for another one gets the newest.
_PROTOCOL_VERSIONS: Final = ("2025-06-18", "2025-03-26", "2024-11-05")

_PARSE_ERROR: Final = -32700
_INVALID_REQUEST: Final = -32600
_METHOD_NOT_FOUND: Final = -32601
_INVALID_PARAMS: Final = -32602

_TEXT_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {"text": {"type": "string", "description": "The text."}},
    "required": ["text"],
    "additionalProperties": False,
}

TOOLS: Final[list[dict[str, Any]]] = [
    {
        "name": ECHO_TOOL,
        "title": "Echo",
        "description": "Return the given text unchanged.",
        "inputSchema": _TEXT_SCHEMA,
        "annotations": {"readOnlyHint": True, "destructiveHint": False, "openWorldHint": False},
    },
    {
        "name": WRITE_TOOL,
        "title": "Write note",
        "description": "Append the given text as a line to the server's notes file.",
        "inputSchema": _TEXT_SCHEMA,
        "annotations": {"readOnlyHint": False, "destructiveHint": True, "openWorldHint": False},
    },
]


def model_namespace(server: str = DEFAULT_SERVER_NAME) -> str:
    """The namespace of the model's function calls to MCP server ``server``'s tools."""
    return f"mcp__{server}"


def mcp_server_config(log_path: Path | str, *, python: str | None = None) -> dict[str, Any]:
    """The ``[mcp_servers.<name>]`` table that starts this server writing to ``log_path``.

    ``python`` is the interpreter (absolute path) codex runs it with; default: this one.
    """
    return {
        "command": python or sys.executable,
        "args": ["-m", "optio_codex.testing.mcp_server", "--log", str(log_path)],
        "startup_timeout_sec": 20,
        "tool_timeout_sec": 20,
    }


class McpTestServer:
    """Answers MCP JSON-RPC messages; I/O is the caller's (see :meth:`serve`)."""

    def __init__(self, log_path: Path | None) -> None:
        self.log_path = log_path

    def handle(self, message: Any) -> dict[str, Any] | None:
        """The reply to one decoded message (None for notifications and responses)."""
        if not isinstance(message, dict):
            return _error(None, _INVALID_REQUEST, "not a JSON-RPC object")
        method = message.get("method")
        msg_id = message.get("id")
        if not isinstance(method, str):
            return None  # a response to something we never asked: ignore
        if msg_id is None:
            return None  # notifications (initialized, cancelled, ...) need no answer
        params = message.get("params")
        params = params if isinstance(params, dict) else {}
        if method == "initialize":
            return _result(msg_id, self._initialize(params))
        if method == "ping":
            return _result(msg_id, {})
        if method == "tools/list":
            return _result(msg_id, {"tools": TOOLS})
        if method == "tools/call":
            return self._call(msg_id, params)
        if method in ("resources/list", "resources/templates/list", "prompts/list"):
            key = {"resources/templates/list": "resourceTemplates"}.get(
                method, method.split("/")[0]
            )
            return _result(msg_id, {key: []})
        return _error(msg_id, _METHOD_NOT_FOUND, f"method not found: {method}")

    def _initialize(self, params: dict[str, Any]) -> dict[str, Any]:
        asked = params.get("protocolVersion")
        version = asked if asked in _PROTOCOL_VERSIONS else _PROTOCOL_VERSIONS[0]
        return {
            "protocolVersion": version,
            "capabilities": {"tools": {"listChanged": False}},
            "serverInfo": {"name": SERVER_NAME, "version": "1.0.0"},
        }

    def _call(self, msg_id: Any, params: dict[str, Any]) -> dict[str, Any]:
        name = params.get("name")
        arguments = params.get("arguments")
        arguments = arguments if isinstance(arguments, dict) else {}
        text = arguments.get("text")
        if not isinstance(text, str):
            return _error(msg_id, _INVALID_PARAMS, "argument 'text' (a string) is required")
        if name == ECHO_TOOL:
            return _result(msg_id, _content(text))
        if name == WRITE_TOOL:
            if self.log_path is None:
                return _result(msg_id, _content("no notes file configured", error=True))
            with self.log_path.open("a", encoding="utf-8") as notes:
                notes.write(text.replace("\n", " ") + "\n")
            return _result(msg_id, _content(f"noted: {text}"))
        return _error(msg_id, _INVALID_PARAMS, f"unknown tool: {name!r}")

    def serve(self, stdin: TextIO, stdout: TextIO) -> None:
        """Read messages line by line until EOF, writing one line per reply."""
        for line in stdin:
            if not line.strip():
                continue
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                reply: dict[str, Any] | None = _error(None, _PARSE_ERROR, "invalid JSON")
            else:
                reply = self.handle(message)
            if reply is not None:
                stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
                stdout.flush()


def _content(text: str, *, error: bool = False) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": text}], "isError": error}


def _result(msg_id: Any, result: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "result": result}


def _error(msg_id: Any, code: int, message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--log", type=Path, default=None, help="notes file for write_note")
    args = parser.parse_args(argv)
    McpTestServer(args.log).serve(sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
