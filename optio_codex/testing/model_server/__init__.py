"""A scripted, offline stand-in for the OpenAI Responses API, for running the real codex in tests.

`ScriptedModelServer` is a small asyncio HTTP/1.1 server. Each `POST /v1/responses` takes the
next scripted `Step` from a queue (or the fallback when the queue is empty) and answers with it,
usually a Server-Sent Events stream. Every request is recorded so a test can assert what the
model was sent.

    async with ScriptedModelServer() as server:
        server.script(text("hello"), *exec_command("ls").then("listed"))
        ... point codex at server.base_url ...

A tool call takes two scripted responses: the one carrying the call, and the answer codex asks
for after it has run the tool (`Step.then` builds the pair).
"""

from optio_codex.testing.model_server.builders import (
    apply_patch,
    dropped,
    exec_command,
    failed,
    function_call,
    http_error,
    reasoning,
    slow,
    stalled,
    text,
    usage,
)
from optio_codex.testing.model_server.server import ScriptedModelServer
from optio_codex.testing.model_server.steps import (
    MOCK_MODEL,
    MODELS_PATH,
    RESPONSES_PATH,
    Action,
    Disconnect,
    Fallback,
    Gate,
    Pause,
    RecordedRequest,
    SseEvent,
    Step,
    WaitGate,
)

__all__ = [
    "MOCK_MODEL",
    "MODELS_PATH",
    "RESPONSES_PATH",
    "Action",
    "Disconnect",
    "Fallback",
    "Gate",
    "Pause",
    "RecordedRequest",
    "ScriptedModelServer",
    "SseEvent",
    "Step",
    "WaitGate",
    "apply_patch",
    "dropped",
    "exec_command",
    "failed",
    "function_call",
    "http_error",
    "reasoning",
    "slow",
    "stalled",
    "text",
    "usage",
]
