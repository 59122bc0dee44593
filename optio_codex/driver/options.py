"""What a conversation is started with: the thread's settings, the driver's behaviour, and
the app-server handle it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from optio_codex.protocol.endpoint import EndpointLimits
from optio_codex.protocol.streams import ByteStream

CLIENT_NAME = "optio_codex"  # shows in codex's user agent and originator header: keep stable
SandboxMode = Literal["read-only", "workspace-write", "danger-full-access"]
ApprovalPolicy = Literal["untrusted", "on-request", "never"]

# High-volume notifications the optio codex view does not render.
DEFAULT_OPT_OUT: tuple[str, ...] = (
    "item/reasoning/textDelta",
    "item/commandExecution/terminalInteraction",
    "account/rateLimits/updated",
)


class AppServerHandle(Protocol):
    """A started app-server: its byte stream and a clean stop (EOF, grace, kill)."""

    @property
    def stream(self) -> ByteStream: ...

    async def stop(self, grace: float = 3.0) -> int | None: ...


@dataclass(frozen=True, kw_only=True)
class ConversationOptions:
    """What the thread is started with, and how the driver behaves."""

    cwd: str
    sandbox: SandboxMode = "workspace-write"
    approval_policy: ApprovalPolicy = "on-request"
    model: str | None = None
    reasoning_effort: str | None = None
    developer_instructions: str | None = None
    thread_config: dict[str, Any] | None = None
    resume_thread_id: str | None = None
    # On a resume, follow a turn the server is still running (a reattach to a live server).
    adopt_running_turn: bool = True
    # During an active turn, a send either steers it (joins the running turn) or waits.
    busy_send: Literal["steer", "queue"] = "steer"
    opt_out_notifications: tuple[str, ...] = DEFAULT_OPT_OUT
    interrupt_timeout: float = 10.0
    close_grace: float = 3.0
    handshake_timeout: float = 30.0
    limits: EndpointLimits = field(default_factory=EndpointLimits)
    subscriber_queue: int = 10_000

    def __post_init__(self) -> None:
        if not self.cwd:
            raise ValueError("ConversationOptions.cwd must be set")
        if self.sandbox not in ("read-only", "workspace-write", "danger-full-access"):
            raise ValueError(f"ConversationOptions.sandbox: unknown mode {self.sandbox!r}")
        if self.approval_policy not in ("untrusted", "on-request", "never"):
            raise ValueError(
                f"ConversationOptions.approval_policy: unknown policy {self.approval_policy!r}"
            )
        if self.busy_send not in ("steer", "queue"):
            raise ValueError("ConversationOptions.busy_send must be 'steer' or 'queue'")


__all__ = [
    "CLIENT_NAME",
    "DEFAULT_OPT_OUT",
    "AppServerHandle",
    "ApprovalPolicy",
    "ConversationOptions",
    "SandboxMode",
]
