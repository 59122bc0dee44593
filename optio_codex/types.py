"""The module path the published optio-codex gave its config and its vocabulary
(``from optio_codex.types import CodexTaskConfig, AllowedDir, HookCallback, …``): the same
names, re-exported from where they live in this package and in optio-agents."""

from optio_agents.config_types import (
    AllowedDir,
    ConversationMode,
    SeedProvider,
    SeedUnavailableError,
    ThinkingVerbosity,
    ToolVerbosity,
)
from optio_agents.protocol.session import CallerMessageCallback

from optio_codex.task.config import (
    ApprovalPolicy,
    CodexTaskConfig,
    DeliverableCallback,
    HookCallback,
    SandboxMode,
    SSHConfig,
    UploadCallback,
)
from optio_codex.task.published_fields import ReasoningEffort

__all__ = [
    "AllowedDir",
    "ApprovalPolicy",
    "CallerMessageCallback",
    "CodexTaskConfig",
    "ConversationMode",
    "DeliverableCallback",
    "HookCallback",
    "ReasoningEffort",
    "SSHConfig",
    "SandboxMode",
    "SeedProvider",
    "SeedUnavailableError",
    "ThinkingVerbosity",
    "ToolVerbosity",
    "UploadCallback",
]
