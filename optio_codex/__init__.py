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
from optio_codex.blob_crypto import BlobCipher
from optio_codex.cli.errors import MongoUnavailable
from optio_codex.credentials.account import analyze_account
from optio_codex.credentials.manifest import (
    CODEX_CRED_MANIFEST,
    CODEX_SEED_MANIFEST,
    CODEX_SEED_SUFFIX,
    delete_seed,
    list_seeds,
    purge_seed,
)
from optio_codex.credentials.seed_store import SeedStore, seed_pool
from optio_codex.credentials.sweep import sweep_seeds
from optio_codex.credentials.verify import verify_and_refresh_seed
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
    "CODEX_CRED_MANIFEST",
    "CODEX_SEED_MANIFEST",
    "CODEX_SEED_SUFFIX",
    "AllowedDir",
    "ApprovalPolicy",
    "ApprovalRecord",
    "AuthenticationFailed",
    "BlobCipher",
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
    "SeedStore",
    "SeedUnavailableError",
    "ThinkingVerbosity",
    "ToolVerbosity",
    "__version__",
    "analyze_account",
    "create_codex_task",
    "delete_seed",
    "list_seeds",
    "purge_seed",
    "read_approvals",
    "run_codex_session",
    "seed_pool",
    "sweep_seeds",
    "verify_and_refresh_seed",
]
