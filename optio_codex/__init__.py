"""optio-codex: run OpenAI Codex as a managed optio task on local or remote hosts."""

from optio_agents.config_types import (
    AllowedDir,
    ConversationMode,
    SeedProvider,
    SeedUnavailableError,
    ThinkingVerbosity,
    ToolVerbosity,
)
from optio_agents.context import HookContext, HookContextProtocol
from optio_host.host import HostCommandError, RunResult

from optio_codex._version import __version__
from optio_codex.cli.errors import MongoUnavailable
from optio_codex.driver.approvals import CodexPermissionDecision, CodexPermissionRequest, Decision
from optio_codex.driver.conversation import CodexConversation, ConversationOptions
from optio_codex.driver.gate import GateSettings
from optio_codex.driver.policies import DenyAll, RulePolicy
from optio_codex.factory import create_codex_task, run_codex_session
from optio_codex.hosts.errors import OptioCodexError
from optio_codex.hosts.provision import HostToolsMissing
from optio_codex.hosts.sandbox import SandboxUnavailable
from optio_codex.hosts.ssh import (
    AuthenticationFailed,
    HostConnectError,
    HostKeyChanged,
    HostKeyError,
    HostKeyUnknown,
    HostNotFound,
    HostUnreachable,
    KeyFileMissing,
)
from optio_codex.info import AGENT_INFO
from optio_codex.task.approval_records import ApprovalRecord, read_approvals
from optio_codex.task.config import (
    ApprovalPolicy,
    CodexTaskConfig,
    DeliverableCallback,
    HookCallback,
    SandboxMode,
    SSHConfig,
)

__all__ = [
    "AGENT_INFO",
    "AllowedDir",
    "ApprovalPolicy",
    "ApprovalRecord",
    "AuthenticationFailed",
    "CodexConversation",
    "CodexPermissionDecision",
    "CodexPermissionRequest",
    "CodexTaskConfig",
    "ConversationMode",
    "ConversationOptions",
    "Decision",
    "DeliverableCallback",
    "DenyAll",
    "GateSettings",
    "HookCallback",
    "HookContext",
    "HookContextProtocol",
    "HostCommandError",
    "HostConnectError",
    "HostKeyChanged",
    "HostKeyError",
    "HostKeyUnknown",
    "HostNotFound",
    "HostToolsMissing",
    "HostUnreachable",
    "KeyFileMissing",
    "MongoUnavailable",
    "OptioCodexError",
    "RulePolicy",
    "RunResult",
    "SSHConfig",
    "SandboxMode",
    "SandboxUnavailable",
    "SeedProvider",
    "SeedUnavailableError",
    "ThinkingVerbosity",
    "ToolVerbosity",
    "__version__",
    "create_codex_task",
    "read_approvals",
    "run_codex_session",
]
