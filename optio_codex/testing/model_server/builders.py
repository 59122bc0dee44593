"""Builders of scripted steps: streamed text and reasoning, tool calls, failures."""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

from optio_codex.testing.model_server.steps import (
    MOCK_MODEL,
    Action,
    Disconnect,
    Gate,
    Pause,
    RecordedRequest,
    SseEvent,
    Step,
    WaitGate,
)

DEFAULT_CHUNK_SIZE: Final = 8

_ids = itertools.count(1)
_id_salt = secrets.token_hex(3)


def _new_id(prefix: str) -> str:
    # Unique per process so repeated steps never reuse an item or call id.
    return f"{prefix}_{_id_salt}{next(_ids):06d}"


def usage(
    input_tokens: int = 10, output_tokens: int = 5, reasoning_tokens: int = 0
) -> dict[str, Any]:
    """A Responses API `usage` object (codex turns it into `thread/tokenUsage/updated`)."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def _chunks(value: str, size: int) -> list[str]:
    if size < 1:
        raise ValueError("chunk_size must be >= 1")
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def _response(response_id: str, status: str, output: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": status,
        "model": MOCK_MODEL,
        "output": output,
        **extra,
    }


def _created(response_id: str) -> SseEvent:
    return SseEvent("response.created", {"response": _response(response_id, "in_progress", [])})


def _completed(response_id: str, output: list[Any], tokens: Mapping[str, Any]) -> SseEvent:
    body = _response(response_id, "completed", output, usage=dict(tokens))
    return SseEvent("response.completed", {"response": body})


def _reasoning_actions(summary: str, index: int, chunk_size: int, delay: float) -> list[Action]:
    item_id = _new_id("rs")
    part = {"type": "summary_text", "text": summary}
    where = {"item_id": item_id, "output_index": index, "summary_index": 0}
    item = {"id": item_id, "type": "reasoning", "summary": [part], "encrypted_content": None}
    actions: list[Action] = [
        SseEvent(
            "response.output_item.added",
            {"output_index": index, "item": {**item, "summary": []}},
        ),
        SseEvent("response.reasoning_summary_part.added", {**where, "part": {**part, "text": ""}}),
    ]
    for piece in _chunks(summary, chunk_size):
        if delay > 0:
            actions.append(Pause(delay))
        actions.append(SseEvent("response.reasoning_summary_text.delta", {**where, "delta": piece}))
    actions += [
        SseEvent("response.reasoning_summary_text.done", {**where, "text": summary}),
        SseEvent("response.reasoning_summary_part.done", {**where, "part": part}),
        SseEvent("response.output_item.done", {"output_index": index, "item": item}),
    ]
    return actions


def _message_actions(
    answer: str, index: int, chunk_size: int, delay: float, *, finish: bool = True
) -> tuple[list[Action], dict[str, Any]]:
    item_id = _new_id("msg")
    part = {"type": "output_text", "text": answer, "annotations": []}
    item = {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [part],
    }
    where = {"item_id": item_id, "output_index": index, "content_index": 0}
    actions: list[Action] = [
        SseEvent(
            "response.output_item.added",
            {"output_index": index, "item": {**item, "status": "in_progress", "content": []}},
        ),
        SseEvent("response.content_part.added", {**where, "part": {**part, "text": ""}}),
    ]
    for piece in _chunks(answer, chunk_size):
        if delay > 0:
            actions.append(Pause(delay))
        actions.append(SseEvent("response.output_text.delta", {**where, "delta": piece}))
    if finish:
        actions += [
            SseEvent("response.output_text.done", {**where, "text": answer}),
            SseEvent("response.content_part.done", {**where, "part": part}),
            SseEvent("response.output_item.done", {"output_index": index, "item": item}),
        ]
    return actions, item


def text(
    answer: str,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    reasoning: str | None = None,
    delay_s_per_chunk: float = 0.0,
    tokens: Mapping[str, Any] | None = None,
) -> Step:
    """An assistant message streamed as `response.output_text.delta` chunks of `chunk_size`
    characters, then `response.output_item.done` and `response.completed` with usage.

    `reasoning` first streams a reasoning item whose summary is that text.
    """
    response_id = _new_id("resp")
    actions: list[Action] = [_created(response_id)]
    output: list[Any] = []
    if reasoning is not None:
        reasoning_actions = _reasoning_actions(reasoning, 0, chunk_size, delay_s_per_chunk)
        actions += reasoning_actions
        output.append(_last_item(reasoning_actions))
    message_actions, item = _message_actions(answer, len(output), chunk_size, delay_s_per_chunk)
    actions += message_actions
    output.append(item)
    actions.append(_completed(response_id, output, tokens or usage()))
    return Step("text", tuple(actions))


def _last_item(actions: Sequence[Action]) -> Any:
    done = [a for a in actions if isinstance(a, SseEvent) and a.type == "response.output_item.done"]
    return done[-1].data["item"]


def reasoning(summary: str, answer: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Step:
    """A reasoning item (streamed summary) followed by the assistant message `answer`."""
    return replace(text(answer, chunk_size=chunk_size, reasoning=summary), kind="reasoning")


def slow(answer: str, delay_s_per_chunk: float, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Step:
    """Like `text`, sleeping `delay_s_per_chunk` seconds before every delta."""
    step = text(answer, chunk_size=chunk_size, delay_s_per_chunk=delay_s_per_chunk)
    return replace(step, kind="slow")


def dropped(partial_text: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Step:
    """Stream some deltas of an assistant message, then cut the connection: no
    `response.completed`, no terminating chunk."""
    response_id = _new_id("resp")
    message_actions, _ = _message_actions(partial_text, 0, chunk_size, 0.0, finish=False)
    return Step("dropped", (_created(response_id), *message_actions, Disconnect()))


def stalled(partial_text: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Step:
    """Stream some deltas, then go silent with the connection open (no heartbeats), so codex's
    `stream_idle_timeout_ms` ends the turn. Ends when the client leaves or the server stops."""
    response_id = _new_id("resp")
    message_actions, _ = _message_actions(partial_text, 0, chunk_size, 0.0, finish=False)
    never = WaitGate(Gate(), heartbeat=False)
    return Step("stalled", (_created(response_id), *message_actions, never))


def function_call(
    name: str, arguments: Mapping[str, Any] | str, *, call_id: str | None = None
) -> Step:
    """A response whose only output is a `function_call` item (a tool call).

    Codex runs the tool and then sends another request with the `function_call_output`, so
    script a follow-up step too (see `Step.then`).
    """
    response_id = _new_id("resp")
    item_id = _new_id("fc")
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    item = {
        "id": item_id,
        "type": "function_call",
        "status": "completed",
        "call_id": call_id or _new_id("call"),
        "name": name,
        "arguments": args,
    }
    where = {"item_id": item_id, "output_index": 0}
    actions: tuple[Action, ...] = (
        _created(response_id),
        SseEvent(
            "response.output_item.added",
            {"output_index": 0, "item": {**item, "status": "in_progress", "arguments": ""}},
        ),
        SseEvent("response.function_call_arguments.delta", {**where, "delta": args}),
        SseEvent("response.function_call_arguments.done", {**where, "arguments": args}),
        SseEvent("response.output_item.done", {"output_index": 0, "item": item}),
        _completed(response_id, [item], usage()),
    )
    return Step(f"function_call:{name}", actions)


def exec_command(
    cmd: str,
    *,
    escalate: bool = True,
    justification: str = "Run the command the test asked for.",
    workdir: str | None = None,
    call_id: str | None = None,
) -> Step:
    """A call of codex's `exec_command` shell tool running `cmd` (codex wraps it in
    `/bin/bash -lc`; the commandExecution item id is the call id).

    With `escalate` the call carries `sandbox_permissions: "require_escalated"`, so under
    `approvalPolicy: "on-request"` codex asks `item/commandExecution/requestApproval` first and,
    once accepted, runs it outside the sandbox. Without it the command runs in the sandbox
    with no prompt.
    """
    arguments: dict[str, Any] = {"cmd": cmd}
    if escalate:
        arguments["sandbox_permissions"] = "require_escalated"
        arguments["justification"] = justification
    if workdir is not None:
        arguments["workdir"] = workdir
    return replace(function_call("exec_command", arguments, call_id=call_id), kind="exec_command")


def apply_patch(patch: str, *, call_id: str | None = None) -> Step:
    """A freeform `apply_patch` call (`custom_tool_call`) with `patch` ("*** Begin Patch...").

    Under on-request codex asks `item/fileChange/requestApproval` only when the patch writes
    where the sandbox does not allow: outside the workspace under workspace-write, anywhere
    under read-only. Inside the workspace under workspace-write it applies without asking.
    Relative paths resolve against the thread's cwd. Needs the model catalog from
    `optio_codex.testing.catalog` (without known model metadata codex offers no apply_patch).
    """
    response_id = _new_id("resp")
    item_id = _new_id("ctc")
    item = {
        "id": item_id,
        "type": "custom_tool_call",
        "status": "completed",
        "call_id": call_id or _new_id("call"),
        "name": "apply_patch",
        "input": patch,
    }
    where = {"item_id": item_id, "output_index": 0}
    actions: tuple[Action, ...] = (
        _created(response_id),
        SseEvent(
            "response.output_item.added",
            {"output_index": 0, "item": {**item, "status": "in_progress", "input": ""}},
        ),
        SseEvent("response.custom_tool_call_input.delta", {**where, "delta": patch}),
        SseEvent("response.custom_tool_call_input.done", {**where, "input": patch}),
        SseEvent("response.output_item.done", {"output_index": 0, "item": item}),
        _completed(response_id, [item], usage()),
    )
    return Step("apply_patch", actions)


def failed(code: str = "server_error", message: str = "scripted failure") -> Step:
    """A stream that ends with `response.failed {response:{error:{code, message}}}`."""
    response_id = _new_id("resp")
    error = {"code": code, "message": message}
    body = _response(response_id, "failed", [], error=error)
    return Step("failed", (_created(response_id), SseEvent("response.failed", {"response": body})))


def http_error(
    status: int = 500,
    message: str = "scripted error",
    *,
    retry_after_s: float | None = None,
    error_type: str | None = None,
    code: str | None = None,
) -> Step:
    """A plain JSON error response, e.g. 500, 429 (with `retry-after`), 401."""
    default_type = {401: "invalid_request_error", 429: "rate_limit_exceeded"}.get(
        status, "server_error"
    )
    error = {"message": message, "type": error_type or default_type, "param": None, "code": code}
    headers: list[tuple[str, str]] = []
    if retry_after_s is None and status == 429:
        retry_after_s = 1
    if retry_after_s is not None:
        headers.append(("retry-after", f"{retry_after_s:g}"))
        headers.append(("retry-after-ms", str(int(retry_after_s * 1000))))
    return Step(
        f"http_error:{status}",
        status=status,
        headers=tuple(headers),
        body=json.dumps({"error": error}).encode(),
        content_type="application/json",
    )


def default_fallback(_request: RecordedRequest) -> Step:
    """What the server answers when nothing is scripted."""
    return text("ok")
