# GENERATED FILE - DO NOT EDIT.
#
# Typed wire models of the codex app-server protocol (JSON-RPC over JSONL), generated
# from the JSON Schema of codex-cli 0.163.0 (`codex app-server generate-json-schema --experimental`)
# by datamodel-code-generator 0.89.0.
# Regenerate with: python scripts/generate_wire_types.py   (verify: --check)
# mypy: ignore-errors
# ruff: noqa
"""Pydantic v2 models of the codex app-server wire protocol (generated)."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel as _BaseModel
from pydantic import ConfigDict, Field
from typing_extensions import TypeAliasType


class WireModel(_BaseModel):
    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        defer_build=True,
    )


AbsolutePathBuf = TypeAliasType(
    "AbsolutePathBuf",
    Annotated[
        str,
        Field(
            description="A path that is guaranteed to be absolute and normalized (though it is not guaranteed to be canonicalized or exist on the filesystem).\n\nIMPORTANT: When deserializing an `AbsolutePathBuf`, a base path must be set using [AbsolutePathBufGuard::new]. If no base path is set, the deserialization will fail unless the path being deserialized is already absolute."
        ),
    ],
)


class ApiKeyAccount(WireModel):
    type: Literal["apiKey"]


class AmazonBedrockAccount(WireModel):
    type: Literal["amazonBedrock"]
    uses_codex_managed_credentials: Annotated[
        bool, Field(alias="usesCodexManagedCredentials")
    ] = False


AccountRoutingOverride = TypeAliasType(
    "AccountRoutingOverride",
    Annotated[
        Literal["NO_CONSTRAINT", "us", "us_cr"],
        Field(
            description="Backend routing policy. Wire values match the accounts/check contract."
        ),
    ],
)


class AccountTokenUsageDailyBucket(WireModel):
    start_date: Annotated[str, Field(alias="startDate")]
    tokens: int


class AccountTokenUsageSummary(WireModel):
    current_streak_days: Annotated[int | None, Field(alias="currentStreakDays")] = None
    lifetime_tokens: Annotated[int | None, Field(alias="lifetimeTokens")] = None
    longest_running_turn_sec: Annotated[
        int | None, Field(alias="longestRunningTurnSec")
    ] = None
    longest_streak_days: Annotated[int | None, Field(alias="longestStreakDays")] = None
    peak_daily_tokens: Annotated[int | None, Field(alias="peakDailyTokens")] = None


class ActivePermissionProfile(WireModel):
    extends: Annotated[
        str | None,
        Field(
            description="Parent profile identifier from the selected permissions profile's `extends` setting, when present."
        ),
    ] = None
    id: Annotated[
        str,
        Field(
            description="Identifier from `default_permissions` or the implicit built-in default, such as `:workspace` or a user-defined `[permissions.<id>]` profile."
        ),
    ]


AddCreditsNudgeCreditType = TypeAliasType("AddCreditsNudgeCreditType", Literal["credits", "usage_limit"])


AddCreditsNudgeEmailStatus = TypeAliasType("AddCreditsNudgeEmailStatus", Literal["sent", "cooldown_active"])


AdditionalContextKind = TypeAliasType("AdditionalContextKind", Literal["untrusted", "application"])


class AdditionalNetworkPermissions(WireModel):
    enabled: bool | None = None


AgentMessageDelivery = TypeAliasType("AgentMessageDelivery", Literal["async"])


class AgentMessageDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class InputTextAgentMessageInputContent(WireModel):
    text: str
    type: Literal["input_text"]


class EncryptedContentAgentMessageInputContent(WireModel):
    encrypted_content: str
    type: Literal["encrypted_content"]


AgentMessageInputContent = TypeAliasType(
    "AgentMessageInputContent",
    Annotated[
        InputTextAgentMessageInputContent | EncryptedContentAgentMessageInputContent,
        Field(discriminator="type"),
    ],
)


AgentPath = TypeAliasType("AgentPath", str)


AllowDenyRequirement = TypeAliasType("AllowDenyRequirement", Literal["allow", "deny"])


class AnalyticsConfig(WireModel):
    model_config = ConfigDict(
        extra="allow",
    )
    enabled: bool | None = None


class AppBranding(WireModel):
    category: str | None = None
    developer: str | None = None
    is_discoverable_app: Annotated[bool, Field(alias="isDiscoverableApp")]
    privacy_policy: Annotated[str | None, Field(alias="privacyPolicy")] = None
    terms_of_service: Annotated[str | None, Field(alias="termsOfService")] = None
    website: str | None = None


class AppLinksConfig(WireModel):
    pass


class AppReview(WireModel):
    status: str


class AppScreenshot(WireModel):
    file_id: Annotated[str | None, Field(alias="fileId")] = None
    url: str | None = None
    user_prompt: Annotated[str, Field(alias="userPrompt")]


class AppSummary(WireModel):
    category: str | None = None
    description: str | None = None
    id: str
    install_url: Annotated[str | None, Field(alias="installUrl")] = None
    name: str


AppTemplateUnavailableReason = TypeAliasType("AppTemplateUnavailableReason", Literal["NOT_CONFIGURED_FOR_WORKSPACE", "NO_ACTIVE_WORKSPACE"])


AppToolApproval = TypeAliasType("AppToolApproval", Literal["auto", "prompt", "writes", "approve"])


class AppToolConfig(WireModel):
    approval_mode: AppToolApproval | None = None
    enabled: bool | None = None


class AppToolSummary(WireModel):
    description: str
    disabled_reason: Annotated[str | None, Field(alias="disabledReason")] = None
    is_enabled: Annotated[bool, Field(alias="isEnabled")] = True
    is_read_only: Annotated[bool, Field(alias="isReadOnly")] = False
    name: str
    title: str | None = None


class AppToolsConfig(WireModel):
    pass


ApprovalsReviewer = TypeAliasType(
    "ApprovalsReviewer",
    Annotated[
        Literal["user", "auto_review", "guardian_subagent"],
        Field(
            description="Configures who approval requests are routed to for review. Examples include sandbox escapes, blocked network access, MCP approval prompts, and ARC escalations. Defaults to `user`. `auto_review` uses a carefully prompted subagent to gather relevant context and apply a risk-based decision framework before approving or denying the request. The legacy value `guardian_subagent` is accepted for compatibility."
        ),
    ],
)


class AppsDefaultConfig(WireModel):
    approvals_reviewer: ApprovalsReviewer | None = None
    default_tools_approval_mode: AppToolApproval | None = None
    destructive_enabled: bool = True
    enabled: bool = True
    open_world_enabled: bool = True


class AppsInstalledParams(WireModel):
    force_refresh: Annotated[
        bool | None,
        Field(
            alias="forceRefresh",
            description="When true and Apps are permitted, refresh and publish the hosted connector runtime tool snapshot first.",
        ),
    ] = None
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="Optional loaded thread id used to evaluate effective app configuration.",
        ),
    ] = None


class AppsListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    force_refetch: Annotated[
        bool | None,
        Field(
            alias="forceRefetch",
            description="When true, bypass app caches and fetch the latest data from sources.",
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a reasonable server-side value.",
            ge=0,
        ),
    ] = None
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="Optional thread id used to evaluate app feature gating from that thread's config.",
        ),
    ] = None


class AppsReadParams(WireModel):
    app_ids: Annotated[
        list[str],
        Field(
            alias="appIds",
            description="App ids to read. The server accepts at most 100 ids and deduplicates repeated ids while preserving their first-request order.",
        ),
    ]
    include_tools: Annotated[
        bool | None,
        Field(
            alias="includeTools",
            description="When true, include display-only public tool summaries in the returned metadata.",
        ),
    ] = None
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="Optional loaded thread id used to evaluate effective app configuration.",
        ),
    ] = None


class Granular(WireModel):
    mcp_elicitations: bool
    request_permissions: bool = False
    rules: bool
    sandbox_approval: bool
    skill_approval: bool = False


class GranularAskForApproval(WireModel):
    granular: Annotated[Granular, Field(title="Granular")]


AskForApproval = TypeAliasType("AskForApproval", Literal["untrusted", "on-request", "never"] | GranularAskForApproval)


class AsyncUserInputQuestion(WireModel):
    options: list[str] | None = None
    title: str


class AttestationGenerateParams(WireModel):
    pass


class AttestationGenerateResponse(WireModel):
    token: Annotated[str, Field(description="Opaque client attestation token.")]


AuthMode = TypeAliasType(
    "AuthMode",
    Annotated[
        Literal["apikey"] | Literal["chatgpt"] | Literal["chatgptAuthTokens"] | Literal["headers"] | Literal["agentIdentity"] | Literal["personalAccessToken"] | Literal["bedrockApiKey"] | Literal["bedrockAccessKeys"],
        Field(description="Authentication mode for OpenAI-backed providers."),
    ],
)


class AuthRecoveryNotification(WireModel):
    message: str
    provider: str
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


AutoCompactTokenLimitScope = TypeAliasType(
    "AutoCompactTokenLimitScope",
    Annotated[
        Literal["total"] | Literal["body_after_prefix"],
        Field(
            description="Selects which part of the active context is charged against `model_auto_compact_token_limit`."
        ),
    ],
)


AutoReviewDecisionSource = TypeAliasType(
    "AutoReviewDecisionSource",
    Annotated[
        Literal["agent"],
        Field(
            description="[UNSTABLE] Source that produced a terminal approval auto-review decision."
        ),
    ],
)


class AutoReviewRequirements(WireModel):
    ignore_rules: Annotated[list[str] | None, Field(alias="ignoreRules")] = None
    required_on_models: Annotated[list[str] | None, Field(alias="requiredOnModels")] = (
        None
    )


AwsCredentialType = TypeAliasType("AwsCredentialType", Literal["accessKeys", "bedrockApiKey"])


class BedrockAwsProfile(WireModel):
    name: str
    region: str | None = None


class BedrockCheckGovCloudRequirementsParams(WireModel):
    pass


class BedrockCheckGovCloudRequirementsResponse(WireModel):
    is_gov_cloud: Annotated[
        bool,
        Field(
            alias="isGovCloud",
            description="Whether the active Bedrock authentication resolves to a GovCloud region.",
        ),
    ]
    should_warn: Annotated[
        bool,
        Field(
            alias="shouldWarn",
            description="Whether GovCloud is selected and the managed requirements miss the baseline. A false value is not a general certification of the network configuration.",
        ),
    ]


class BedrockDiscoverParams(WireModel):
    pass


class BedrockEnvironmentCredential(WireModel):
    region: str | None = None
    type: AwsCredentialType


class ProfileBedrockSetupParams(WireModel):
    profile: str
    region: str
    type: Literal["profile"]


class EnvironmentBedrockSetupParams(WireModel):
    region: str
    type: Literal["environment"]


BedrockSetupParams = TypeAliasType(
    "BedrockSetupParams",
    Annotated[
        ProfileBedrockSetupParams | EnvironmentBedrockSetupParams,
        Field(discriminator="type", title="BedrockSetupParams"),
    ],
)


class BedrockSetupResponse(WireModel):
    pass


BrowserUseAccessApprovalLifetime = TypeAliasType("BrowserUseAccessApprovalLifetime", Literal["turn", "thread"])


class BrowserUseOriginPolicy(WireModel):
    access: AllowDenyRequirement | None = None
    access_approval_lifetime: Annotated[
        BrowserUseAccessApprovalLifetime | None, Field(alias="accessApprovalLifetime")
    ] = None
    auto_review: Annotated[AllowDenyRequirement | None, Field(alias="autoReview")] = (
        None
    )
    downloads: AllowDenyRequirement | None = None
    full_cdp_access: Annotated[
        AllowDenyRequirement | None, Field(alias="fullCdpAccess")
    ] = None
    persistent_approval: Annotated[bool | None, Field(alias="persistentApproval")] = (
        None
    )
    uploads: AllowDenyRequirement | None = None


class BrowserUseOriginPolicyConfig(WireModel):
    access: AllowDenyRequirement | None = None
    downloads: AllowDenyRequirement | None = None
    full_cdp_access: AllowDenyRequirement | None = None
    uploads: AllowDenyRequirement | None = None


class ByteRange(WireModel):
    end: Annotated[int, Field(ge=0)]
    start: Annotated[int, Field(ge=0)]


class CancelLoginAccountParams(WireModel):
    login_id: Annotated[str, Field(alias="loginId")]


CancelLoginAccountStatus = TypeAliasType("CancelLoginAccountStatus", Literal["canceled", "notFound"])


class EnvironmentCapabilityRootLocation(WireModel):
    environment_id: Annotated[str, Field(alias="environmentId")]
    path: Annotated[
        str,
        Field(description="Absolute path for the root in the selected environment."),
    ]
    type: Literal["environment"]


CapabilityRootLocation = TypeAliasType(
    "CapabilityRootLocation",
    Annotated[
        EnvironmentCapabilityRootLocation,
        Field(description="Location used to resolve a selected capability root."),
    ],
)


ChatgptAuthTokensRefreshReason = TypeAliasType("ChatgptAuthTokensRefreshReason", Literal["unauthorized"])


class ChatgptAuthTokensRefreshResponse(WireModel):
    access_token: Annotated[str, Field(alias="accessToken")]
    chatgpt_account_id: Annotated[str, Field(alias="chatgptAccountId")]
    chatgpt_plan_type: Annotated[str | None, Field(alias="chatgptPlanType")] = None


CliAuthCredentialsStoreMode = TypeAliasType("CliAuthCredentialsStoreMode", Literal["file", "keyring", "auto", "ephemeral"])


class ClientInfo(WireModel):
    name: str
    title: str | None = None
    version: str


class HttpConnectionFailed(WireModel):
    http_status_code: Annotated[int | None, Field(alias="httpStatusCode", ge=0)] = None


class HttpConnectionFailedCodexErrorInfo(WireModel):
    http_connection_failed: Annotated[
        HttpConnectionFailed,
        Field(alias="httpConnectionFailed", title="HttpConnectionFailed"),
    ]


class ResponseStreamConnectionFailed(WireModel):
    http_status_code: Annotated[int | None, Field(alias="httpStatusCode", ge=0)] = None


class ResponseStreamConnectionFailedCodexErrorInfo(WireModel):
    response_stream_connection_failed: Annotated[
        ResponseStreamConnectionFailed,
        Field(
            alias="responseStreamConnectionFailed",
            title="ResponseStreamConnectionFailed",
        ),
    ]


class ResponseStreamDisconnected(WireModel):
    http_status_code: Annotated[int | None, Field(alias="httpStatusCode", ge=0)] = None


class ResponseStreamDisconnectedCodexErrorInfo(WireModel):
    response_stream_disconnected: Annotated[
        ResponseStreamDisconnected,
        Field(alias="responseStreamDisconnected", title="ResponseStreamDisconnected"),
    ]


class ResponseTooManyFailedAttempts(WireModel):
    http_status_code: Annotated[int | None, Field(alias="httpStatusCode", ge=0)] = None


class ResponseTooManyFailedAttemptsCodexErrorInfo(WireModel):
    response_too_many_failed_attempts: Annotated[
        ResponseTooManyFailedAttempts,
        Field(
            alias="responseTooManyFailedAttempts", title="ResponseTooManyFailedAttempts"
        ),
    ]


CodexResponseHandoffMode = TypeAliasType("CodexResponseHandoffMode", Literal["thinking", "commentary", "bemTags"])


CollabAgentStatus = TypeAliasType("CollabAgentStatus", Literal["pendingInit", "running", "interrupted", "completed", "errored", "shutdown", "notFound"])


CollabAgentTool = TypeAliasType("CollabAgentTool", Literal["spawnAgent", "sendInput", "resumeAgent", "wait", "closeAgent", "sendMessage", "followupTask", "interruptAgent", "listAgents"])


CollabAgentToolCallStatus = TypeAliasType("CollabAgentToolCallStatus", Literal["inProgress", "completed", "failed", "interrupted"])


class CollaborationModeListParams(WireModel):
    pass


class ListFilesCommandAction(WireModel):
    command: str
    path: str | None = None
    type: Literal["listFiles"]


class SearchCommandAction(WireModel):
    command: str
    path: str | None = None
    query: str | None = None
    type: Literal["search"]


class UnknownCommandAction(WireModel):
    command: str
    type: Literal["unknown"]


CommandExecOutputStream = TypeAliasType(
    "CommandExecOutputStream",
    Annotated[
        Literal["stdout"] | Literal["stderr"],
        Field(description="Stream label for `command/exec/outputDelta` notifications."),
    ],
)


class CommandExecResizeResponse(WireModel):
    pass


class CommandExecResponse(WireModel):
    exit_code: Annotated[int, Field(alias="exitCode", description="Process exit code.")]
    stderr: Annotated[
        str,
        Field(
            description="Buffered stderr capture.\n\nEmpty when stderr was streamed via `command/exec/outputDelta`."
        ),
    ]
    stdout: Annotated[
        str,
        Field(
            description="Buffered stdout capture.\n\nEmpty when stdout was streamed via `command/exec/outputDelta`."
        ),
    ]


class CommandExecTerminalSize(WireModel):
    cols: Annotated[int, Field(description="Terminal width in character cells.", ge=0)]
    rows: Annotated[int, Field(description="Terminal height in character cells.", ge=0)]


class CommandExecTerminateParams(WireModel):
    process_id: Annotated[
        str,
        Field(
            alias="processId",
            description="Client-supplied, connection-scoped `processId` from the original `command/exec` request.",
        ),
    ]


class CommandExecTerminateResponse(WireModel):
    pass


class CommandExecWriteParams(WireModel):
    close_stdin: Annotated[
        bool | None,
        Field(
            alias="closeStdin",
            description="Close stdin after writing `deltaBase64`, if present.",
        ),
    ] = None
    delta_base64: Annotated[
        str | None,
        Field(
            alias="deltaBase64",
            description="Optional base64-encoded stdin bytes to write.",
        ),
    ] = None
    process_id: Annotated[
        str,
        Field(
            alias="processId",
            description="Client-supplied, connection-scoped `processId` from the original `command/exec` request.",
        ),
    ]


class CommandExecWriteResponse(WireModel):
    pass


class AcceptWithExecpolicyAmendment(WireModel):
    execpolicy_amendment: list[str]


class AcceptWithExecpolicyAmendmentCommandExecutionApprovalDecision(WireModel):
    accept_with_execpolicy_amendment: Annotated[
        AcceptWithExecpolicyAmendment,
        Field(
            alias="acceptWithExecpolicyAmendment", title="AcceptWithExecpolicyAmendment"
        ),
    ]


CommandExecutionApprovalKind = TypeAliasType(
    "CommandExecutionApprovalKind",
    Annotated[
        Literal["command", "writeStdin"],
        Field(
            description="Distinguishes a command approval from input sent to an existing terminal."
        ),
    ],
)


class CommandExecutionOutputDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


CommandExecutionSource = TypeAliasType("CommandExecutionSource", Literal["agent", "userShell", "unifiedExecStartup", "unifiedExecInteraction"])


CommandExecutionStatus = TypeAliasType("CommandExecutionStatus", Literal["inProgress", "completed", "failed", "declined"])


class CommandMigration(WireModel):
    name: str


class ComputerUseMacosConfig(WireModel):
    bundle_ids: dict[str, Any] | None = None


class ComputerUseMacosRequirements(WireModel):
    bundle_ids: Annotated[dict[str, Any] | None, Field(alias="bundleIds")] = None


class ComputerUseWindowsExeConfig(WireModel):
    access: AllowDenyRequirement
    binary_name: str | None = None
    product_name: str
    publisher_name: str


class ComputerUseWindowsExeRequirement(WireModel):
    access: AllowDenyRequirement
    binary_name: Annotated[str | None, Field(alias="binaryName")] = None
    product_name: Annotated[str, Field(alias="productName")]
    publisher_name: Annotated[str, Field(alias="publisherName")]


class ComputerUseWindowsRequirements(WireModel):
    aumids: dict[str, Any] | None = None
    exes: list[ComputerUseWindowsExeRequirement] | None = None


class PackagedDefaultsConfigLayerSource(WireModel):
    file: Annotated[
        AbsolutePathBuf,
        Field(description="Path to the packaged default configuration file."),
    ]
    type: Literal["packagedDefaults"]


class MdmConfigLayerSource(WireModel):
    domain: str
    key: str
    type: Literal["mdm"]


class SystemConfigLayerSource(WireModel):
    file: Annotated[
        AbsolutePathBuf,
        Field(
            description="This is the path to the system config.toml file, though it is not guaranteed to exist."
        ),
    ]
    type: Literal["system"]


class EnterpriseManagedConfigLayerSource(WireModel):
    id: Annotated[str, Field(description="Stable identifier for the delivered layer.")]
    name: Annotated[
        str,
        Field(
            description="Admin-facing name for the delivered layer. This is surfaced in diagnostics so users know which cloud layer needs administrator attention."
        ),
    ]
    type: Literal["enterpriseManaged"]


class UserConfigLayerSource(WireModel):
    file: Annotated[
        AbsolutePathBuf,
        Field(
            description="This is the path to the user's config.toml file, though it is not guaranteed to exist."
        ),
    ]
    profile: Annotated[
        str | None,
        Field(
            description="Name of the selected profile-v2 config layered on top of the base user config, when this layer represents one."
        ),
    ] = None
    type: Literal["user"]


class ProjectConfigLayerSource(WireModel):
    dot_codex_folder: Annotated[AbsolutePathBuf, Field(alias="dotCodexFolder")]
    type: Literal["project"]


class SessionFlagsConfigLayerSource(WireModel):
    type: Literal["sessionFlags"]


class LegacyManagedConfigTomlFromFileConfigLayerSource(WireModel):
    file: AbsolutePathBuf
    type: Literal["legacyManagedConfigTomlFromFile"]


class LegacyManagedConfigTomlFromMdmConfigLayerSource(WireModel):
    type: Literal["legacyManagedConfigTomlFromMdm"]


ConfigLayerSource = TypeAliasType(
    "ConfigLayerSource",
    Annotated[
        PackagedDefaultsConfigLayerSource | MdmConfigLayerSource | SystemConfigLayerSource | EnterpriseManagedConfigLayerSource | UserConfigLayerSource | ProjectConfigLayerSource | SessionFlagsConfigLayerSource | LegacyManagedConfigTomlFromFileConfigLayerSource | LegacyManagedConfigTomlFromMdmConfigLayerSource,
        Field(discriminator="type"),
    ],
)


class ConfigReadParams(WireModel):
    cwd: Annotated[
        str | None,
        Field(
            description="Optional working directory to resolve project config layers. If specified, return the effective config as seen from that directory (i.e., including any project layers between `cwd` and the project/repo root)."
        ),
    ] = None
    include_layers: Annotated[bool | None, Field(alias="includeLayers")] = None


class CommandConfiguredHookHandler(WireModel):
    additional_context_limit: Annotated[
        int | None,
        Field(
            alias="additionalContextLimit",
            description="Approximate token threshold for spilling this hook's `additionalContext` to disk. `null` uses 2,500 tokens; `0` disables spilling for this hook. The threshold is evaluated against the original context; a spilled preview also includes recovery metadata.",
            ge=0,
        ),
    ] = None
    async_: Annotated[bool, Field(alias="async")]
    command: str
    command_windows: Annotated[str | None, Field(alias="commandWindows")] = None
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int | None, Field(alias="timeoutSec", ge=0)] = None
    type: Literal["command"]


class McpToolConfiguredHookHandler(WireModel):
    input: dict[str, Any]
    server: str
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int | None, Field(alias="timeoutSec", ge=0)] = None
    tool: str
    type: Literal["mcp_tool"]


class PromptConfiguredHookHandler(WireModel):
    type: Literal["prompt"]


class AgentConfiguredHookHandler(WireModel):
    type: Literal["agent"]


ConfiguredHookHandler = TypeAliasType(
    "ConfiguredHookHandler",
    Annotated[
        CommandConfiguredHookHandler | McpToolConfiguredHookHandler | PromptConfiguredHookHandler | AgentConfiguredHookHandler,
        Field(discriminator="type"),
    ],
)


class ConfiguredHookMatcherGroup(WireModel):
    hooks: list[ConfiguredHookHandler]
    matcher: str | None = None


class ConnectorMetadata(WireModel):
    description: str | None = None
    distribution_channel: Annotated[str | None, Field(alias="distributionChannel")] = (
        None
    )
    icon_url: Annotated[str | None, Field(alias="iconUrl")] = None
    icon_url_dark: Annotated[str | None, Field(alias="iconUrlDark")] = None
    id: str
    install_url: Annotated[str | None, Field(alias="installUrl")] = None
    name: str
    plugin_display_names: Annotated[list[str], Field(alias="pluginDisplayNames")] = []
    tool_summaries: Annotated[
        list[AppToolSummary] | None, Field(alias="toolSummaries")
    ] = None


ConsumeAccountRateLimitResetCreditOutcome = TypeAliasType("ConsumeAccountRateLimitResetCreditOutcome", Literal["reset"] | Literal["nothingToReset"] | Literal["noCredit"] | Literal["alreadyRedeemed"])


class ConsumeAccountRateLimitResetCreditParams(WireModel):
    credit_id: Annotated[
        str | None,
        Field(
            alias="creditId",
            description="Opaque reset-credit identifier to redeem. When omitted, the backend selects the next available credit.",
        ),
    ] = None
    idempotency_key: Annotated[
        str,
        Field(
            alias="idempotencyKey",
            description="Identifies one logical reset attempt. A UUID is recommended; reuse the same value when retrying that attempt.",
        ),
    ]


class ConsumeAccountRateLimitResetCreditResponse(WireModel):
    outcome: ConsumeAccountRateLimitResetCreditOutcome


class InputTextContentItem(WireModel):
    text: str
    type: Literal["input_text"]


class InputAudioContentItem(WireModel):
    audio_url: str
    type: Literal["input_audio"]


class OutputTextContentItem(WireModel):
    annotations: list[Any] | None = None
    logprobs: list[Any] | None = None
    text: str
    type: Literal["output_text"]


class ContextCompactedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


ConversationTextRole = TypeAliasType("ConversationTextRole", Literal["user", "developer", "assistant"])


class CreditsSnapshot(WireModel):
    balance: str | None = None
    has_credits: Annotated[bool, Field(alias="hasCredits")]
    unlimited: bool


class CurrentTimeReadParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class CurrentTimeReadResponse(WireModel):
    current_time_at: Annotated[
        int,
        Field(alias="currentTimeAt", description="Current time as whole Unix seconds."),
    ]


CyberAccessProgram = TypeAliasType(
    "CyberAccessProgram",
    Annotated[
        Literal["standard", "daybreakBlue", "daybreakRed"],
        Field(
            description="Requested cyber treatment for an OpenAI model turn. Authorization and model-tier restrictions remain server-owned."
        ),
    ],
)


class DeprecationNoticeNotification(WireModel):
    details: Annotated[
        str | None,
        Field(
            description="Optional extra guidance, such as migration steps or rationale."
        ),
    ] = None
    summary: Annotated[str, Field(description="Concise summary of what is deprecated.")]


class DeprecationNoticeServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["deprecationNotice"]
    params: DeprecationNoticeNotification


DesktopOnboardingEntrypoint = TypeAliasType("DesktopOnboardingEntrypoint", Literal["life_sciences"])


class InputTextDynamicToolCallOutputContentItem(WireModel):
    text: str
    type: Literal["inputText"]


class InputImageDynamicToolCallOutputContentItem(WireModel):
    image_url: Annotated[str, Field(alias="imageUrl")]
    type: Literal["inputImage"]


class InputAudioDynamicToolCallOutputContentItem(WireModel):
    audio_url: Annotated[str, Field(alias="audioUrl")]
    type: Literal["inputAudio"]


DynamicToolCallOutputContentItem = TypeAliasType(
    "DynamicToolCallOutputContentItem",
    Annotated[
        InputTextDynamicToolCallOutputContentItem | InputImageDynamicToolCallOutputContentItem | InputAudioDynamicToolCallOutputContentItem,
        Field(discriminator="type"),
    ],
)


class DynamicToolCallParams(WireModel):
    arguments: Any
    call_id: Annotated[str, Field(alias="callId")]
    namespace: str | None = None
    thread_id: Annotated[str, Field(alias="threadId")]
    tool: str
    turn_id: Annotated[str, Field(alias="turnId")]


class DynamicToolCallResponse(WireModel):
    content_items: Annotated[
        list[DynamicToolCallOutputContentItem], Field(alias="contentItems")
    ]
    success: bool


DynamicToolCallStatus = TypeAliasType("DynamicToolCallStatus", Literal["inProgress", "completed", "failed"])


class FunctionDynamicToolNamespaceTool(WireModel):
    defer_loading: Annotated[bool | None, Field(alias="deferLoading")] = None
    description: str
    input_schema: Annotated[Any, Field(alias="inputSchema")]
    name: str
    type: Literal["function"]


DynamicToolNamespaceTool = TypeAliasType("DynamicToolNamespaceTool", FunctionDynamicToolNamespaceTool)


class FunctionDynamicToolSpec(WireModel):
    defer_loading: Annotated[bool | None, Field(alias="deferLoading")] = None
    description: str
    input_schema: Annotated[Any, Field(alias="inputSchema")]
    name: str
    type: Literal["function"]


class NamespaceDynamicToolSpec(WireModel):
    description: str
    name: str
    tools: list[DynamicToolNamespaceTool]
    type: Literal["namespace"]


DynamicToolSpec = TypeAliasType(
    "DynamicToolSpec",
    Annotated[
        FunctionDynamicToolSpec | NamespaceDynamicToolSpec, Field(discriminator="type")
    ],
)


class EnvironmentAddResponse(WireModel):
    pass


class EnvironmentConnectionNotification(WireModel):
    environment_id: Annotated[str, Field(alias="environmentId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class EnvironmentInfoParams(WireModel):
    environment_id: Annotated[str, Field(alias="environmentId")]


class EnvironmentShellInfo(WireModel):
    name: Annotated[
        str,
        Field(
            description="Stable shell name, for example `zsh`, `bash`, `powershell`, `sh`, or `cmd`."
        ),
    ]
    path: Annotated[
        str, Field(description="Target-native shell executable path or command name.")
    ]


class EnvironmentSkillsParams(WireModel):
    required: Annotated[
        list[str] | None,
        Field(
            description="Exact catalog names that must be available from this environment."
        ),
    ] = None


EnvironmentStatusKind = TypeAliasType(
    "EnvironmentStatusKind",
    Annotated[
        Literal["ready"] | Literal["pending"] | Literal["disconnected"] | Literal["unknown"],
        Field(
            description="Current status observed by app-server without starting or recovering an environment.\n\nFor a currently ready remote environment, app-server asks the existing exec-server connection for `environment/status` without allowing recovery."
        ),
    ],
)


class EnvironmentStatusParams(WireModel):
    environment_id: Annotated[
        str, Field(alias="environmentId", description="Environment id to inspect.")
    ]


class EnvironmentStatusResponse(WireModel):
    error: Annotated[
        str | None,
        Field(
            description="Human-readable detail for `disconnected` and `unknown`; omitted for other statuses."
        ),
    ] = None
    status: Annotated[
        EnvironmentStatusKind,
        Field(
            description="Current status observed without starting or recovering the environment."
        ),
    ]


class ExperimentalFeatureEnablementSetParams(WireModel):
    enablement: Annotated[
        dict[str, bool],
        Field(
            description="Process-wide runtime feature enablement keyed by canonical feature name.\n\nOnly named features are updated. Omitted features are left unchanged. Send an empty map for a no-op."
        ),
    ]


class ExperimentalFeatureEnablementSetResponse(WireModel):
    enablement: Annotated[
        dict[str, bool],
        Field(description="Feature enablement entries updated by this request."),
    ]


class ExperimentalFeatureListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a reasonable server-side value.",
            ge=0,
        ),
    ] = None
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="Optional loaded thread id. Pass this when showing feature state for an existing thread so enablement is computed from that thread's refreshed config, including project-local config for the thread's cwd.",
        ),
    ] = None


ExperimentalFeatureStage = TypeAliasType("ExperimentalFeatureStage", Literal["beta"] | Literal["underDevelopment"] | Literal["stable"] | Literal["deprecated"] | Literal["removed"])


class ExternalAgentConfigDetectParams(WireModel):
    cwds: Annotated[
        list[str] | None,
        Field(
            description="Zero or more working directories to include for repo-scoped detection."
        ),
    ] = None
    include_home: Annotated[
        bool | None,
        Field(
            alias="includeHome",
            description="If true, include detection under the user's home directory.",
        ),
    ] = None
    max_session_age_days: Annotated[
        int | None,
        Field(
            alias="maxSessionAgeDays",
            description="Maximum age in days for detected sessions. Missing values use the default limit.",
            ge=0,
        ),
    ] = None
    max_sessions: Annotated[
        int | None,
        Field(
            alias="maxSessions",
            description="Maximum number of sessions to detect. Missing values use the default limit.",
            ge=0,
        ),
    ] = None
    migration_source: Annotated[
        str | None,
        Field(
            alias="migrationSource",
            description="Optional migration-source selector. Missing or unrecognized values use the default source.",
        ),
    ] = None
    source: Annotated[
        str | None,
        Field(
            description="Deprecated field retained for compatibility. This field is ignored; use `migrationSource` to select the migration source."
        ),
    ] = None


class ExternalAgentConfigImportHistoryRecordResponse(WireModel):
    import_id: Annotated[str, Field(alias="importId")]


class ExternalAgentConfigImportResponse(WireModel):
    import_id: Annotated[str, Field(alias="importId")]


ExternalAgentConfigMigrationItemType = TypeAliasType("ExternalAgentConfigMigrationItemType", Literal["AGENTS_MD", "CONFIG", "SKILLS", "PLUGINS", "MCP_SERVER_CONFIG", "SUBAGENTS", "HOOKS", "COMMANDS", "MEMORY", "SESSIONS"])


ExternalAgentDetectedConnectorSource = TypeAliasType("ExternalAgentDetectedConnectorSource", Literal["remoteMcpServersConfig", "sessionToolUse"])


ExternalAgentImportedConnectorSource = TypeAliasType("ExternalAgentImportedConnectorSource", Literal["remoteMcpServersConfig"])


class FeedbackRequirements(WireModel):
    enabled: bool | None = None


class FeedbackUploadParams(WireModel):
    classification: str
    extra_log_files: Annotated[list[str] | None, Field(alias="extraLogFiles")] = None
    include_logs: Annotated[bool | None, Field(alias="includeLogs")] = None
    reason: str | None = None
    tags: dict[str, Any] | None = None
    thread_id: Annotated[str | None, Field(alias="threadId")] = None


class FeedbackUploadResponse(WireModel):
    prompt_hash: Annotated[
        str | None,
        Field(
            alias="promptHash",
            description="Whitespace-normalized SHA-256 of the session base instructions, matching the uploaded `prompt_hash` tag. Does not include later developer messages. Null when the reported rollout has no prompt metadata.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class AddFileChange(WireModel):
    content: str
    type: Literal["add"]


class DeleteFileChange(WireModel):
    content: str
    type: Literal["delete"]


class UpdateFileChange(WireModel):
    move_path: str | None = None
    type: Literal["update"]
    unified_diff: str


FileChange = TypeAliasType(
    "FileChange",
    Annotated[
        AddFileChange | DeleteFileChange | UpdateFileChange, Field(discriminator="type")
    ],
)


FileChangeApprovalDecision = TypeAliasType("FileChangeApprovalDecision", Literal["accept"] | Literal["acceptForSession"] | Literal["decline"] | Literal["cancel"])


class FileChangeOutputDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class FileChangeRequestApprovalParams(WireModel):
    grant_root: Annotated[
        str | None,
        Field(
            alias="grantRoot",
            description="[UNSTABLE] When set, the agent is asking the user to allow writes under this root for the remainder of the session (unclear if this is honored today).",
        ),
    ] = None
    item_id: Annotated[str, Field(alias="itemId")]
    reason: Annotated[
        str | None,
        Field(
            description="Optional explanatory reason (e.g. request for extra write access)."
        ),
    ] = None
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this approval request started.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class FileChangeRequestApprovalResponse(WireModel):
    decision: FileChangeApprovalDecision


FileSystemAccessMode = TypeAliasType("FileSystemAccessMode", Literal["read", "write", "deny"])


class GlobPatternFileSystemPath(WireModel):
    pattern: str
    type: Literal["glob_pattern"]


class RootFileSystemSpecialPath(WireModel):
    kind: Literal["root"]


class MinimalFileSystemSpecialPath(WireModel):
    kind: Literal["minimal"]


class TmpdirFileSystemSpecialPath(WireModel):
    kind: Literal["tmpdir"]


class SlashTmpFileSystemSpecialPath(WireModel):
    kind: Literal["slash_tmp"]


ForcedChatgptWorkspaceIds = TypeAliasType(
    "ForcedChatgptWorkspaceIds",
    Annotated[
        str | list[str],
        Field(
            description="Backward-compatible API shape for ChatGPT workspace login restrictions."
        ),
    ],
)


ForcedLoginMethod = TypeAliasType("ForcedLoginMethod", Literal["chatgpt", "api"])


class FsChangedNotification(WireModel):
    changed_paths: Annotated[
        list[AbsolutePathBuf],
        Field(
            alias="changedPaths",
            description="File or directory paths associated with this event.",
        ),
    ]
    watch_id: Annotated[
        str,
        Field(
            alias="watchId",
            description="Watch identifier previously provided to `fs/watch`.",
        ),
    ]


class FsChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["fs/changed"]
    params: FsChangedNotification


class FsCopyParams(WireModel):
    destination_path: Annotated[
        AbsolutePathBuf,
        Field(alias="destinationPath", description="Absolute destination path."),
    ]
    recursive: Annotated[
        bool | None,
        Field(description="Required for directory copies; ignored for file copies."),
    ] = None
    source_path: Annotated[
        AbsolutePathBuf, Field(alias="sourcePath", description="Absolute source path.")
    ]


class FsCopyResponse(WireModel):
    pass


class FsCreateDirectoryParams(WireModel):
    path: Annotated[
        AbsolutePathBuf, Field(description="Absolute directory path to create.")
    ]
    recursive: Annotated[
        bool | None,
        Field(
            description="Whether parent directories should also be created. Defaults to `true`."
        ),
    ] = None


class FsCreateDirectoryResponse(WireModel):
    pass


class FsGetMetadataParams(WireModel):
    path: Annotated[AbsolutePathBuf, Field(description="Absolute path to inspect.")]


class FsGetMetadataResponse(WireModel):
    created_at_ms: Annotated[
        int,
        Field(
            alias="createdAtMs",
            description="File creation time in Unix milliseconds when available, otherwise `0`.",
        ),
    ]
    is_directory: Annotated[
        bool,
        Field(
            alias="isDirectory", description="Whether the path resolves to a directory."
        ),
    ]
    is_file: Annotated[
        bool,
        Field(
            alias="isFile", description="Whether the path resolves to a regular file."
        ),
    ]
    is_symlink: Annotated[
        bool,
        Field(
            alias="isSymlink", description="Whether the path itself is a symbolic link."
        ),
    ]
    modified_at_ms: Annotated[
        int,
        Field(
            alias="modifiedAtMs",
            description="File modification time in Unix milliseconds when available, otherwise `0`.",
        ),
    ]


class FsReadDirectoryEntry(WireModel):
    file_name: Annotated[
        str,
        Field(
            alias="fileName",
            description="Direct child entry name only, not an absolute or relative path.",
        ),
    ]
    is_directory: Annotated[
        bool,
        Field(
            alias="isDirectory",
            description="Whether this entry resolves to a directory.",
        ),
    ]
    is_file: Annotated[
        bool,
        Field(
            alias="isFile", description="Whether this entry resolves to a regular file."
        ),
    ]


class FsReadDirectoryParams(WireModel):
    path: Annotated[
        AbsolutePathBuf, Field(description="Absolute directory path to read.")
    ]


class FsReadDirectoryResponse(WireModel):
    entries: Annotated[
        list[FsReadDirectoryEntry],
        Field(description="Direct child entries in the requested directory."),
    ]


class FsReadFileParams(WireModel):
    path: Annotated[AbsolutePathBuf, Field(description="Absolute path to read.")]


class FsReadFileResponse(WireModel):
    data_base64: Annotated[
        str, Field(alias="dataBase64", description="File contents encoded as base64.")
    ]


class FsRemoveParams(WireModel):
    force: Annotated[
        bool | None,
        Field(
            description="Whether missing paths should be ignored. Defaults to `true`."
        ),
    ] = None
    path: Annotated[AbsolutePathBuf, Field(description="Absolute path to remove.")]
    recursive: Annotated[
        bool | None,
        Field(
            description="Whether directory removal should recurse. Defaults to `true`."
        ),
    ] = None


class FsRemoveResponse(WireModel):
    pass


class FsUnwatchParams(WireModel):
    watch_id: Annotated[
        str,
        Field(
            alias="watchId",
            description="Watch identifier previously provided to `fs/watch`.",
        ),
    ]


class FsUnwatchResponse(WireModel):
    pass


class FsWatchParams(WireModel):
    path: Annotated[
        AbsolutePathBuf, Field(description="Absolute file or directory path to watch.")
    ]
    watch_id: Annotated[
        str,
        Field(
            alias="watchId",
            description="Connection-scoped watch identifier used for `fs/unwatch` and `fs/changed`.",
        ),
    ]


class FsWatchResponse(WireModel):
    path: Annotated[
        AbsolutePathBuf,
        Field(description="Canonicalized path associated with the watch."),
    ]


class FsWriteFileParams(WireModel):
    data_base64: Annotated[
        str, Field(alias="dataBase64", description="File contents encoded as base64.")
    ]
    path: Annotated[AbsolutePathBuf, Field(description="Absolute path to write.")]


class FsWriteFileResponse(WireModel):
    pass


class InputTextFunctionCallOutputContentItem(WireModel):
    text: str
    type: Literal["input_text"]


class InputAudioFunctionCallOutputContentItem(WireModel):
    audio_url: str
    type: Literal["input_audio"]


class EncryptedContentFunctionCallOutputContentItem(WireModel):
    encrypted_content: str
    type: Literal["encrypted_content"]


FuzzyFileSearchMatchType = TypeAliasType("FuzzyFileSearchMatchType", Literal["file", "directory"])


class FuzzyFileSearchParams(WireModel):
    cancellation_token: Annotated[str | None, Field(alias="cancellationToken")] = None
    query: str
    roots: list[str]


Indice = TypeAliasType("Indice", Annotated[int, Field(ge=0)])


class FuzzyFileSearchResult(WireModel):
    file_name: str
    indices: list[Indice] | None = None
    match_type: FuzzyFileSearchMatchType
    path: str
    root: str
    score: Annotated[int, Field(ge=0)]


class FuzzyFileSearchSessionCompletedNotification(WireModel):
    session_id: Annotated[str, Field(alias="sessionId")]


class FuzzyFileSearchSessionCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["fuzzyFileSearch/sessionCompleted"]
    params: FuzzyFileSearchSessionCompletedNotification


class FuzzyFileSearchSessionStartParams(WireModel):
    roots: list[str]
    session_id: Annotated[str, Field(alias="sessionId")]


class FuzzyFileSearchSessionStartResponse(WireModel):
    pass


class FuzzyFileSearchSessionStopParams(WireModel):
    session_id: Annotated[str, Field(alias="sessionId")]


class FuzzyFileSearchSessionStopResponse(WireModel):
    pass


class FuzzyFileSearchSessionUpdateParams(WireModel):
    query: str
    session_id: Annotated[str, Field(alias="sessionId")]


class FuzzyFileSearchSessionUpdateResponse(WireModel):
    pass


class FuzzyFileSearchSessionUpdatedNotification(WireModel):
    files: list[FuzzyFileSearchResult]
    query: str
    session_id: Annotated[str, Field(alias="sessionId")]


class FuzzyFileSearchSessionUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["fuzzyFileSearch/sessionUpdated"]
    params: FuzzyFileSearchSessionUpdatedNotification


class GatewayOAuthCancelResponse(WireModel):
    pass


class GatewayOAuthLoginResponse(WireModel):
    pass


GatewayOAuthStatus = TypeAliasType("GatewayOAuthStatus", Literal["notReady", "started", "succeeded", "failed"])


class GetAccountParams(WireModel):
    refresh_token: Annotated[
        bool | None,
        Field(
            alias="refreshToken",
            description="When `true`, requests a proactive token refresh before returning.\n\nIn managed auth mode this triggers the normal refresh-token flow. In external auth mode this flag is ignored. Clients should refresh tokens themselves and call `account/login/start` with `chatgptAuthTokens`.",
        ),
    ] = None


class GetAccountRateLimitsParams(WireModel):
    exclude_reset_credit_details: Annotated[
        bool | None,
        Field(
            alias="excludeResetCreditDetails",
            description="Skip the separate reset-credit detail lookup for background usage polls. The usage response still includes the available count; omitted/false preserves detailed reads.",
        ),
    ] = None
    supports_luna_reserve: Annotated[
        bool | None,
        Field(
            alias="supportsLunaReserve",
            description="The client supports automatic Luna Reserve fallback. For eligible ChatGPT CLI users, allow the backend to record experiment exposure after ordinary usage is blocked.",
        ),
    ] = None


class GetAccountTokenUsageParams(WireModel):
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="When present, read estimated usage for this thread instead of account-wide token activity.",
        ),
    ] = None


class GitInfo(WireModel):
    branch: str | None = None
    origin_url: Annotated[str | None, Field(alias="originUrl")] = None
    sha: str | None = None


class McpToolCallGuardianApprovalReviewAction(WireModel):
    connector_id: Annotated[str | None, Field(alias="connectorId")] = None
    connector_name: Annotated[str | None, Field(alias="connectorName")] = None
    server: str
    tool_name: Annotated[str, Field(alias="toolName")]
    tool_title: Annotated[str | None, Field(alias="toolTitle")] = None
    type: Literal["mcpToolCall"]


GuardianApprovalReviewStatus = TypeAliasType(
    "GuardianApprovalReviewStatus",
    Annotated[
        Literal["inProgress", "approved", "denied", "timedOut", "aborted"],
        Field(description="[UNSTABLE] Lifecycle state for an approval auto-review."),
    ],
)


GuardianCommandSource = TypeAliasType("GuardianCommandSource", Literal["shell", "unifiedExec"])


GuardianRiskLevel = TypeAliasType(
    "GuardianRiskLevel",
    Annotated[
        Literal["low", "medium", "high", "critical"],
        Field(description="[UNSTABLE] Risk level assigned by approval auto-review."),
    ],
)


GuardianUserAuthorization = TypeAliasType(
    "GuardianUserAuthorization",
    Annotated[
        Literal["unknown", "low", "medium", "high"],
        Field(
            description="[UNSTABLE] Authorization level assigned by approval auto-review."
        ),
    ],
)


class GuardianWarningNotification(WireModel):
    message: Annotated[
        str, Field(description="Concise guardian warning message for the user.")
    ]
    thread_id: Annotated[
        str,
        Field(alias="threadId", description="Thread target for the guardian warning."),
    ]


class GuardianWarningServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["guardianWarning"]
    params: GuardianWarningNotification


class HookErrorInfo(WireModel):
    message: str
    path: str


HookEventName = TypeAliasType("HookEventName", Literal["preToolUse", "permissionRequest", "postToolUse", "preCompact", "postCompact", "sessionStart", "sessionEnd", "userPromptSubmit", "subagentStart", "subagentStop", "stop", "interrupt"])


HookExecutionMode = TypeAliasType("HookExecutionMode", Literal["sync", "async"])


HookHandlerType = TypeAliasType("HookHandlerType", Literal["command", "mcpTool", "prompt", "agent"])


class HookMigration(WireModel):
    name: str


HookOutputEntryKind = TypeAliasType("HookOutputEntryKind", Literal["warning", "stop", "feedback", "context", "error"])


class HookPromptFragment(WireModel):
    hook_run_id: Annotated[str, Field(alias="hookRunId")]
    text: str


HookRunStatus = TypeAliasType("HookRunStatus", Literal["running", "completed", "failed", "blocked", "stopped"])


HookScope = TypeAliasType("HookScope", Literal["thread", "turn"])


HookSource = TypeAliasType("HookSource", Literal["system", "user", "project", "mdm", "sessionFlags", "plugin", "cloudRequirements", "cloudManagedConfig", "legacyManagedConfigFile", "legacyManagedConfigMdm", "unknown"])


HookTrustStatus = TypeAliasType("HookTrustStatus", Literal["managed", "untrusted", "trusted", "modified"])


class HooksListParams(WireModel):
    cwds: Annotated[
        list[str] | None,
        Field(
            description="When empty, defaults to the current session working directory."
        ),
    ] = None


ImageDetail = TypeAliasType("ImageDetail", Literal["auto", "low", "high", "original"])


class UsageLimitExceededImageGenerationFailure(WireModel):
    limit_id: Annotated[str, Field(alias="limitId")]
    resets_at: Annotated[int | None, Field(alias="resetsAt")] = None
    type: Literal["usageLimitExceeded"]


ImageGenerationFailure = TypeAliasType("ImageGenerationFailure", UsageLimitExceededImageGenerationFailure)


class InAppBrowserRequirements(WireModel):
    allow_external_browser_settings_import: Annotated[
        bool | None, Field(alias="allowExternalBrowserSettingsImport")
    ] = None


class InitializeCapabilities(WireModel):
    experimental_api: Annotated[
        bool,
        Field(
            alias="experimentalApi",
            description="Opt into receiving experimental API methods and fields.",
        ),
    ] = False
    explicit_gateway_oauth: Annotated[
        bool | None,
        Field(
            alias="explicitGatewayOauth",
            description="Use explicit gateway OAuth login instead of automatic browser authorization. Applies to this app-server's gateway runtime; later connections cannot undo it.",
        ),
    ] = None
    extensions: Annotated[
        dict[str, Any] | None,
        Field(description="MCP extension settings declared by the app-server client."),
    ] = None
    mcp_server_openai_form_elicitation: Annotated[
        bool | None,
        Field(
            alias="mcpServerOpenaiFormElicitation",
            description="Legacy opt-in for the `openai/form` MCP extension.\n\nNew clients should declare `openai/form` in [`Self::extensions`].",
        ),
    ] = None
    opt_out_notification_methods: Annotated[
        list[str] | None,
        Field(
            alias="optOutNotificationMethods",
            description="Exact notification method names that should be suppressed for this connection (for example `thread/started`).",
        ),
    ] = None
    request_attestation: Annotated[
        bool,
        Field(
            alias="requestAttestation",
            description="Opt into `attestation/generate` requests for upstream `x-oai-attestation`.",
        ),
    ] = False


class InitializeParams(WireModel):
    capabilities: InitializeCapabilities | None = None
    client_info: Annotated[ClientInfo, Field(alias="clientInfo")]


class InitializeResponse(WireModel):
    codex_home: Annotated[
        AbsolutePathBuf,
        Field(
            alias="codexHome",
            description="Absolute path to the server's $CODEX_HOME directory.",
        ),
    ]
    platform_family: Annotated[
        str,
        Field(
            alias="platformFamily",
            description='Platform family for the running app-server target, for example `"unix"` or `"windows"`.',
        ),
    ]
    platform_os: Annotated[
        str,
        Field(
            alias="platformOs",
            description='Operating system for the running app-server target, for example `"macos"`, `"linux"`, or `"windows"`.',
        ),
    ]
    user_agent: Annotated[str, Field(alias="userAgent")]


class InitializedClientNotification(WireModel):
    method: Literal["initialized"]


InputModality = TypeAliasType(
    "InputModality",
    Annotated[
        Literal["text"] | Literal["image"] | Literal["audio"],
        Field(description="Canonical user-input modality tags advertised by a model."),
    ],
)


class InstalledApp(WireModel):
    callable: Annotated[
        bool,
        Field(
            description="Whether the connector is enabled and has a non-synthetic, model-visible tool allowed by effective MCP and app/tool policy in the committed runtime snapshot."
        ),
    ]
    enabled: Annotated[
        bool,
        Field(
            description="Effective enabled state after applying global, workspace, local, and managed configuration at read time."
        ),
    ]
    id: str
    runtime_name: Annotated[
        str | None,
        Field(
            alias="runtimeName",
            description="Best-effort name carried by the runtime tool catalog. Canonical app metadata remains owned by `app/read`.",
        ),
    ] = None


class InternalChatMessageMetadataPassthrough(WireModel):
    turn_id: str | None = None


class ItemAgentMessageDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/agentMessage/delta"]
    params: AgentMessageDeltaNotification


class ItemCommandExecutionOutputDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/commandExecution/outputDelta"]
    params: CommandExecutionOutputDeltaNotification


class ItemFileChangeOutputDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/fileChange/outputDelta"]
    params: FileChangeOutputDeltaNotification


class JSONRPCErrorError(WireModel):
    code: int
    data: Any | None = None
    message: str


class JSONRPCNotification(WireModel):
    method: str
    params: Any | None = None


LegacyAppPathString = TypeAliasType("LegacyAppPathString", str)


class ExecLocalShellAction(WireModel):
    command: list[str]
    env: dict[str, Any] | None = None
    timeout_ms: Annotated[int | None, Field(ge=0)] = None
    type: Literal["exec"]
    user: str | None = None
    working_directory: str | None = None


LocalShellAction = TypeAliasType("LocalShellAction", ExecLocalShellAction)


LocalShellStatus = TypeAliasType("LocalShellStatus", Literal["completed", "in_progress", "incomplete"])


class ApiKeyLoginAccountParams(WireModel):
    api_key: Annotated[str, Field(alias="apiKey")]
    type: Literal["apiKey"]


class ChatgptDeviceCodeLoginAccountParams(WireModel):
    type: Literal["chatgptDeviceCode"]


class ChatgptAuthTokensLoginAccountParams(WireModel):
    access_token: Annotated[
        str,
        Field(
            alias="accessToken",
            description="Access token (JWT) supplied by the client. This token is used for backend API requests and email extraction.",
        ),
    ]
    chatgpt_account_id: Annotated[
        str,
        Field(
            alias="chatgptAccountId",
            description="Workspace/account identifier supplied by the client.",
        ),
    ]
    chatgpt_plan_type: Annotated[
        str | None,
        Field(
            alias="chatgptPlanType",
            description="Optional plan type supplied by the client.\n\nWhen `null`, Codex attempts to derive the plan type from access-token claims. If unavailable, the plan defaults to `unknown`.",
        ),
    ] = None
    type: Literal["chatgptAuthTokens"]


class AmazonBedrockLoginAccountParams(WireModel):
    api_key: Annotated[str, Field(alias="apiKey")]
    region: str
    type: Literal["amazonBedrock"]


class AmazonBedrockAccessKeysLoginAccountParams(WireModel):
    access_key_id: Annotated[str, Field(alias="accessKeyId")]
    region: str
    secret_access_key: Annotated[str, Field(alias="secretAccessKey")]
    session_token: Annotated[str | None, Field(alias="sessionToken")] = None
    type: Literal["amazonBedrockAccessKeys"]


class ApiKeyLoginAccountResponse(WireModel):
    type: Literal["apiKey"]


class ChatgptLoginAccountResponse(WireModel):
    auth_url: Annotated[
        str,
        Field(
            alias="authUrl",
            description="URL the client should open in a browser to initiate the OAuth flow.",
        ),
    ]
    login_id: Annotated[str, Field(alias="loginId")]
    type: Literal["chatgpt"]


class ChatgptDeviceCodeLoginAccountResponse(WireModel):
    login_id: Annotated[str, Field(alias="loginId")]
    type: Literal["chatgptDeviceCode"]
    user_code: Annotated[
        str,
        Field(
            alias="userCode",
            description="One-time code the user must enter after signing in.",
        ),
    ]
    verification_url: Annotated[
        str,
        Field(
            alias="verificationUrl",
            description="URL the client should open in a browser to complete device code authorization.",
        ),
    ]


class ChatgptAuthTokensLoginAccountResponse(WireModel):
    type: Literal["chatgptAuthTokens"]


class AmazonBedrockLoginAccountResponse(WireModel):
    type: Literal["amazonBedrock"]


LoginAccountResponse = TypeAliasType(
    "LoginAccountResponse",
    Annotated[
        ApiKeyLoginAccountResponse | ChatgptLoginAccountResponse | ChatgptDeviceCodeLoginAccountResponse | ChatgptAuthTokensLoginAccountResponse | AmazonBedrockLoginAccountResponse,
        Field(discriminator="type", title="LoginAccountResponse"),
    ],
)


LoginAppBrand = TypeAliasType("LoginAppBrand", Literal["codex", "chatgpt"])


class LogoutAccountResponse(WireModel):
    pass


class ManagedHooksRequirements(WireModel):
    interrupt: Annotated[
        list[ConfiguredHookMatcherGroup],
        Field(alias="Interrupt", validate_default=True),
    ] = []
    permission_request: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="PermissionRequest")
    ]
    post_compact: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="PostCompact")
    ]
    post_tool_use: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="PostToolUse")
    ]
    pre_compact: Annotated[list[ConfiguredHookMatcherGroup], Field(alias="PreCompact")]
    pre_tool_use: Annotated[list[ConfiguredHookMatcherGroup], Field(alias="PreToolUse")]
    session_end: Annotated[
        list[ConfiguredHookMatcherGroup],
        Field(alias="SessionEnd", validate_default=True),
    ] = []
    session_start: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="SessionStart")
    ]
    stop: Annotated[list[ConfiguredHookMatcherGroup], Field(alias="Stop")]
    subagent_start: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="SubagentStart")
    ]
    subagent_stop: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="SubagentStop")
    ]
    user_prompt_submit: Annotated[
        list[ConfiguredHookMatcherGroup], Field(alias="UserPromptSubmit")
    ]
    managed_dir: Annotated[str | None, Field(alias="managedDir")] = None
    windows_managed_dir: Annotated[str | None, Field(alias="windowsManagedDir")] = None


class MarketplaceAddParams(WireModel):
    ref_name: Annotated[str | None, Field(alias="refName")] = None
    source: str
    sparse_paths: Annotated[list[str] | None, Field(alias="sparsePaths")] = None


class MarketplaceAddResponse(WireModel):
    already_added: Annotated[bool, Field(alias="alreadyAdded")]
    installed_root: Annotated[AbsolutePathBuf, Field(alias="installedRoot")]
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]


class MarketplaceInterface(WireModel):
    display_name: Annotated[str | None, Field(alias="displayName")] = None


class MarketplaceLoadErrorInfo(WireModel):
    marketplace_path: Annotated[AbsolutePathBuf, Field(alias="marketplacePath")]
    message: str


class MarketplaceRemoveParams(WireModel):
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]


class MarketplaceRemoveResponse(WireModel):
    installed_root: Annotated[AbsolutePathBuf | None, Field(alias="installedRoot")] = (
        None
    )
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]


class MarketplaceUpgradeErrorInfo(WireModel):
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]
    message: str


class MarketplaceUpgradeParams(WireModel):
    marketplace_name: Annotated[str | None, Field(alias="marketplaceName")] = None


class MarketplaceUpgradeResponse(WireModel):
    errors: list[MarketplaceUpgradeErrorInfo]
    selected_marketplaces: Annotated[list[str], Field(alias="selectedMarketplaces")]
    upgraded_roots: Annotated[list[AbsolutePathBuf], Field(alias="upgradedRoots")]


McpAppDisplayMode = TypeAliasType("McpAppDisplayMode", Literal["inline", "fullscreen"])


class McpAppUi(WireModel):
    preferred_model_display_mode: Annotated[
        McpAppDisplayMode, Field(alias="preferredModelDisplayMode")
    ]
    resource_uri: Annotated[str, Field(alias="resourceUri")]


McpAuthStatus = TypeAliasType("McpAuthStatus", Literal["unknown", "unsupported", "notLoggedIn", "bearerToken", "oAuth"])


McpElicitationArrayType = TypeAliasType("McpElicitationArrayType", Literal["array"])


McpElicitationBooleanType = TypeAliasType("McpElicitationBooleanType", Literal["boolean"])


class McpElicitationConstOption(WireModel):
    const: str
    title: str


McpElicitationNumberType = TypeAliasType("McpElicitationNumberType", Literal["number", "integer"])


McpElicitationObjectType = TypeAliasType("McpElicitationObjectType", Literal["object"])


McpElicitationStringFormat = TypeAliasType("McpElicitationStringFormat", Literal["email", "uri", "date", "date-time"])


McpElicitationStringType = TypeAliasType("McpElicitationStringType", Literal["string"])


class McpElicitationTitledEnumItems(WireModel):
    any_of: Annotated[list[McpElicitationConstOption], Field(alias="anyOf")]


class McpElicitationTitledMultiSelectEnumSchema(WireModel):
    default: list[str] | None = None
    description: str | None = None
    items: McpElicitationTitledEnumItems
    max_items: Annotated[int | None, Field(alias="maxItems", ge=0)] = None
    min_items: Annotated[int | None, Field(alias="minItems", ge=0)] = None
    title: str | None = None
    type: McpElicitationArrayType


class McpElicitationTitledSingleSelectEnumSchema(WireModel):
    default: str | None = None
    description: str | None = None
    one_of: Annotated[list[McpElicitationConstOption], Field(alias="oneOf")]
    title: str | None = None
    type: McpElicitationStringType


class McpElicitationUntitledEnumItems(WireModel):
    enum: list[str]
    type: McpElicitationStringType


class McpElicitationUntitledMultiSelectEnumSchema(WireModel):
    default: list[str] | None = None
    description: str | None = None
    items: McpElicitationUntitledEnumItems
    max_items: Annotated[int | None, Field(alias="maxItems", ge=0)] = None
    min_items: Annotated[int | None, Field(alias="minItems", ge=0)] = None
    title: str | None = None
    type: McpElicitationArrayType


class McpElicitationUntitledSingleSelectEnumSchema(WireModel):
    default: str | None = None
    description: str | None = None
    enum: list[str]
    title: str | None = None
    type: McpElicitationStringType


class McpResourceReadTarget(WireModel):
    connector_id: Annotated[str, Field(alias="connectorId")]
    link_id: Annotated[
        str | None,
        Field(
            alias="linkId",
            description="Null explicitly requests no-auth access, subject to the app's resource policy.",
        ),
    ]


McpServerConnectionStatus = TypeAliasType("McpServerConnectionStatus", Literal["notStarted", "starting", "connected", "authenticationRequired", "failed", "cancelled", "disabled"])


McpServerElicitationAction = TypeAliasType("McpServerElicitationAction", Literal["accept", "decline", "cancel"])


class OpenaiSlashUserVerificationMcpServerElicitationRequestParams(WireModel):
    server_name: Annotated[str, Field(alias="serverName")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Active Codex turn when this elicitation was observed, if app-server could correlate one.\n\nThis is nullable because MCP models elicitation as a standalone server-to-client request identified by the MCP server request id. It may be triggered during a turn, but turn context is app-server correlation rather than part of the protocol identity of the elicitation itself.",
        ),
    ] = None
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    challenge: str
    description: str
    mode: Literal["openai/userVerification"]
    title: str


class OpenaiSlashFormMcpServerElicitationRequestParams(WireModel):
    server_name: Annotated[str, Field(alias="serverName")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Active Codex turn when this elicitation was observed, if app-server could correlate one.\n\nThis is nullable because MCP models elicitation as a standalone server-to-client request identified by the MCP server request id. It may be triggered during a turn, but turn context is app-server correlation rather than part of the protocol identity of the elicitation itself.",
        ),
    ] = None
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    message: str
    mode: Literal["openai/form"]
    requested_schema: Annotated[Any, Field(alias="requestedSchema")]


class OpenaiFormMcpServerElicitationRequestParams(WireModel):
    server_name: Annotated[str, Field(alias="serverName")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Active Codex turn when this elicitation was observed, if app-server could correlate one.\n\nThis is nullable because MCP models elicitation as a standalone server-to-client request identified by the MCP server request id. It may be triggered during a turn, but turn context is app-server correlation rather than part of the protocol identity of the elicitation itself.",
        ),
    ] = None
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    message: str
    mode: Literal["openaiForm"]
    requested_schema: Annotated[Any, Field(alias="requestedSchema")]


class UrlMcpServerElicitationRequestParams(WireModel):
    server_name: Annotated[str, Field(alias="serverName")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Active Codex turn when this elicitation was observed, if app-server could correlate one.\n\nThis is nullable because MCP models elicitation as a standalone server-to-client request identified by the MCP server request id. It may be triggered during a turn, but turn context is app-server correlation rather than part of the protocol identity of the elicitation itself.",
        ),
    ] = None
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    elicitation_id: Annotated[str, Field(alias="elicitationId")]
    message: str
    mode: Literal["url"]
    url: str


class McpServerElicitationRequestResponse(WireModel):
    field_meta: Annotated[
        Any | None,
        Field(
            alias="_meta",
            description="Optional client metadata for form-mode action handling.",
        ),
    ] = None
    action: McpServerElicitationAction
    content: Annotated[
        Any | None,
        Field(
            description="Structured user input for accepted elicitations, mirroring RMCP `CreateElicitationResult`.\n\nThis is nullable because decline/cancel responses have no content."
        ),
    ] = None


class McpServerEventNotification(WireModel):
    method: str
    params: Any


class McpServerEventStreamNotification(WireModel):
    notification: McpServerEventNotification
    subscription_id: Annotated[str, Field(alias="subscriptionId")]


class McpServerEventStreamNotificationServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["mcpServer/event/stream/notification"]
    params: McpServerEventStreamNotification


class McpServerEventStreamStartParams(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    arguments: Any
    name: str
    server: str
    subscription_id: Annotated[str, Field(alias="subscriptionId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class McpServerEventStreamStartResponse(WireModel):
    pass


class McpServerEventStreamStopParams(WireModel):
    subscription_id: Annotated[str, Field(alias="subscriptionId")]


class McpServerEventStreamStopResponse(WireModel):
    pass


class McpServerInfo(WireModel):
    description: str | None = None
    icons: list[Any] | None = None
    name: str
    title: str | None = None
    version: str
    website_url: Annotated[str | None, Field(alias="websiteUrl")] = None


class McpServerMigration(WireModel):
    name: str


McpServerOauthClientRegistration = TypeAliasType("McpServerOauthClientRegistration", Literal["auto", "cimd", "dcr"])


class McpServerOauthLoginCompletedNotification(WireModel):
    error: str | None = None
    login_id: Annotated[
        str | None,
        Field(
            alias="loginId",
            description="Identifies the explicit login attempt. Older servers omit this field.",
        ),
    ] = None
    name: str
    success: bool
    thread_id: Annotated[str | None, Field(alias="threadId")] = None


class McpServerOauthLoginCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["mcpServer/oauthLogin/completed"]
    params: McpServerOauthLoginCompletedNotification


class McpServerOauthLoginParams(WireModel):
    client_registration: Annotated[
        McpServerOauthClientRegistration | None,
        Field(
            alias="clientRegistration",
            description="Registration strategy for this login only; omission selects automatic discovery.",
        ),
    ] = None
    name: str
    scopes: list[str] | None = None
    thread_id: Annotated[str | None, Field(alias="threadId")] = None
    timeout_secs: Annotated[int | None, Field(alias="timeoutSecs")] = None


class McpServerOauthLoginResponse(WireModel):
    authorization_url: Annotated[str, Field(alias="authorizationUrl")]
    login_id: Annotated[
        str | None,
        Field(
            alias="loginId",
            description="Identifies this login attempt across the response and completion notification. Older servers omit this field; current servers always return it.",
        ),
    ] = None


class McpServerRefreshResponse(WireModel):
    pass


McpServerStartupFailureReason = TypeAliasType("McpServerStartupFailureReason", Literal["reauthenticationRequired"])


McpServerStartupState = TypeAliasType("McpServerStartupState", Literal["starting", "ready", "failed", "cancelled"])


McpServerStatusDetail = TypeAliasType("McpServerStatusDetail", Literal["full", "toolsAndAuthOnly"])


class McpServerStatusUpdatedNotification(WireModel):
    error: str | None = None
    failure_reason: Annotated[
        McpServerStartupFailureReason | None, Field(alias="failureReason")
    ] = None
    name: str
    status: McpServerStartupState
    thread_id: Annotated[str | None, Field(alias="threadId")] = None


class McpServerToolCallParams(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    arguments: Any | None = None
    server: str
    thread_id: Annotated[str, Field(alias="threadId")]
    tool: str


class McpServerToolCallResponse(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    content: list[Any]
    is_error: Annotated[bool | None, Field(alias="isError")] = None
    structured_content: Annotated[Any | None, Field(alias="structuredContent")] = None


class McpToolCallAppContext(WireModel):
    action_name: Annotated[str | None, Field(alias="actionName")] = None
    app_name: Annotated[str | None, Field(alias="appName")] = None
    connector_id: Annotated[str, Field(alias="connectorId")]
    link_id: Annotated[str | None, Field(alias="linkId")] = None
    resource_uri: Annotated[str | None, Field(alias="resourceUri")] = None


class McpToolCallError(WireModel):
    message: str


class McpToolCallProgressNotification(WireModel):
    item_id: Annotated[str, Field(alias="itemId")]
    message: str
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class McpToolCallResult(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    content: list[Any]
    structured_content: Annotated[Any | None, Field(alias="structuredContent")] = None


McpToolCallStatus = TypeAliasType("McpToolCallStatus", Literal["inProgress", "completed", "failed"])


class MemoryCitationEntry(WireModel):
    line_end: Annotated[int, Field(alias="lineEnd", ge=0)]
    line_start: Annotated[int, Field(alias="lineStart", ge=0)]
    note: str
    path: str


class MemoryResetResponse(WireModel):
    pass


class MemoryStatusParams(WireModel):
    min_consolidated_threads: Annotated[
        int | None,
        Field(
            alias="minConsolidatedThreads",
            description="Required distinct consolidated threads. Defaults to 20; supported range is 1..=4096.",
            ge=0,
        ),
    ] = None


class MemoryStatusResponse(WireModel):
    v2_consolidated_threads: Annotated[int, Field(alias="v2ConsolidatedThreads", ge=0)]
    v2_ready: Annotated[bool, Field(alias="v2Ready")]


MergeStrategy = TypeAliasType("MergeStrategy", Literal["replace", "upsert"])


MessagePhase = TypeAliasType(
    "MessagePhase",
    Annotated[
        Literal["commentary"] | Literal["partial_answer"] | Literal["final_answer"],
        Field(
            description='Classifies assistant text as commentary, a partial answer, or a terminal answer.\n\nProviders do not emit this consistently, so callers must treat `None` as "phase unknown" and keep compatibility behavior for legacy models.'
        ),
    ],
)


class MisalignmentSteer(WireModel):
    message: str


class MockExperimentalMethodParams(WireModel):
    value: Annotated[str | None, Field(description="Test-only payload field.")] = None


class MockExperimentalMethodResponse(WireModel):
    echoed: Annotated[str | None, Field(description="Echoes the input `value`.")] = None


ModeKind = TypeAliasType(
    "ModeKind",
    Annotated[
        Literal["plan", "default"],
        Field(description="Initial collaboration mode to use when the TUI starts."),
    ],
)


class ModelAccessPrograms(WireModel):
    cyber: Annotated[
        list[CyberAccessProgram], Field(description="Accepted explicit selections.")
    ]


class ModelAvailabilityNux(WireModel):
    message: str


class ModelListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    include_hidden: Annotated[
        bool | None,
        Field(
            alias="includeHidden",
            description="When true, include models that are hidden from the default picker list.",
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a reasonable server-side value.",
            ge=0,
        ),
    ] = None


class ModelProviderAuthRecoveryCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["modelProvider/authRecoveryCompleted"]
    params: AuthRecoveryNotification


class ModelProviderAuthRecoveryStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["modelProvider/authRecoveryStarted"]
    params: AuthRecoveryNotification


class ModelProviderCapabilitiesReadParams(WireModel):
    pass


class ModelProviderCapabilitiesReadResponse(WireModel):
    image_generation: Annotated[bool, Field(alias="imageGeneration")]
    web_search: Annotated[bool, Field(alias="webSearch")]


ModelRerouteReason = TypeAliasType("ModelRerouteReason", Literal["highRiskCyberActivity"])


class ModelReroutedNotification(WireModel):
    from_model: Annotated[str, Field(alias="fromModel")]
    reason: ModelRerouteReason
    thread_id: Annotated[str, Field(alias="threadId")]
    to_model: Annotated[str, Field(alias="toModel")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ModelReroutedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["model/rerouted"]
    params: ModelReroutedNotification


class ModelSafetyBufferingUpdatedNotification(WireModel):
    faster_model: Annotated[str | None, Field(alias="fasterModel")] = None
    model: str
    reasons: list[str]
    show_buffering_ui: Annotated[bool, Field(alias="showBufferingUi")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]
    use_cases: Annotated[list[str], Field(alias="useCases")]


class ModelSafetyBufferingUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["model/safetyBuffering/updated"]
    params: ModelSafetyBufferingUpdatedNotification


class ModelServiceTier(WireModel):
    description: str
    id: str
    name: str


class ModelUpgradeInfo(WireModel):
    migration_markdown: Annotated[str | None, Field(alias="migrationMarkdown")] = None
    model: str
    model_link: Annotated[str | None, Field(alias="modelLink")] = None
    retirement_at: Annotated[
        int | None,
        Field(
            alias="retirementAt",
            description="Informational Unix timestamp for this upgrade's scheduled retirement, if known.",
        ),
    ] = None
    upgrade_copy: Annotated[str | None, Field(alias="upgradeCopy")] = None


ModelVerification = TypeAliasType("ModelVerification", Literal["trustedAccessForCyber"])


class ModelVerificationNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]
    verifications: list[ModelVerification]


class ModelVerificationServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["model/verification"]
    params: ModelVerificationNotification


class CustomMultiAgentMode(WireModel):
    custom: str


MultiAgentMode = TypeAliasType(
    "MultiAgentMode",
    Annotated[
        Literal["explicitRequestOnly", "proactive"] | CustomMultiAgentMode,
        Field(
            description="Controls the effective multi-agent delegation instructions for a turn. `custom` means the configured mode hint defines the policy instead of a built-in policy."
        ),
    ],
)


MultiAgentVersion = TypeAliasType(
    "MultiAgentVersion",
    Annotated[
        Literal["disabled", "v1", "v2"],
        Field(description="Multi-agent runtime supported by a model."),
    ],
)


NetworkAccess = TypeAliasType("NetworkAccess", Literal["restricted", "enabled"])


NetworkApprovalProtocol = TypeAliasType("NetworkApprovalProtocol", Literal["http", "https", "socks5Tcp", "socks5Udp"])


NetworkDomainPermission = TypeAliasType("NetworkDomainPermission", Literal["allow", "deny"])


NetworkPolicyRuleAction = TypeAliasType("NetworkPolicyRuleAction", Literal["allow", "deny"])


class NetworkRequirements(WireModel):
    allow_local_binding: Annotated[bool | None, Field(alias="allowLocalBinding")] = None
    allow_unix_sockets: Annotated[
        list[str] | None,
        Field(
            alias="allowUnixSockets",
            description="Legacy compatibility view derived from `unix_sockets`.",
        ),
    ] = None
    allow_upstream_proxy: Annotated[bool | None, Field(alias="allowUpstreamProxy")] = (
        None
    )
    allowed_domains: Annotated[
        list[str] | None,
        Field(
            alias="allowedDomains",
            description="Legacy compatibility view derived from `domains`.",
        ),
    ] = None
    dangerously_allow_all_unix_sockets: Annotated[
        bool | None, Field(alias="dangerouslyAllowAllUnixSockets")
    ] = None
    dangerously_allow_non_loopback_proxy: Annotated[
        bool | None, Field(alias="dangerouslyAllowNonLoopbackProxy")
    ] = None
    denied_domains: Annotated[
        list[str] | None,
        Field(
            alias="deniedDomains",
            description="Legacy compatibility view derived from `domains`.",
        ),
    ] = None
    domains: Annotated[
        dict[str, Any] | None,
        Field(
            description="Canonical network permission map for `experimental_network`."
        ),
    ] = None
    enabled: bool | None = None
    http_port: Annotated[int | None, Field(alias="httpPort", ge=0)] = None
    managed_allowed_domains_only: Annotated[
        bool | None,
        Field(
            alias="managedAllowedDomainsOnly",
            description="When true, only managed allowlist entries are respected while managed network enforcement is active.",
        ),
    ] = None
    socks_port: Annotated[int | None, Field(alias="socksPort", ge=0)] = None
    unix_sockets: Annotated[
        dict[str, Any] | None,
        Field(
            alias="unixSockets",
            description="Canonical unix socket permission map for `experimental_network`.",
        ),
    ] = None


NetworkUnixSocketPermission = TypeAliasType("NetworkUnixSocketPermission", Literal["allow", "deny"])


NonSteerableTurnKind = TypeAliasType("NonSteerableTurnKind", Literal["review", "compact"])


NullableGetAccountRateLimitsParams = TypeAliasType(
    "NullableGetAccountRateLimitsParams",
    Annotated[
        GetAccountRateLimitsParams | None,
        Field(title="Nullable_GetAccountRateLimitsParams"),
    ],
)


NullableGetAccountTokenUsageParams = TypeAliasType(
    "NullableGetAccountTokenUsageParams",
    Annotated[
        GetAccountTokenUsageParams | None,
        Field(title="Nullable_GetAccountTokenUsageParams"),
    ],
)


class ReadParsedCommand(WireModel):
    cmd: str
    name: str
    path: Annotated[
        str,
        Field(
            description="(Best effort) Path to the file being read by the command. When possible, this is an absolute path, though when relative, it should be resolved against the `cwd`` that will be used to run the command to derive the absolute path."
        ),
    ]
    type: Literal["read"]


class ListFilesParsedCommand(WireModel):
    cmd: str
    path: str | None = None
    type: Literal["list_files"]


class SearchParsedCommand(WireModel):
    cmd: str
    path: str | None = None
    query: str | None = None
    type: Literal["search"]


class UnknownParsedCommand(WireModel):
    cmd: str
    type: Literal["unknown"]


ParsedCommand = TypeAliasType(
    "ParsedCommand",
    Annotated[
        ReadParsedCommand | ListFilesParsedCommand | SearchParsedCommand | UnknownParsedCommand,
        Field(discriminator="type"),
    ],
)


PatchApplyStatus = TypeAliasType("PatchApplyStatus", Literal["inProgress", "completed", "failed", "declined"])


class AddPatchChangeKind(WireModel):
    type: Literal["add"]


class DeletePatchChangeKind(WireModel):
    type: Literal["delete"]


class UpdatePatchChangeKind(WireModel):
    move_path: str | None = None
    type: Literal["update"]


PatchChangeKind = TypeAliasType(
    "PatchChangeKind",
    Annotated[
        AddPatchChangeKind | DeletePatchChangeKind | UpdatePatchChangeKind,
        Field(discriminator="type"),
    ],
)


PathUri = TypeAliasType("PathUri", str)


PermissionGrantScope = TypeAliasType("PermissionGrantScope", Literal["turn", "session"])


class PermissionProfileListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    cwd: Annotated[
        str | None,
        Field(
            description="Optional working directory to resolve project config layers."
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(description="Optional page size; defaults to the full result set.", ge=0),
    ] = None


class PermissionProfileSummary(WireModel):
    allowed: Annotated[
        bool,
        Field(
            description="Whether the effective requirements allow selecting this profile."
        ),
    ]
    description: Annotated[
        str | None,
        Field(description="Optional user-facing description for display in clients."),
    ] = None
    id: Annotated[str, Field(description="Available permission profile identifier.")]


Personality = TypeAliasType(
    "Personality",
    Annotated[
        Literal["none", "friendly", "pragmatic"],
        Field(
            description="Deprecated: `friendly` and `pragmatic` no longer select a style."
        ),
    ],
)


class PlanDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


PlanType = TypeAliasType("PlanType", Literal["free", "go", "plus", "pro", "prolite", "promax", "team", "self_serve_business_prolite", "self_serve_business_usage_based", "business", "ent26", "enterprise_cbp_automation", "enterprise_cbp_usage_based", "enterprise", "edu", "edu_plus", "edu_pro", "unknown"])


PluginAuthPolicy = TypeAliasType("PluginAuthPolicy", Literal["ON_INSTALL", "ON_USE"])


PluginAvailability = TypeAliasType("PluginAvailability", Literal["DISABLED_BY_ADMIN"] | Literal["AVAILABLE"])


PluginDisabledReason = TypeAliasType("PluginDisabledReason", Literal["disabled_by_admin", "plan_not_eligible", "required_app_unavailable", "unknown"])


class PluginHookSummary(WireModel):
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    key: str


class PluginInstallParams(WireModel):
    install_attempt_id: Annotated[
        str | None,
        Field(
            alias="installAttemptId",
            description="Client-generated identifier used to correlate one installation attempt.",
        ),
    ] = None
    marketplace_path: Annotated[
        AbsolutePathBuf | None, Field(alias="marketplacePath")
    ] = None
    plugin_name: Annotated[str, Field(alias="pluginName")]
    remote_marketplace_name: Annotated[
        str | None, Field(alias="remoteMarketplaceName")
    ] = None


PluginInstallPolicy = TypeAliasType("PluginInstallPolicy", Literal["NOT_AVAILABLE", "AVAILABLE", "INSTALLED_BY_DEFAULT"])


PluginInstallPolicySource = TypeAliasType("PluginInstallPolicySource", Literal["WORKSPACE_SETTING", "IMPLICIT_CANONICAL_APP"])


class PluginInstallResponse(WireModel):
    apps_needing_auth: Annotated[list[AppSummary], Field(alias="appsNeedingAuth")]
    auth_policy: Annotated[PluginAuthPolicy, Field(alias="authPolicy")]


class PluginInstalledParams(WireModel):
    cwds: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            description="Optional working directories used to discover repo marketplaces."
        ),
    ] = None
    install_suggestion_plugin_names: Annotated[
        list[str] | None,
        Field(
            alias="installSuggestionPluginNames",
            description="Additional uninstalled plugin names that should be returned when present locally. This is used by mention surfaces that intentionally expose install entrypoints.",
        ),
    ] = None


class PluginInterface(WireModel):
    brand_color: Annotated[str | None, Field(alias="brandColor")] = None
    capabilities: list[str]
    category: str | None = None
    composer_icon: Annotated[
        AbsolutePathBuf | None,
        Field(
            alias="composerIcon",
            description="Local composer icon path, resolved from the installed plugin package.",
        ),
    ] = None
    composer_icon_url: Annotated[
        str | None,
        Field(
            alias="composerIconUrl",
            description="Remote composer icon URL from the plugin catalog.",
        ),
    ] = None
    default_prompt: Annotated[
        list[str] | None,
        Field(
            alias="defaultPrompt",
            description="Starter prompts for the plugin. Capped at 3 entries with a maximum of 128 characters per entry.",
        ),
    ] = None
    developer_name: Annotated[str | None, Field(alias="developerName")] = None
    display_name: Annotated[str | None, Field(alias="displayName")] = None
    logo: Annotated[
        AbsolutePathBuf | None,
        Field(
            description="Local logo path, resolved from the installed plugin package."
        ),
    ] = None
    logo_dark: Annotated[
        AbsolutePathBuf | None,
        Field(
            alias="logoDark",
            description="Local dark-mode logo path, resolved from the installed plugin package.",
        ),
    ] = None
    logo_url: Annotated[
        str | None,
        Field(alias="logoUrl", description="Remote logo URL from the plugin catalog."),
    ] = None
    logo_url_dark: Annotated[
        str | None,
        Field(
            alias="logoUrlDark",
            description="Remote dark-mode logo URL from the plugin catalog.",
        ),
    ] = None
    long_description: Annotated[str | None, Field(alias="longDescription")] = None
    privacy_policy_url: Annotated[str | None, Field(alias="privacyPolicyUrl")] = None
    screenshot_urls: Annotated[
        list[str],
        Field(
            alias="screenshotUrls",
            description="Remote screenshot URLs from the plugin catalog.",
        ),
    ]
    screenshots: Annotated[
        list[AbsolutePathBuf],
        Field(
            description="Local screenshot paths, resolved from the installed plugin package."
        ),
    ]
    short_description: Annotated[str | None, Field(alias="shortDescription")] = None
    terms_of_service_url: Annotated[str | None, Field(alias="termsOfServiceUrl")] = None
    website_url: Annotated[str | None, Field(alias="websiteUrl")] = None


PluginListMarketplaceKind = TypeAliasType("PluginListMarketplaceKind", Literal["local", "vertical", "workspace-directory", "shared-with-me", "created-by-me-remote"])


class PluginListParams(WireModel):
    cwds: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            description="Optional working directories used to discover repo marketplaces. When omitted, only home-scoped marketplaces and the official curated marketplace are considered."
        ),
    ] = None
    force_refetch: Annotated[
        bool | None,
        Field(
            alias="forceRefetch",
            description="Whether the client requests a fresh remote plugin catalog fetch.",
        ),
    ] = None
    marketplace_kinds: Annotated[
        list[PluginListMarketplaceKind] | None,
        Field(
            alias="marketplaceKinds",
            description="Optional marketplace kind filter. When omitted, only local marketplaces are queried, plus the default remote catalog when enabled by feature flag.",
        ),
    ] = None


class PluginReadParams(WireModel):
    marketplace_path: Annotated[
        AbsolutePathBuf | None, Field(alias="marketplacePath")
    ] = None
    plugin_name: Annotated[str, Field(alias="pluginName")]
    remote_marketplace_name: Annotated[
        str | None, Field(alias="remoteMarketplaceName")
    ] = None


class PluginReconcileChangedPlugin(WireModel):
    has_apps: Annotated[bool, Field(alias="hasApps")]
    has_hooks: Annotated[bool, Field(alias="hasHooks")]
    has_mcps: Annotated[bool, Field(alias="hasMcps")]
    has_skills: Annotated[
        bool,
        Field(
            alias="hasSkills",
            description="Whether either bundle declares skill roots; not a validated inventory of enabled skills.",
        ),
    ]
    id: Annotated[
        str,
        Field(
            description="Local plugin ID (`name@marketplace`), matching `PluginSummary.id`."
        ),
    ]


class PluginReconcileParams(WireModel):
    reason: Annotated[
        str | None,
        Field(
            description="Optional client-provided reason recorded with the reconciliation attempt."
        ),
    ] = None


class PluginReconcileResponse(WireModel):
    changed_plugins: Annotated[
        list[PluginReconcileChangedPlugin],
        Field(
            alias="changedPlugins",
            description="Plugins affected by bundle changes, enablement changes, or removals. Installed-state changes compare against the previous cached snapshot, including cached reinstalls. Removal hints survive cache cleanup failures; unchanged plugins are omitted.",
        ),
    ]
    failed_materialization_remote_plugin_ids: Annotated[
        list[str],
        Field(
            alias="failedMaterializationRemotePluginIds",
            description="Subset of failures for which the requested bundle could not be materialized. A previously cached version may still be available.",
        ),
    ]
    failed_remote_plugin_ids: Annotated[
        list[str],
        Field(
            alias="failedRemotePluginIds",
            description="Backend remote plugin IDs whose bundle or identity update failed.",
        ),
    ]


PluginSearchScope = TypeAliasType("PluginSearchScope", Literal["global", "workspace", "personal"])


class PluginShareCheckoutParams(WireModel):
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]


class PluginShareCheckoutResponse(WireModel):
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]
    marketplace_path: Annotated[AbsolutePathBuf, Field(alias="marketplacePath")]
    plugin_id: Annotated[str, Field(alias="pluginId")]
    plugin_name: Annotated[str, Field(alias="pluginName")]
    plugin_path: Annotated[AbsolutePathBuf, Field(alias="pluginPath")]
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]
    remote_version: Annotated[str | None, Field(alias="remoteVersion")] = None


class PluginShareDeleteParams(WireModel):
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]


class PluginShareDeleteResponse(WireModel):
    pass


PluginShareDiscoverability = TypeAliasType("PluginShareDiscoverability", Literal["LISTED", "UNLISTED", "PRIVATE"])


class PluginShareListParams(WireModel):
    pass


PluginSharePrincipalRole = TypeAliasType("PluginSharePrincipalRole", Literal["reader", "editor", "owner"])


PluginSharePrincipalType = TypeAliasType("PluginSharePrincipalType", Literal["user", "group", "workspace"])


class PluginShareSaveResponse(WireModel):
    can_publish_to_workspace: Annotated[
        bool | None, Field(alias="canPublishToWorkspace")
    ] = None
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]
    share_url: Annotated[str, Field(alias="shareUrl")]


PluginShareTargetRole = TypeAliasType("PluginShareTargetRole", Literal["reader", "editor"])


PluginShareUpdateDiscoverability = TypeAliasType("PluginShareUpdateDiscoverability", Literal["UNLISTED", "PRIVATE", "LISTED"])


class PluginSkillReadParams(WireModel):
    remote_marketplace_name: Annotated[str, Field(alias="remoteMarketplaceName")]
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]
    skill_name: Annotated[str, Field(alias="skillName")]


class PluginSkillReadResponse(WireModel):
    contents: str | None = None


class LocalPluginSource(WireModel):
    path: AbsolutePathBuf
    type: Literal["local"]


class GitPluginSource(WireModel):
    path: str | None = None
    ref_name: Annotated[str | None, Field(alias="refName")] = None
    sha: str | None = None
    type: Literal["git"]
    url: str


class NpmPluginSource(WireModel):
    package: str
    registry: Annotated[
        str | None,
        Field(
            description="Optional HTTPS registry URL. Authentication stays in the user's npm config."
        ),
    ] = None
    type: Literal["npm"]
    version: Annotated[
        str | None, Field(description="Optional npm version or version range.")
    ] = None


class RemotePluginSource(WireModel):
    type: Literal["remote"]


PluginSource = TypeAliasType(
    "PluginSource",
    Annotated[
        LocalPluginSource | GitPluginSource | NpmPluginSource | RemotePluginSource,
        Field(discriminator="type"),
    ],
)


class PluginUninstallParams(WireModel):
    plugin_id: Annotated[str, Field(alias="pluginId")]


class PluginUninstallResponse(WireModel):
    pass


class PluginsMigration(WireModel):
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]
    plugin_names: Annotated[list[str], Field(alias="pluginNames")]


class ProcessExitedNotification(WireModel):
    exit_code: Annotated[int, Field(alias="exitCode", description="Process exit code.")]
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped `processHandle` from `process/spawn`.",
        ),
    ]
    stderr: Annotated[
        str,
        Field(
            description="Buffered stderr capture.\n\nEmpty when stderr was streamed via `process/outputDelta`."
        ),
    ]
    stderr_cap_reached: Annotated[
        bool,
        Field(
            alias="stderrCapReached",
            description="Whether stderr reached `outputBytesCap`.\n\nIn streaming mode, stderr is empty and cap state is also reported on the final stderr `process/outputDelta` notification.",
        ),
    ]
    stdout: Annotated[
        str,
        Field(
            description="Buffered stdout capture.\n\nEmpty when stdout was streamed via `process/outputDelta`."
        ),
    ]
    stdout_cap_reached: Annotated[
        bool,
        Field(
            alias="stdoutCapReached",
            description="Whether stdout reached `outputBytesCap`.\n\nIn streaming mode, stdout is empty and cap state is also reported on the final stdout `process/outputDelta` notification.",
        ),
    ]


class ProcessExitedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["process/exited"]
    params: ProcessExitedNotification


class ProcessKillParams(WireModel):
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped `processHandle` from `process/spawn`.",
        ),
    ]


class ProcessKillResponse(WireModel):
    pass


ProcessOutputStream = TypeAliasType(
    "ProcessOutputStream",
    Annotated[
        Literal["stdout"] | Literal["stderr"],
        Field(description="Stream label for `process/outputDelta` notifications."),
    ],
)


class ProcessResizePtyResponse(WireModel):
    pass


class ProcessSpawnResponse(WireModel):
    pass


class ProcessTerminalSize(WireModel):
    cols: Annotated[int, Field(description="Terminal width in character cells.", ge=0)]
    rows: Annotated[int, Field(description="Terminal height in character cells.", ge=0)]


class ProcessWriteStdinParams(WireModel):
    close_stdin: Annotated[
        bool | None,
        Field(
            alias="closeStdin",
            description="Close stdin after writing `deltaBase64`, if present.",
        ),
    ] = None
    delta_base64: Annotated[
        str | None,
        Field(
            alias="deltaBase64",
            description="Optional base64-encoded stdin bytes to write.",
        ),
    ] = None
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped `processHandle` from `process/spawn`.",
        ),
    ]


class ProcessWriteStdinResponse(WireModel):
    pass


ProjectChangeType = TypeAliasType("ProjectChangeType", Literal["created", "updated", "deleted"])


class ProjectChangedNotification(WireModel):
    change_type: Annotated[ProjectChangeType, Field(alias="changeType")]
    project_id: Annotated[str, Field(alias="projectId")]


class ProjectChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["project/changed"]
    params: ProjectChangedNotification


class ProjectDeleteParams(WireModel):
    project_id: Annotated[str, Field(alias="projectId")]


class ProjectDeleteResponse(WireModel):
    pass


class ProjectMoveParams(WireModel):
    before_project_id: Annotated[str | None, Field(alias="beforeProjectId")] = None
    project_id: Annotated[str, Field(alias="projectId")]


class ProjectMoveResponse(WireModel):
    pass


class ProjectReadParams(WireModel):
    project_id: Annotated[str, Field(alias="projectId")]


class ProjectRoot(WireModel):
    path: AbsolutePathBuf


ProjectSortKey = TypeAliasType("ProjectSortKey", Literal["position", "recencyAt"])


class ProjectUpdateParams(WireModel):
    metadata: dict[str, Any] | None = None
    name: str | None = None
    project_id: Annotated[str, Field(alias="projectId")]
    roots: list[ProjectRoot] | None = None


RateLimitReachedType = TypeAliasType("RateLimitReachedType", Literal["rate_limit_reached", "workspace_owner_credits_depleted", "workspace_member_credits_depleted", "workspace_owner_usage_limit_reached", "workspace_member_usage_limit_reached"])


RateLimitResetCreditStatus = TypeAliasType("RateLimitResetCreditStatus", Literal["available", "redeeming", "redeemed", "unknown"])


RateLimitResetType = TypeAliasType("RateLimitResetType", Literal["codexRateLimits", "unknown"])


class RateLimitWindow(WireModel):
    resets_at: Annotated[int | None, Field(alias="resetsAt")] = None
    used_percent: Annotated[int, Field(alias="usedPercent")]
    window_duration_mins: Annotated[int | None, Field(alias="windowDurationMins")] = (
        None
    )


RealtimeConversationVersion = TypeAliasType("RealtimeConversationVersion", Literal["v1", "v2", "v3"])


RealtimeOutputModality = TypeAliasType("RealtimeOutputModality", Literal["text", "audio"])


RealtimeVoice = TypeAliasType("RealtimeVoice", Literal["alloy", "arbor", "ash", "aube", "ballad", "breeze", "bubbie", "cedar", "coral", "cove", "echo", "ember", "haetsal", "hanul", "himari", "juniper", "leher", "maple", "marin", "miko", "neer", "porto", "rindo", "rio", "rivage", "sage", "selva", "shimmer", "sol", "sonna", "spruce", "tinta", "vale", "verse", "viola"])


class RealtimeVoicesList(WireModel):
    default_v1: Annotated[RealtimeVoice, Field(alias="defaultV1")]
    default_v2: Annotated[RealtimeVoice, Field(alias="defaultV2")]
    v1: list[RealtimeVoice]
    v2: list[RealtimeVoice]
    v3: list[RealtimeVoice] = []


ReasoningEffort = TypeAliasType(
    "ReasoningEffort",
    Annotated[
        str,
        Field(
            description="A non-empty reasoning effort value advertised by the model.",
            min_length=1,
        ),
    ],
)


class ReasoningEffortOption(WireModel):
    description: str
    reasoning_effort: Annotated[ReasoningEffort, Field(alias="reasoningEffort")]


class ReasoningTextReasoningItemContent(WireModel):
    text: str
    type: Literal["reasoning_text"]


class TextReasoningItemContent(WireModel):
    text: str
    type: Literal["text"]


ReasoningItemContent = TypeAliasType(
    "ReasoningItemContent",
    Annotated[
        ReasoningTextReasoningItemContent | TextReasoningItemContent,
        Field(discriminator="type"),
    ],
)


class SummaryTextReasoningItemReasoningSummary(WireModel):
    text: str
    type: Literal["summary_text"]


ReasoningItemReasoningSummary = TypeAliasType("ReasoningItemReasoningSummary", SummaryTextReasoningItemReasoningSummary)


ReasoningSummary = TypeAliasType(
    "ReasoningSummary",
    Annotated[
        Literal["auto", "concise", "detailed"] | Literal["none"],
        Field(
            description="A summary of the reasoning performed by the model. This can be useful for debugging and understanding the model's reasoning process. See https://platform.openai.com/docs/guides/reasoning?api-mode=responses#reasoning-summaries"
        ),
    ],
)


class ReasoningSummaryPartAddedNotification(WireModel):
    item_id: Annotated[str, Field(alias="itemId")]
    summary_index: Annotated[int, Field(alias="summaryIndex")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ReasoningSummaryTextDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    summary_index: Annotated[int, Field(alias="summaryIndex")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ReasoningTextDeltaNotification(WireModel):
    content_index: Annotated[int, Field(alias="contentIndex")]
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class RemoteControlClient(WireModel):
    app_version: Annotated[str | None, Field(alias="appVersion")] = None
    client_id: Annotated[str, Field(alias="clientId")]
    device_model: Annotated[str | None, Field(alias="deviceModel")] = None
    device_type: Annotated[str | None, Field(alias="deviceType")] = None
    display_name: Annotated[str | None, Field(alias="displayName")] = None
    last_seen_at: Annotated[int | None, Field(alias="lastSeenAt")] = None
    os_version: Annotated[str | None, Field(alias="osVersion")] = None
    platform: str | None = None


RemoteControlClientsListOrder = TypeAliasType("RemoteControlClientsListOrder", Literal["asc", "desc"])


class RemoteControlClientsListParams(WireModel):
    cursor: str | None = None
    environment_id: Annotated[str, Field(alias="environmentId")]
    limit: Annotated[int | None, Field(ge=0)] = None
    order: RemoteControlClientsListOrder | None = None


class RemoteControlClientsListResponse(WireModel):
    data: list[RemoteControlClient]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class RemoteControlClientsRevokeParams(WireModel):
    client_id: Annotated[str, Field(alias="clientId")]
    environment_id: Annotated[str, Field(alias="environmentId")]


class RemoteControlClientsRevokeResponse(WireModel):
    pass


RemoteControlConnectionStatus = TypeAliasType("RemoteControlConnectionStatus", Literal["disabled", "connecting", "connected", "errored"])


class RemoteControlDisableParams(WireModel):
    ephemeral: bool | None = None


class RemoteControlDisableResponse(WireModel):
    environment_id: Annotated[str | None, Field(alias="environmentId")] = None
    installation_id: Annotated[str, Field(alias="installationId")]
    server_name: Annotated[str, Field(alias="serverName")]
    status: RemoteControlConnectionStatus


class RemoteControlEnableParams(WireModel):
    ephemeral: bool | None = None


class RemoteControlEnableResponse(WireModel):
    environment_id: Annotated[str | None, Field(alias="environmentId")] = None
    installation_id: Annotated[str, Field(alias="installationId")]
    server_name: Annotated[str, Field(alias="serverName")]
    status: RemoteControlConnectionStatus


class RemoteControlPairingStartParams(WireModel):
    manual_code: Annotated[bool | None, Field(alias="manualCode")] = None


class RemoteControlPairingStartResponse(WireModel):
    environment_id: Annotated[str, Field(alias="environmentId")]
    expires_at: Annotated[int, Field(alias="expiresAt")]
    manual_pairing_code: Annotated[str | None, Field(alias="manualPairingCode")] = None
    pairing_code: Annotated[str, Field(alias="pairingCode")]


class RemoteControlPairingStatusParams(WireModel):
    manual_pairing_code: Annotated[str | None, Field(alias="manualPairingCode")] = None
    pairing_code: Annotated[str | None, Field(alias="pairingCode")] = None


class RemoteControlPairingStatusResponse(WireModel):
    claimed: bool


class RemoteControlStatusChangedNotification(WireModel):
    environment_id: Annotated[str | None, Field(alias="environmentId")] = None
    installation_id: Annotated[str, Field(alias="installationId")]
    server_name: Annotated[str, Field(alias="serverName")]
    status: RemoteControlConnectionStatus


class RemoteControlStatusChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["remoteControl/status/changed"]
    params: RemoteControlStatusChangedNotification


class RemoteControlStatusReadResponse(WireModel):
    environment_id: Annotated[str | None, Field(alias="environmentId")] = None
    installation_id: Annotated[str, Field(alias="installationId")]
    server_name: Annotated[str, Field(alias="serverName")]
    status: RemoteControlConnectionStatus


class RequestHeader(WireModel):
    name: str
    value: str


RequestId = TypeAliasType("RequestId", Annotated[str | int, Field(title="RequestId")])


ResidencyRequirement = TypeAliasType("ResidencyRequirement", Literal["us"])


class Resource(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    annotations: Any | None = None
    description: str | None = None
    icons: list[Any] | None = None
    mime_type: Annotated[str | None, Field(alias="mimeType")] = None
    name: str
    size: int | None = None
    title: str | None = None
    uri: str


class TextResourceContent(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    mime_type: Annotated[str | None, Field(alias="mimeType")] = None
    text: str
    uri: Annotated[str, Field(description="The URI of this resource.")]


class BlobResourceContent(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    blob: str
    mime_type: Annotated[str | None, Field(alias="mimeType")] = None
    uri: Annotated[str, Field(description="The URI of this resource.")]


ResourceContent = TypeAliasType(
    "ResourceContent",
    Annotated[
        TextResourceContent | BlobResourceContent,
        Field(
            description="Contents returned when reading a resource from an MCP server."
        ),
    ],
)


class ResourceTemplate(WireModel):
    annotations: Any | None = None
    description: str | None = None
    mime_type: Annotated[str | None, Field(alias="mimeType")] = None
    name: str
    title: str | None = None
    uri_template: Annotated[str, Field(alias="uriTemplate")]


class AdditionalToolsResponseItem(WireModel):
    id: str | None = None
    role: str
    tools: list[Any]
    type: Literal["additional_tools"]


class AgentMessageResponseItem(WireModel):
    author: str
    content: list[AgentMessageInputContent]
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    recipient: str
    type: Literal["agent_message"]


class ReasoningResponseItem(WireModel):
    content: list[ReasoningItemContent] | None = None
    encrypted_content: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    summary: list[ReasoningItemReasoningSummary]
    type: Literal["reasoning"]


class LocalShellCallResponseItem(WireModel):
    action: LocalShellAction
    call_id: Annotated[
        str | None, Field(description="Set when using the Responses API.")
    ] = None
    encrypted_content: str | None = None
    id: Annotated[
        str | None,
        Field(
            description="Legacy id field retained for compatibility with older payloads."
        ),
    ] = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    status: LocalShellStatus
    type: Literal["local_shell_call"]


class FunctionCallResponseItem(WireModel):
    arguments: str
    call_id: str
    encrypted_content: str | None = None
    encrypted_function_args: list[str] | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    name: str
    namespace: str | None = None
    status: str | None = None
    type: Literal["function_call"]


class ToolSearchCallResponseItem(WireModel):
    arguments: Any
    call_id: str | None = None
    encrypted_content: str | None = None
    execution: str
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    status: str | None = None
    type: Literal["tool_search_call"]


class CustomToolCallResponseItem(WireModel):
    call_id: str
    encrypted_content: str | None = None
    id: str | None = None
    input: str
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    name: str
    namespace: str | None = None
    status: str | None = None
    type: Literal["custom_tool_call"]


class ToolSearchOutputResponseItem(WireModel):
    call_id: str | None = None
    execution: str
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    status: str
    tools: list[Any]
    type: Literal["tool_search_output"]


class ImageGenerationCallResponseItem(WireModel):
    encrypted_content: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    result: str
    revised_prompt: str | None = None
    status: str
    type: Literal["image_generation_call"]


class CompactionResponseItem(WireModel):
    encrypted_content: str
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    type: Literal["compaction"]


class CompactionTriggerResponseItem(WireModel):
    type: Literal["compaction_trigger"]


class ContextCompactionResponseItem(WireModel):
    encrypted_content: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    type: Literal["context_compaction"]


class OtherResponseItem(WireModel):
    type: Literal["other"]


class ResponseUsageMetadata(WireModel):
    amount: str | None = None
    metadata: Any | None = None


class SearchResponsesApiWebSearchAction(WireModel):
    queries: list[str] | None = None
    query: str | None = None
    type: Literal["search"]


class OpenPageResponsesApiWebSearchAction(WireModel):
    type: Literal["open_page"]
    url: str | None = None


class FindInPageResponsesApiWebSearchAction(WireModel):
    pattern: str | None = None
    type: Literal["find_in_page"]
    url: str | None = None


class OtherResponsesApiWebSearchAction(WireModel):
    type: Literal["other"]


ResponsesApiWebSearchAction = TypeAliasType(
    "ResponsesApiWebSearchAction",
    Annotated[
        SearchResponsesApiWebSearchAction | OpenPageResponsesApiWebSearchAction | FindInPageResponsesApiWebSearchAction | OtherResponsesApiWebSearchAction,
        Field(discriminator="type"),
    ],
)


class ApprovedExecpolicyAmendment(WireModel):
    proposed_execpolicy_amendment: list[str]


class ApprovedExecpolicyAmendmentReviewDecision(WireModel):
    approved_execpolicy_amendment: Annotated[
        ApprovedExecpolicyAmendment, Field(title="ApprovedExecpolicyAmendment")
    ]


class Denied(WireModel):
    rejection: str


class DeniedReviewDecision(WireModel):
    denied: Annotated[Denied, Field(title="Denied")]


ReviewDelivery = TypeAliasType("ReviewDelivery", Literal["inline", "detached"])


class UncommittedChangesReviewTarget(WireModel):
    type: Literal["uncommittedChanges"]


class BaseBranchReviewTarget(WireModel):
    branch: str
    type: Literal["baseBranch"]


class CommitReviewTarget(WireModel):
    sha: str
    title: Annotated[
        str | None,
        Field(
            description="Optional human-readable label (e.g., commit subject) for UIs."
        ),
    ] = None
    type: Literal["commit"]


class CustomReviewTarget(WireModel):
    instructions: str
    type: Literal["custom"]


ReviewTarget = TypeAliasType(
    "ReviewTarget",
    Annotated[
        UncommittedChangesReviewTarget | BaseBranchReviewTarget | CommitReviewTarget | CustomReviewTarget,
        Field(discriminator="type"),
    ],
)


class RolloutCompressClientRequest(WireModel):
    id: RequestId
    method: Literal["rollout/compress"]
    params: Annotated[None, Field(None)] = None


class RolloutCompressResponse(WireModel):
    pass


SandboxMode = TypeAliasType("SandboxMode", Literal["read-only", "workspace-write", "danger-full-access"])


class DangerFullAccessSandboxPolicy(WireModel):
    type: Literal["dangerFullAccess"]


class ReadOnlySandboxPolicy(WireModel):
    network_access: Annotated[bool, Field(alias="networkAccess")] = False
    type: Literal["readOnly"]


class ExternalSandboxSandboxPolicy(WireModel):
    network_access: Annotated[NetworkAccess, Field(alias="networkAccess")] = (
        "restricted"
    )
    type: Literal["externalSandbox"]


class WorkspaceWriteSandboxPolicy(WireModel):
    exclude_slash_tmp: Annotated[bool, Field(alias="excludeSlashTmp")] = False
    exclude_tmpdir_env_var: Annotated[bool, Field(alias="excludeTmpdirEnvVar")] = False
    network_access: Annotated[bool, Field(alias="networkAccess")] = False
    type: Literal["workspaceWrite"]
    writable_roots: Annotated[list[AbsolutePathBuf], Field(alias="writableRoots")] = []


SandboxPolicy = TypeAliasType(
    "SandboxPolicy",
    Annotated[
        DangerFullAccessSandboxPolicy | ReadOnlySandboxPolicy | ExternalSandboxSandboxPolicy | WorkspaceWriteSandboxPolicy,
        Field(discriminator="type"),
    ],
)


class SandboxWorkspaceWrite(WireModel):
    exclude_slash_tmp: bool = False
    exclude_tmpdir_env_var: bool = False
    network_access: bool = False
    writable_roots: list[str] = []


class DailyScheduledTaskSchedule(WireModel):
    time: str
    type: Literal["daily"]


class WeekdaysScheduledTaskSchedule(WireModel):
    time: str
    type: Literal["weekdays"]


ScheduledTaskWeekday = TypeAliasType("ScheduledTaskWeekday", Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"])


class SelectedCapabilityRoot(WireModel):
    id: Annotated[
        str,
        Field(
            description="Stable identifier supplied by the capability selection platform."
        ),
    ]
    location: Annotated[
        CapabilityRootLocation,
        Field(description="Where the selected root can be resolved."),
    ]


class SendAddCreditsNudgeEmailParams(WireModel):
    credit_type: Annotated[AddCreditsNudgeCreditType, Field(alias="creditType")]


class SendAddCreditsNudgeEmailResponse(WireModel):
    status: AddCreditsNudgeEmailStatus


class ServerDiagnosticsGauge(WireModel):
    name: str
    value: Annotated[int, Field(ge=0)]


class ServerDiagnosticsParams(WireModel):
    pass


class ServerDiagnosticsProcess(WireModel):
    id: Annotated[int, Field(ge=0)]
    physical_footprint_bytes: Annotated[
        int | None, Field(alias="physicalFootprintBytes", ge=0)
    ] = None
    resident_memory_bytes: Annotated[
        int | None, Field(alias="residentMemoryBytes", ge=0)
    ] = None


class ServerDiagnosticsResponse(WireModel):
    gauges: list[ServerDiagnosticsGauge]
    process: ServerDiagnosticsProcess


class ServerRequestResolvedNotification(WireModel):
    request_id: Annotated[RequestId, Field(alias="requestId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ServerRequestResolvedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["serverRequest/resolved"]
    params: ServerRequestResolvedNotification


class SessionMigration(WireModel):
    cwd: str
    path: str
    title: str | None = None


class CustomSessionSource(WireModel):
    custom: str


class Settings(WireModel):
    developer_instructions: str | None = None
    model: str
    reasoning_effort: ReasoningEffort | None = None


class SkillErrorInfo(WireModel):
    message: str
    path: str


class SkillInterface(WireModel):
    brand_color: Annotated[str | None, Field(alias="brandColor")] = None
    default_prompt: Annotated[str | None, Field(alias="defaultPrompt")] = None
    display_name: Annotated[str | None, Field(alias="displayName")] = None
    icon_large: Annotated[AbsolutePathBuf | None, Field(alias="iconLarge")] = None
    icon_large_url: Annotated[
        str | None,
        Field(
            alias="iconLargeUrl",
            description="Remote large icon URL from the plugin catalog.",
        ),
    ] = None
    icon_small: Annotated[AbsolutePathBuf | None, Field(alias="iconSmall")] = None
    icon_small_url: Annotated[
        str | None,
        Field(
            alias="iconSmallUrl",
            description="Remote small icon URL from the plugin catalog.",
        ),
    ] = None
    short_description: Annotated[str | None, Field(alias="shortDescription")] = None


class SkillMigration(WireModel):
    name: str


SkillScope = TypeAliasType("SkillScope", Literal["user", "repo", "system", "admin"])


class SkillSummary(WireModel):
    description: str
    enabled: bool
    interface: SkillInterface | None = None
    name: str
    path: LegacyAppPathString | None = None
    short_description: Annotated[str | None, Field(alias="shortDescription")] = None


class SkillToolDependency(WireModel):
    command: str | None = None
    description: str | None = None
    transport: str | None = None
    type: str
    url: str | None = None
    value: str


class SkillsChangedNotification(WireModel):
    pass


class SkillsChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["skills/changed"]
    params: SkillsChangedNotification


class SkillsConfigWriteParams(WireModel):
    enabled: bool
    name: Annotated[str | None, Field(description="Name-based selector.")] = None
    path: Annotated[
        AbsolutePathBuf | None, Field(description="Path-based selector.")
    ] = None


class SkillsConfigWriteResponse(WireModel):
    effective_enabled: Annotated[bool, Field(alias="effectiveEnabled")]


class SkillsExtraRootsSetParams(WireModel):
    extra_roots: Annotated[list[AbsolutePathBuf], Field(alias="extraRoots")]


class SkillsExtraRootsSetResponse(WireModel):
    pass


class SkillsListParams(WireModel):
    cwds: Annotated[
        list[str] | None,
        Field(
            description="When empty, defaults to the current session working directory."
        ),
    ] = None
    force_reload: Annotated[
        bool | None,
        Field(
            alias="forceReload",
            description="When true, bypass the skills cache and re-scan skills from disk.",
        ),
    ] = None


SortDirection = TypeAliasType("SortDirection", Literal["asc", "desc"])


class SpendControlLimitSnapshot(WireModel):
    limit: str
    remaining_percent: Annotated[int, Field(alias="remainingPercent")]
    resets_at: Annotated[int, Field(alias="resetsAt")]
    used: str


class StrictReviewRequiredNotification(WireModel):
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this review started.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


SubAgentActivityKind = TypeAliasType("SubAgentActivityKind", Literal["started", "interacted", "interrupted", "completed"])


class OtherSubAgentSource(WireModel):
    other: str


class SubagentMigration(WireModel):
    name: str


class TerminalInteractionNotification(WireModel):
    item_id: Annotated[str, Field(alias="itemId")]
    process_id: Annotated[str, Field(alias="processId")]
    stdin: str
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class TextElement(WireModel):
    byte_range: Annotated[
        ByteRange,
        Field(
            alias="byteRange",
            description="Byte range in the parent `text` buffer that this element occupies.",
        ),
    ]
    placeholder: Annotated[
        str | None,
        Field(
            description="Optional human-readable placeholder for the element, displayed in the UI."
        ),
    ] = None


class TextPosition(WireModel):
    column: Annotated[
        int,
        Field(description="1-based column number (in Unicode scalar values).", ge=0),
    ]
    line: Annotated[int, Field(description="1-based line number.", ge=0)]


class TextRange(WireModel):
    end: TextPosition
    start: TextPosition


ThreadActiveFlag = TypeAliasType("ThreadActiveFlag", Literal["waitingOnApproval", "waitingOnUserInput"])


class ThreadApproveGuardianDeniedActionParams(WireModel):
    event: Annotated[
        Any,
        Field(
            description="Serialized `codex_protocol::protocol::GuardianAssessmentEvent`."
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadApproveGuardianDeniedActionResponse(WireModel):
    pass


class ThreadArchiveParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadArchiveResponse(WireModel):
    pass


class ThreadArchivedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadArchivedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/archived"]
    params: ThreadArchivedNotification


class ThreadAttachment(WireModel):
    attachment_type: Annotated[str, Field(alias="attachmentType")]
    created_at: Annotated[int, Field(alias="createdAt")]
    id: str
    identity_key: Annotated[str, Field(alias="identityKey")]
    payload: Any


ThreadAttachmentAddOutcome = TypeAliasType(
    "ThreadAttachmentAddOutcome",
    Annotated[
        Literal["created", "existing"],
        Field(
            description="Result of attempting to associate an attachment with a thread."
        ),
    ],
)


class ThreadAttachmentAddParams(WireModel):
    attachment_type: Annotated[str, Field(alias="attachmentType")]
    identity_key: Annotated[str, Field(alias="identityKey")]
    payload: Any
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadAttachmentAddResponse(WireModel):
    attachment: ThreadAttachment
    outcome: ThreadAttachmentAddOutcome


class ThreadAttachmentListParams(WireModel):
    cursor: str | None = None
    limit: Annotated[int | None, Field(ge=0)] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadAttachmentListResponse(WireModel):
    data: list[ThreadAttachment]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


ThreadAttachmentOperation = TypeAliasType(
    "ThreadAttachmentOperation",
    Annotated[
        Literal["created", "deleted"],
        Field(
            description="The persisted attachment change represented by a notification."
        ),
    ],
)


class ThreadAttachmentOwner(WireModel):
    archived: Annotated[
        bool,
        Field(
            description="Whether the owning thread is archived, not whether it is currently executing a turn."
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadAttachmentOwnerListParams(WireModel):
    archived: Annotated[
        bool | None,
        Field(
            description="Omitted or null returns all matches; false returns non-archived threads only."
        ),
    ] = None
    attachment_type: Annotated[str, Field(alias="attachmentType")]
    cursor: str | None = None
    identity_key: Annotated[str, Field(alias="identityKey")]
    limit: Annotated[int | None, Field(ge=0)] = None


class ThreadAttachmentOwnerListResponse(WireModel):
    data: list[ThreadAttachmentOwner]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class ThreadAttachmentRemoveParams(WireModel):
    attachment_type: Annotated[str, Field(alias="attachmentType")]
    identity_key: Annotated[str, Field(alias="identityKey")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadAttachmentRemoveResponse(WireModel):
    pass


class ThreadAttachmentUpdatedNotification(WireModel):
    attachment_id: Annotated[str, Field(alias="attachmentId")]
    attachment_type: Annotated[str, Field(alias="attachmentType")]
    identity_key: Annotated[str, Field(alias="identityKey")]
    operation: ThreadAttachmentOperation
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadAttachmentUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/attachment/updated"]
    params: ThreadAttachmentUpdatedNotification


class ThreadBackgroundTerminal(WireModel):
    command: str
    cpu_percent: Annotated[float | None, Field(alias="cpuPercent")] = None
    cwd: LegacyAppPathString
    item_id: Annotated[str, Field(alias="itemId")]
    os_pid: Annotated[int | None, Field(alias="osPid", ge=0)] = None
    process_id: Annotated[str, Field(alias="processId")]
    rss_kb: Annotated[int | None, Field(alias="rssKb", ge=0)] = None


class ThreadBackgroundTerminalsCleanParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadBackgroundTerminalsCleanResponse(WireModel):
    pass


class ThreadBackgroundTerminalsListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[int | None, Field(description="Optional page size.", ge=0)] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadBackgroundTerminalsListResponse(WireModel):
    data: list[ThreadBackgroundTerminal]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


class ThreadBackgroundTerminalsTerminateParams(WireModel):
    process_id: Annotated[str, Field(alias="processId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadBackgroundTerminalsTerminateResponse(WireModel):
    terminated: bool


class ThreadClosedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadClosedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/closed"]
    params: ThreadClosedNotification


class ThreadCompactStartParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadCompactStartResponse(WireModel):
    pass


class ThreadCompactedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/compacted"]
    params: ContextCompactedNotification


class ThreadDecrementElicitationParams(WireModel):
    thread_id: Annotated[
        str,
        Field(
            alias="threadId",
            description="Thread whose out-of-band elicitation counter should be decremented.",
        ),
    ]


class ThreadDecrementElicitationResponse(WireModel):
    count: Annotated[
        int,
        Field(description="Current out-of-band elicitation count after the decrement."),
    ]
    paused: Annotated[
        bool,
        Field(
            description="Whether timeout accounting remains paused after applying the decrement."
        ),
    ]


class ThreadDeleteParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadDeleteResponse(WireModel):
    pass


class ThreadDeletedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadDeletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/deleted"]
    params: ThreadDeletedNotification


class ThreadEnvironment(WireModel):
    cwd: LegacyAppPathString
    environment_id: Annotated[str, Field(alias="environmentId")]
    runtime_workspace_roots: Annotated[
        list[LegacyAppPathString], Field(alias="runtimeWorkspaceRoots")
    ]


class ThreadEnvironmentConnectedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/environment/connected"]
    params: EnvironmentConnectionNotification


class ThreadEnvironmentDisconnectedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/environment/disconnected"]
    params: EnvironmentConnectionNotification


class ThreadExtra(WireModel):
    pass


class ThreadGoalClearResponse(WireModel):
    cleared: bool


class ThreadGoalClearedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadGoalClearedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/goal/cleared"]
    params: ThreadGoalClearedNotification


class ThreadGoalGetParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


ThreadGoalMutationOrigin = TypeAliasType(
    "ThreadGoalMutationOrigin",
    Annotated[
        Literal["user", "automatic"],
        Field(
            description="Distinguishes explicit user actions from automatic goal lifecycle mutations."
        ),
    ],
)


ThreadGoalStatus = TypeAliasType("ThreadGoalStatus", Literal["active", "paused", "blocked", "usageLimited", "budgetLimited", "complete"])


ThreadHistoryMode = TypeAliasType("ThreadHistoryMode", Literal["legacy", "paginated"])


ThreadId = TypeAliasType("ThreadId", str)


class ThreadIncrementElicitationParams(WireModel):
    thread_id: Annotated[
        str,
        Field(
            alias="threadId",
            description="Thread whose out-of-band elicitation counter should be incremented.",
        ),
    ]


class ThreadIncrementElicitationResponse(WireModel):
    count: Annotated[
        int,
        Field(description="Current out-of-band elicitation count after the increment."),
    ]
    paused: Annotated[
        bool,
        Field(
            description="Whether timeout accounting is paused after applying the increment."
        ),
    ]


class ThreadInjectItemsParams(WireModel):
    items: Annotated[
        list[Any],
        Field(
            description="Raw Responses API items to append to the thread's model-visible history."
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadInjectItemsResponse(WireModel):
    pass


class HookPromptThreadItem(WireModel):
    fragments: list[HookPromptFragment]
    id: str
    type: Literal["hookPrompt"]


class PlanThreadItem(WireModel):
    id: str
    text: str
    type: Literal["plan"]


class ReasoningThreadItem(WireModel):
    content: list[str] = []
    id: str
    summary: list[str] = []
    type: Literal["reasoning"]


class McpToolCallThreadItem(WireModel):
    app_context: Annotated[McpToolCallAppContext | None, Field(alias="appContext")] = (
        None
    )
    arguments: Any
    duration_ms: Annotated[
        int | None,
        Field(
            alias="durationMs",
            description="The duration of the MCP tool call in milliseconds.",
        ),
    ] = None
    error: McpToolCallError | None = None
    id: str
    mcp_app_resource_uri: Annotated[
        str | None,
        Field(
            alias="mcpAppResourceUri",
            description="Legacy compatibility field; prefer `mcpAppUi.resourceUri` when available.",
        ),
    ] = None
    mcp_app_ui: Annotated[
        McpAppUi | None,
        Field(
            alias="mcpAppUi",
            description="Presentation captured from the invoked descriptor; absent in older history.",
        ),
    ] = None
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    read_only_hint: Annotated[bool | None, Field(alias="readOnlyHint")] = None
    result: McpToolCallResult | None = None
    server: str
    status: McpToolCallStatus
    tool: str
    type: Literal["mcpToolCall"]


class DynamicToolCallThreadItem(WireModel):
    arguments: Any
    content_items: Annotated[
        list[DynamicToolCallOutputContentItem] | None, Field(alias="contentItems")
    ] = None
    duration_ms: Annotated[
        int | None,
        Field(
            alias="durationMs",
            description="The duration of the dynamic tool call in milliseconds.",
        ),
    ] = None
    id: str
    namespace: str | None = None
    status: DynamicToolCallStatus
    success: bool | None = None
    tool: str
    type: Literal["dynamicToolCall"]


class SubAgentActivityThreadItem(WireModel):
    agent_path: Annotated[str, Field(alias="agentPath")]
    agent_thread_id: Annotated[str, Field(alias="agentThreadId")]
    id: str
    kind: SubAgentActivityKind
    model: Annotated[
        str | None,
        Field(
            description="Resolved model at sub-agent creation; absent from older records and other activities."
        ),
    ] = None
    reasoning_effort: Annotated[
        ReasoningEffort | None,
        Field(
            alias="reasoningEffort",
            description="Resolved reasoning effort at sub-agent creation, when known.",
        ),
    ] = None
    type: Literal["subAgentActivity"]


class ImageViewThreadItem(WireModel):
    id: str
    path: LegacyAppPathString
    type: Literal["imageView"]


class SleepThreadItem(WireModel):
    duration_ms: Annotated[int, Field(alias="durationMs", ge=0)]
    id: str
    type: Literal["sleep"]


class ImageGenerationThreadItem(WireModel):
    failure: ImageGenerationFailure | None = None
    id: str
    result: str
    revised_prompt: Annotated[str | None, Field(alias="revisedPrompt")] = None
    saved_path: Annotated[AbsolutePathBuf | None, Field(alias="savedPath")] = None
    status: str
    transparent_background: Annotated[
        bool | None, Field(alias="transparentBackground")
    ] = None
    type: Literal["imageGeneration"]


class EnteredReviewModeThreadItem(WireModel):
    id: str
    review: str
    type: Literal["enteredReviewMode"]


class ExitedReviewModeThreadItem(WireModel):
    id: str
    review: str
    type: Literal["exitedReviewMode"]


class ContextCompactionThreadItem(WireModel):
    id: str
    type: Literal["contextCompaction"]


class ItemThreadItemsListAnchor(WireModel):
    item_id: Annotated[str, Field(alias="itemId")]
    type: Literal["item"]


ThreadItemsListAnchor = TypeAliasType(
    "ThreadItemsListAnchor",
    Annotated[
        ItemThreadItemsListAnchor,
        Field(
            description="An exclusive item position within the requested visible turn."
        ),
    ],
)


ThreadItemsListCursor = TypeAliasType(
    "ThreadItemsListCursor",
    Annotated[
        str | ThreadItemsListAnchor,
        Field(description="Starting position for an item-history page."),
    ],
)


class ThreadItemsListParams(WireModel):
    cursor: Annotated[
        ThreadItemsListCursor | None,
        Field(
            description="Opaque continuation cursor or an exclusive item anchor in the requested visible turn. An item anchor requires a non-empty `turnId`; ascending (the default) returns items after it, and descending returns items before it. Continue with the returned string cursor."
        ),
    ] = None
    limit: Annotated[
        int | None, Field(description="Optional item page size.", ge=0)
    ] = None
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Optional item pagination direction; defaults to ascending.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Optional turn id to filter by. When omitted, returns items across the thread.",
        ),
    ] = None


class ThreadItemsReadParams(WireModel):
    item_ids: Annotated[
        list[str],
        Field(
            alias="itemIds", description="Item IDs to retrieve. Supply 1 to 100 IDs."
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


ThreadListCwdFilter = TypeAliasType("ThreadListCwdFilter", str | list[str])


class ThreadLoadedListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[
        int | None, Field(description="Optional page size; defaults to no limit.", ge=0)
    ] = None


class ThreadLoadedListResponse(WireModel):
    data: Annotated[
        list[str],
        Field(description="Thread ids for sessions currently loaded in memory."),
    ]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. if None, there are no more items to return.",
        ),
    ] = None


ThreadMemoryMode = TypeAliasType("ThreadMemoryMode", Literal["enabled", "disabled"])


class ThreadMemoryModeSetParams(WireModel):
    mode: ThreadMemoryMode
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadMemoryModeSetResponse(WireModel):
    pass


class ThreadMetadataGitInfoUpdateParams(WireModel):
    branch: Annotated[
        str | None,
        Field(
            description="Omit to leave the stored branch unchanged, set to `null` to clear it, or provide a non-empty string to replace it."
        ),
    ] = None
    origin_url: Annotated[
        str | None,
        Field(
            alias="originUrl",
            description="Omit to leave the stored origin URL unchanged, set to `null` to clear it, or provide a non-empty string to replace it.",
        ),
    ] = None
    sha: Annotated[
        str | None,
        Field(
            description="Omit to leave the stored commit unchanged, set to `null` to clear it, or provide a non-empty string to replace it."
        ),
    ] = None


class ThreadMetadataUpdateParams(WireModel):
    daybreak_enabled: Annotated[
        bool | None,
        Field(
            alias="daybreakEnabled",
            description="Save the client's Daybreak choice for this persistent thread. Omitted or null leaves it unchanged. This does not select a turn's `cyberAccessProgram` or grant access.",
        ),
    ] = None
    git_info: Annotated[
        ThreadMetadataGitInfoUpdateParams | None,
        Field(
            alias="gitInfo",
            description="Patch the stored Git metadata for this thread. Omit a field to leave it unchanged, set it to `null` to clear it, or provide a string to replace the stored value.",
        ),
    ] = None
    project_id: Annotated[
        str | None,
        Field(
            alias="projectId",
            description="Omit to leave the project unchanged, use an empty string to clear it, or provide an existing project ID to assign it.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadNameUpdatedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    thread_name: Annotated[str | None, Field(alias="threadName")] = None


class ThreadNameUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/name/updated"]
    params: ThreadNameUpdatedNotification


class ThreadPredictionRequestParams(WireModel):
    source_turn_id: Annotated[str, Field(alias="sourceTurnId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadPredictionRequestResponse(WireModel):
    pass


class CompletedThreadPredictionResult(WireModel):
    text: str | None = None
    type: Literal["completed"]


class FailedThreadPredictionResult(WireModel):
    type: Literal["failed"]


ThreadPredictionResult = TypeAliasType(
    "ThreadPredictionResult",
    Annotated[
        CompletedThreadPredictionResult | FailedThreadPredictionResult,
        Field(discriminator="type"),
    ],
)


class ThreadPredictionUpdatedNotification(WireModel):
    result: ThreadPredictionResult
    source_turn_id: Annotated[str, Field(alias="sourceTurnId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadPredictionUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/prediction/updated"]
    params: ThreadPredictionUpdatedNotification


class ThreadProjectUpdatedNotification(WireModel):
    project_id: Annotated[str | None, Field(alias="projectId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadProjectUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/project/updated"]
    params: ThreadProjectUpdatedNotification


class ThreadQueueChangedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/queue/changed"]
    params: ThreadQueueChangedNotification


class ThreadQueueDeleteParams(WireModel):
    queued_submission_id: Annotated[str, Field(alias="queuedSubmissionId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueDeleteResponse(WireModel):
    deleted: bool


class ThreadQueueListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to the standard thread-list page size.",
            ge=0,
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueReorderParams(WireModel):
    queued_submission_ids: Annotated[list[str], Field(alias="queuedSubmissionIds")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueReorderResponse(WireModel):
    pass


class ThreadQueueStartParams(WireModel):
    queued_submission_id: Annotated[str | None, Field(alias="queuedSubmissionId")] = (
        None
    )
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadReadParams(WireModel):
    include_turns: Annotated[
        bool | None,
        Field(
            alias="includeTurns",
            description="When true, include turns and their items from rollout history. Full-history hydration is deprecated for paginated threads; prefer a metadata-only read and page with `thread/turns/list` and `thread/items/list`.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ReadThreadReadStateOperation(WireModel):
    type: Literal["read"]


class UnreadThreadReadStateOperation(WireModel):
    type: Literal["unread"]


ThreadReadStateOperation = TypeAliasType(
    "ThreadReadStateOperation",
    Annotated[
        ReadThreadReadStateOperation | UnreadThreadReadStateOperation,
        Field(discriminator="type"),
    ],
)


class ThreadReadStateUpdateParams(WireModel):
    expected_revision: Annotated[
        str,
        Field(
            alias="expectedRevision",
            description="Revision of the row or transcript actually seen. Conflicts require a fresh user action.",
        ),
    ]
    operation: ThreadReadStateOperation
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeAppendAudioResponse(WireModel):
    pass


class ThreadRealtimeAppendSpeechParams(WireModel):
    text: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeAppendSpeechResponse(WireModel):
    pass


class ThreadRealtimeAppendTextParams(WireModel):
    role: ConversationTextRole = "user"
    text: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeAppendTextResponse(WireModel):
    pass


class ThreadRealtimeAudioChunk(WireModel):
    data: str
    item_id: Annotated[str | None, Field(alias="itemId")] = None
    num_channels: Annotated[int, Field(alias="numChannels", ge=0)]
    sample_rate: Annotated[int, Field(alias="sampleRate", ge=0)]
    samples_per_channel: Annotated[
        int | None, Field(alias="samplesPerChannel", ge=0)
    ] = None


class WholeItemThreadRealtimeBemItemPresentation(WireModel):
    type: Literal["wholeItem"]


class InlineMarkdownThreadRealtimeBemItemPresentation(WireModel):
    type: Literal["inlineMarkdown"]


class InlineVisualizationThreadRealtimeBemItemPresentation(WireModel):
    index: Annotated[int, Field(ge=0)]
    type: Literal["inlineVisualization"]


ThreadRealtimeBemItemPresentation = TypeAliasType(
    "ThreadRealtimeBemItemPresentation",
    Annotated[
        WholeItemThreadRealtimeBemItemPresentation | InlineMarkdownThreadRealtimeBemItemPresentation | InlineVisualizationThreadRealtimeBemItemPresentation,
        Field(
            description="EXPERIMENTAL - how an existing agent item appears in a realtime conversation.",
            discriminator="type",
        ),
    ],
)


class ThreadRealtimeClosedNotification(WireModel):
    reason: str | None = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeClosedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/closed"]
    params: ThreadRealtimeClosedNotification


class ThreadRealtimeErrorNotification(WireModel):
    message: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeErrorServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/error"]
    params: ThreadRealtimeErrorNotification


class ThreadRealtimeInitialItem(WireModel):
    role: ConversationTextRole
    text: str


class RealtimeSessionStartedThreadRealtimeItem(WireModel):
    id: str
    realtime_session_id: Annotated[str, Field(alias="realtimeSessionId")]
    type: Literal["realtimeSessionStarted"]


class BemItemPromotedThreadRealtimeItem(WireModel):
    id: str
    realtime_session_id: Annotated[str, Field(alias="realtimeSessionId")]
    item_id: str
    presentation: ThreadRealtimeBemItemPresentation
    turn_id: str
    type: Literal["bemItemPromoted"]


class ThreadRealtimeItemAddedNotification(WireModel):
    item: Any
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeItemAddedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/itemAdded"]
    params: ThreadRealtimeItemAddedNotification


class ThreadRealtimeItemTranscriptDeltaNotification(WireModel):
    delta: str
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeItemTranscriptDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/item/transcript/delta"]
    params: ThreadRealtimeItemTranscriptDeltaNotification


class ThreadRealtimeListVoicesParams(WireModel):
    pass


class ThreadRealtimeListVoicesResponse(WireModel):
    voices: RealtimeVoicesList


class ThreadRealtimeOutputAudioDeltaNotification(WireModel):
    audio: ThreadRealtimeAudioChunk
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeOutputAudioDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/outputAudio/delta"]
    params: ThreadRealtimeOutputAudioDeltaNotification


class ThreadRealtimeSdpNotification(WireModel):
    sdp: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeSdpServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/sdp"]
    params: ThreadRealtimeSdpNotification


ThreadRealtimeSessionOutcome = TypeAliasType("ThreadRealtimeSessionOutcome", Literal["ended", "failed"])


class ThreadRealtimeStartResponse(WireModel):
    pass


class WebsocketThreadRealtimeStartTransport(WireModel):
    type: Literal["websocket"]


class WebrtcThreadRealtimeStartTransport(WireModel):
    sdp: Annotated[
        str,
        Field(
            description="SDP offer generated by a WebRTC RTCPeerConnection after configuring audio and the realtime events data channel."
        ),
    ]
    type: Literal["webrtc"]


class ExistingCallThreadRealtimeStartTransport(WireModel):
    call_id: Annotated[
        str,
        Field(
            alias="callId",
            description="Identifier of a realtime call already created and negotiated by the client.",
        ),
    ]
    type: Literal["existingCall"]


ThreadRealtimeStartTransport = TypeAliasType(
    "ThreadRealtimeStartTransport",
    Annotated[
        WebsocketThreadRealtimeStartTransport | WebrtcThreadRealtimeStartTransport | ExistingCallThreadRealtimeStartTransport,
        Field(
            description="EXPERIMENTAL - transport used by thread realtime.",
            discriminator="type",
        ),
    ],
)


class ThreadRealtimeStartedNotification(WireModel):
    realtime_session_id: Annotated[str | None, Field(alias="realtimeSessionId")] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    version: RealtimeConversationVersion


class ThreadRealtimeStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/started"]
    params: ThreadRealtimeStartedNotification


class ThreadRealtimeStopParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeStopResponse(WireModel):
    pass


class ThreadRealtimeTranscriptDeltaNotification(WireModel):
    delta: Annotated[
        str, Field(description="Live transcript delta from the realtime event.")
    ]
    role: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeTranscriptDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/transcript/delta"]
    params: ThreadRealtimeTranscriptDeltaNotification


class ThreadRealtimeTranscriptDoneNotification(WireModel):
    role: str
    text: Annotated[
        str, Field(description="Final complete text for the transcript part.")
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeTranscriptDoneServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/transcript/done"]
    params: ThreadRealtimeTranscriptDoneNotification


ThreadRealtimeTranscriptRole = TypeAliasType("ThreadRealtimeTranscriptRole", Literal["user", "assistant"])


class ThreadRevertParams(WireModel):
    before_turn_id: Annotated[
        str,
        Field(
            alias="beforeTurnId",
            description="Turn excluded from the replacement history, together with every later turn.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRevertedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRevertedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/reverted"]
    params: ThreadRevertedNotification


class ThreadSearchOccurrencesParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(
            description="Opaque cursor returned by a previous call for the same thread and search term."
        ),
    ] = None
    limit: Annotated[
        int | None, Field(description="Optional occurrence page size.", ge=0)
    ] = None
    search_term: Annotated[
        str,
        Field(
            alias="searchTerm",
            description="Case-insensitive literal substring to find in visible user messages and both partial and final assistant answers.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]


ThreadSearchSortKey = TypeAliasType("ThreadSearchSortKey", Literal["created_at", "updated_at", "recency_at"])


class ThreadSearchTextRange(WireModel):
    end: Annotated[int, Field(description="Exclusive UTF-16 code-unit offset.", ge=0)]
    start: Annotated[int, Field(description="Inclusive UTF-16 code-unit offset.", ge=0)]


class ThreadSectionAppearance(WireModel):
    color: str | None = None
    icon: str | None = None


class ThreadSectionCreateParams(WireModel):
    appearance: ThreadSectionAppearance | None = None
    name: Annotated[str, Field(description="The user-visible name of the section.")]


class ThreadSectionDeleteParams(WireModel):
    section_id: Annotated[
        str,
        Field(
            alias="sectionId",
            description="The stable, server-generated identity of the section to delete.",
        ),
    ]


class ThreadSectionDeleteResponse(WireModel):
    pass


class ThreadSectionListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[
        int | None, Field(description="Maximum number of sections to return.", ge=0)
    ] = None


class ThreadSectionMoveParams(WireModel):
    before_thread_id: Annotated[
        str | None,
        Field(
            alias="beforeThreadId",
            description="Existing thread to insert before; omission or null appends to the section.",
        ),
    ] = None
    section_id: Annotated[
        str | None,
        Field(
            alias="sectionId",
            description="Destination section, or `null` to remove the thread from its section.",
        ),
    ]
    thread_id: Annotated[
        str,
        Field(
            alias="threadId",
            description="Thread to move into, within, or out of a section.",
        ),
    ]


class ThreadSectionMoveResponse(WireModel):
    pass


class ThreadSectionUpdateParams(WireModel):
    appearance: Annotated[
        ThreadSectionAppearance | None,
        Field(
            description="Omit to preserve appearance, use `null` to clear it, or provide a replacement."
        ),
    ] = None
    name: Annotated[
        str, Field(description="The updated user-visible name of the section.")
    ]
    section_id: Annotated[
        str,
        Field(
            alias="sectionId",
            description="The stable, server-generated identity of the section to update.",
        ),
    ]


class ThreadSetNameParams(WireModel):
    name: str
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadSetNameResponse(WireModel):
    pass


class ThreadSettingsUpdateResponse(WireModel):
    pass


class ThreadShellCommandParams(WireModel):
    command: Annotated[
        str,
        Field(
            description="Shell command string evaluated by the thread's configured shell. Unlike `command/exec`, this intentionally preserves shell syntax such as pipes, redirects, and quoting. This runs unsandboxed with full access rather than inheriting the thread sandbox policy."
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    timeout_ms: Annotated[
        int | None,
        Field(
            alias="timeoutMs",
            description="Maximum execution time in milliseconds. Defaults to one hour when omitted or null. Must be non-negative; zero requests an immediate timeout, not unlimited execution. Does not affect the immediate RPC acknowledgement.",
        ),
    ] = None


class ThreadShellCommandResponse(WireModel):
    pass


ThreadSortKey = TypeAliasType("ThreadSortKey", Literal["created_at", "updated_at", "recency_at", "section_position"])


ThreadSource = TypeAliasType("ThreadSource", str)


ThreadSourceKind = TypeAliasType("ThreadSourceKind", Literal["cli", "vscode", "exec", "appServer", "subAgent", "subAgentReview", "subAgentCompact", "subAgentThreadSpawn", "subAgentOther", "unknown"])


ThreadStartSource = TypeAliasType("ThreadStartSource", Literal["startup", "clear"])


class NotLoadedThreadStatus(WireModel):
    type: Literal["notLoaded"]


class IdleThreadStatus(WireModel):
    type: Literal["idle"]


class SystemErrorThreadStatus(WireModel):
    type: Literal["systemError"]


class ActiveThreadStatus(WireModel):
    active_flags: Annotated[list[ThreadActiveFlag], Field(alias="activeFlags")]
    type: Literal["active"]


ThreadStatus = TypeAliasType(
    "ThreadStatus",
    Annotated[
        NotLoadedThreadStatus | IdleThreadStatus | SystemErrorThreadStatus | ActiveThreadStatus,
        Field(discriminator="type"),
    ],
)


class ThreadStatusChangedNotification(WireModel):
    status: ThreadStatus
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadStatusChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/status/changed"]
    params: ThreadStatusChangedNotification


class TurnStartedThreadTimelineEntry(WireModel):
    position: Annotated[int, Field(ge=0)]
    started_at: int | None = None
    turn_id: str
    type: Literal["turnStarted"]


class ThreadTimelineListParams(WireModel):
    cursor: str | None = None
    limit: Annotated[int | None, Field(ge=0)] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadUnarchiveParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadUnarchivedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadUnarchivedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/unarchived"]
    params: ThreadUnarchivedNotification


class ThreadStartThreadUnreadPosition(WireModel):
    type: Literal["threadStart"]


class TurnThreadUnreadPosition(WireModel):
    turn_id: Annotated[str, Field(alias="turnId")]
    type: Literal["turn"]


ThreadUnreadPosition = TypeAliasType(
    "ThreadUnreadPosition",
    Annotated[
        ThreadStartThreadUnreadPosition | TurnThreadUnreadPosition,
        Field(discriminator="type"),
    ],
)


class ThreadUnsubscribeParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]


ThreadUnsubscribeStatus = TypeAliasType("ThreadUnsubscribeStatus", Literal["notLoaded", "notSubscribed", "unsubscribed"])


class ThreadUsageBreakdownGroup(WireModel):
    cached_input_tokens: Annotated[int | None, Field(alias="cachedInputTokens")] = None
    estimated_usage_credits_micros: Annotated[
        int, Field(alias="estimatedUsageCreditsMicros")
    ]
    input_tokens: Annotated[int | None, Field(alias="inputTokens")] = None
    model: str | None = None
    net_new_input_tokens: Annotated[int | None, Field(alias="netNewInputTokens")] = None
    output_tokens: Annotated[int | None, Field(alias="outputTokens")] = None
    reasoning_effort: Annotated[str | None, Field(alias="reasoningEffort")] = None
    speed: str | None = None
    total_tokens: Annotated[int | None, Field(alias="totalTokens")] = None


class TokenUsageBreakdown(WireModel):
    cache_write_input_tokens: Annotated[int, Field(alias="cacheWriteInputTokens")] = 0
    cached_input_tokens: Annotated[int, Field(alias="cachedInputTokens")]
    input_tokens: Annotated[int, Field(alias="inputTokens")]
    output_tokens: Annotated[int, Field(alias="outputTokens")]
    reasoning_output_tokens: Annotated[int, Field(alias="reasoningOutputTokens")]
    total_tokens: Annotated[int, Field(alias="totalTokens")]


class Tool(WireModel):
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    annotations: Any | None = None
    description: str | None = None
    icons: list[Any] | None = None
    input_schema: Annotated[Any, Field(alias="inputSchema")]
    name: str
    output_schema: Annotated[Any | None, Field(alias="outputSchema")] = None
    title: str | None = None


ToolExposureSurface = TypeAliasType(
    "ToolExposureSurface",
    Annotated[
        Literal["code_mode"] | Literal["deferred"] | Literal["direct"],
        Field(description="A model-facing surface on which a tool can be exposed."),
    ],
)


class ToolRequestUserInputAnswer(WireModel):
    answers: list[str]


class ToolRequestUserInputOption(WireModel):
    description: str
    label: str


class ToolRequestUserInputQuestion(WireModel):
    header: str
    id: str
    is_other: Annotated[bool, Field(alias="isOther")] = False
    is_secret: Annotated[bool, Field(alias="isSecret")] = False
    options: list[ToolRequestUserInputOption] | None = None
    question: str


class ToolRequestUserInputResponse(WireModel):
    answers: dict[str, ToolRequestUserInputAnswer]


class TurnDiffUpdatedNotification(WireModel):
    diff: str
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class TurnDiffUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["turn/diff/updated"]
    params: TurnDiffUpdatedNotification


class TurnEnvironmentParams(WireModel):
    cwd: LegacyAppPathString
    environment_id: Annotated[str, Field(alias="environmentId")]
    runtime_workspace_roots: Annotated[
        list[LegacyAppPathString] | None,
        Field(
            alias="runtimeWorkspaceRoots",
            description="Environment-native runtime workspace roots. Omitted defaults to `cwd`.",
        ),
    ] = None


class TurnInterruptParams(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class TurnInterruptResponse(WireModel):
    pass


TurnItemsView = TypeAliasType("TurnItemsView", Literal["notLoaded"] | Literal["summary"] | Literal["full"])


class TurnModerationMetadataNotification(WireModel):
    metadata: Any
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class TurnModerationMetadataServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["turn/moderationMetadata"]
    params: TurnModerationMetadataNotification


TurnPlanStepStatus = TypeAliasType("TurnPlanStepStatus", Literal["pending", "inProgress", "completed"])


class TurnSettingsUpdateParams(WireModel):
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Changes the active turn's reviewer without changing future thread settings. Already captured steps and pending approvals retain their original reviewer.",
        ),
    ] = None
    effort: Annotated[
        ReasoningEffort | None,
        Field(description="Omission or `null` leaves the effort unchanged."),
    ] = None
    model: Annotated[
        str | None, Field(description="Omission or `null` leaves the model unchanged.")
    ] = None
    service_tier: Annotated[
        str | None,
        Field(
            alias="serviceTier",
            description="`null` clears the requested tier; omission leaves it unchanged.",
        ),
    ] = None
    summary: Annotated[
        ReasoningSummary | None,
        Field(
            description="Omission or `null` leaves the summary preference unchanged."
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


TurnSettingsUpdateStatus = TypeAliasType("TurnSettingsUpdateStatus", Literal["applied"] | Literal["targetUnavailable"])


TurnStatus = TypeAliasType("TurnStatus", Literal["completed", "interrupted", "failed", "inProgress"])


class TurnSteerResponse(WireModel):
    turn_id: Annotated[str, Field(alias="turnId")]


class TextUserInput(WireModel):
    text: str
    text_elements: Annotated[
        list[TextElement],
        Field(
            description="UI-defined spans within `text` used to render or persist special elements.",
            validate_default=True,
        ),
    ] = []
    type: Literal["text"]


class UrlUserInput(WireModel):
    detail: ImageDetail | None = None
    type: Literal["image"]
    url: str


class FileIdUserInput(WireModel):
    detail: ImageDetail | None = None
    type: Literal["image"]
    file_id: Annotated[str, Field(alias="fileId")]


ImageUserInput = TypeAliasType(
    "ImageUserInput",
    Annotated[
        UrlUserInput | FileIdUserInput, Field(title="ImageUserInput")
    ],
)


class LocalImageUserInput(WireModel):
    detail: ImageDetail | None = None
    path: str
    type: Literal["localImage"]


class AudioUserInput(WireModel):
    type: Literal["audio"]
    url: str


class LocalAudioUserInput(WireModel):
    path: str
    type: Literal["localAudio"]


class SkillUserInput(WireModel):
    name: str
    path: str
    type: Literal["skill"]


class MentionUserInput(WireModel):
    name: str
    path: str
    type: Literal["mention"]


UserInput = TypeAliasType(
    "UserInput",
    Annotated[
        TextUserInput | ImageUserInput | LocalImageUserInput | AudioUserInput | LocalAudioUserInput | SkillUserInput | MentionUserInput,
        Field(discriminator="type"),
    ],
)


class UserVerificationCancelParams(WireModel):
    request_id: Annotated[RequestId, Field(alias="requestId")]


class UserVerificationCancelResponse(WireModel):
    pass


UserVerificationCancellationReason = TypeAliasType("UserVerificationCancellationReason", Literal["userCancelled", "interrupted"])


class UserVerificationDeleteParams(WireModel):
    pass


class UserVerificationDeleteResponse(WireModel):
    pass


class UserVerificationEnrollParams(WireModel):
    pass


class UserVerificationEnrollResponse(WireModel):
    algorithm: str | None = None
    credential_id: Annotated[str, Field(alias="credentialId")]
    public_key: Annotated[
        str | None,
        Field(
            alias="publicKey",
            description="Unpadded base64url of the SubjectPublicKeyInfo DER encoding.",
        ),
    ] = None


class CancelledUserVerificationErrorDetails(WireModel):
    reason: UserVerificationCancellationReason
    type: Literal["cancelled"]


UserVerificationFailureReason = TypeAliasType("UserVerificationFailureReason", Literal["authenticationFailed", "timeout", "providerError", "serviceError"])


UserVerificationInvalidRequestReason = TypeAliasType("UserVerificationInvalidRequestReason", Literal["invalidParams"])


class UserVerificationProof(WireModel):
    credential_id: Annotated[str, Field(alias="credentialId")]
    signature: Annotated[
        str,
        Field(
            description="Unpadded base64url DER ECDSA signature using P-256 and SHA-256."
        ),
    ]


class UserVerificationStatusParams(WireModel):
    pass


UserVerificationUnavailableReason = TypeAliasType("UserVerificationUnavailableReason", Literal["credentialMissing", "biometricsUnavailable", "providerUnavailable"])


class UserVerificationVerifyParams(WireModel):
    challenge: Annotated[
        str, Field(description="Unpadded base64url encoding of 1–4096 challenge bytes.")
    ]
    description: Annotated[
        str, Field(description="Additional display context; at most 4096 UTF-8 bytes.")
    ]
    title: Annotated[
        str,
        Field(
            description="Display context already approved by the UI; 1–256 UTF-8 bytes."
        ),
    ]


class UserVerificationVerifyResponse(WireModel):
    proof: UserVerificationProof


Verbosity = TypeAliasType(
    "Verbosity",
    Annotated[
        Literal["low", "medium", "high"],
        Field(
            description="Controls output length/detail on GPT-5 models via the Responses API. Serialized with lowercase values to match the OpenAI API."
        ),
    ],
)


class W3cTraceContext(WireModel):
    traceparent: str | None = None
    tracestate: str | None = None


class WarningNotification(WireModel):
    message: Annotated[str, Field(description="Concise warning message for the user.")]
    thread_id: Annotated[
        str | None,
        Field(
            alias="threadId",
            description="Optional thread target when the warning applies to a specific thread.",
        ),
    ] = None


class WarningServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["warning"]
    params: WarningNotification


class SearchWebSearchAction(WireModel):
    queries: list[str] | None = None
    query: str | None = None
    type: Literal["search"]


class OpenPageWebSearchAction(WireModel):
    type: Literal["openPage"]
    url: str | None = None


class FindInPageWebSearchAction(WireModel):
    pattern: str | None = None
    type: Literal["findInPage"]
    url: str | None = None


class OtherWebSearchAction(WireModel):
    type: Literal["other"]


WebSearchAction = TypeAliasType(
    "WebSearchAction",
    Annotated[
        SearchWebSearchAction | OpenPageWebSearchAction | FindInPageWebSearchAction | OtherWebSearchAction,
        Field(discriminator="type"),
    ],
)


WebSearchContextSize = TypeAliasType("WebSearchContextSize", Literal["low", "medium", "high"])


class WebSearchLocation(WireModel):
    city: str | None = None
    country: str | None = None
    region: str | None = None
    timezone: str | None = None


WebSearchMode = TypeAliasType("WebSearchMode", Literal["disabled", "cached", "indexed", "live"])


class WebSearchToolConfig(WireModel):
    allowed_domains: list[str] | None = None
    context_size: WebSearchContextSize | None = None
    location: WebSearchLocation | None = None


WindowsSandboxImplementation = TypeAliasType("WindowsSandboxImplementation", Literal["elevated", "unelevated", "mxc"])


WindowsSandboxReadiness = TypeAliasType("WindowsSandboxReadiness", Literal["ready", "notConfigured", "updateRequired"])


class WindowsSandboxReadinessClientRequest(WireModel):
    id: RequestId
    method: Literal["windowsSandbox/readiness"]
    params: Annotated[None, Field(None)] = None


class WindowsSandboxReadinessResponse(WireModel):
    status: WindowsSandboxReadiness


WindowsSandboxSetupMode = TypeAliasType("WindowsSandboxSetupMode", Literal["elevated", "unelevated"])


class WindowsSandboxSetupStartParams(WireModel):
    cwd: AbsolutePathBuf | None = None
    mode: WindowsSandboxSetupMode


class WindowsSandboxSetupStartResponse(WireModel):
    started: bool


class WindowsWorldWritableWarningNotification(WireModel):
    extra_count: Annotated[int, Field(alias="extraCount", ge=0)]
    failed_scan: Annotated[bool, Field(alias="failedScan")]
    sample_paths: Annotated[list[str], Field(alias="samplePaths")]


class WindowsWorldWritableWarningServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["windows/worldWritableWarning"]
    params: WindowsWorldWritableWarningNotification


WorkspaceMessageType = TypeAliasType("WorkspaceMessageType", Literal["headline", "announcement", "unknown"])


class WorkspaceRouting(WireModel):
    account_routing_override: Annotated[
        AccountRoutingOverride, Field(alias="accountRoutingOverride")
    ]
    backend_origin: Annotated[str, Field(alias="backendOrigin")]
    chatgpt_account_id: Annotated[str, Field(alias="chatgptAccountId")]


WriteStatus = TypeAliasType("WriteStatus", Literal["ok", "okOverridden"])


class ChatgptAccount(WireModel):
    email: str | None
    plan_type: Annotated[PlanType, Field(alias="planType")]
    type: Literal["chatgpt"]


Account = TypeAliasType(
    "Account",
    Annotated[
        ApiKeyAccount | ChatgptAccount | AmazonBedrockAccount,
        Field(discriminator="type"),
    ],
)


class AccountBedrockCheckGovCloudRequirementsClientRequest(WireModel):
    id: RequestId
    method: Literal["account/bedrock/checkGovCloudRequirements"]
    params: BedrockCheckGovCloudRequirementsParams


class AccountBedrockDiscoverClientRequest(WireModel):
    id: RequestId
    method: Literal["account/bedrock/discover"]
    params: BedrockDiscoverParams


class AccountBedrockSetupClientRequest(WireModel):
    id: RequestId
    method: Literal["account/bedrock/setup"]
    params: BedrockSetupParams


class AccountGatewayOAuthCancelClientRequest(WireModel):
    id: RequestId
    method: Literal["account/gatewayOAuth/cancel"]
    params: Annotated[None, Field(None)] = None


class AccountGatewayOAuthLoginClientRequest(WireModel):
    id: RequestId
    method: Literal["account/gatewayOAuth/login"]
    params: Annotated[None, Field(None)] = None


class AccountGatewayOAuthReadClientRequest(WireModel):
    id: RequestId
    method: Literal["account/gatewayOAuth/read"]
    params: Annotated[None, Field(None)] = None


class AccountLoginCancelClientRequest(WireModel):
    id: RequestId
    method: Literal["account/login/cancel"]
    params: CancelLoginAccountParams


class AccountLoginCompletedNotification(WireModel):
    error: str | None = None
    login_id: Annotated[str | None, Field(alias="loginId")] = None
    onboarding_entrypoint: Annotated[
        DesktopOnboardingEntrypoint | None, Field(alias="onboardingEntrypoint")
    ] = None
    success: bool


class AccountLoginCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["account/login/completed"]
    params: AccountLoginCompletedNotification


class AccountLogoutClientRequest(WireModel):
    id: RequestId
    method: Literal["account/logout"]
    params: Annotated[None, Field(None)] = None


class AccountRateLimitResetCreditConsumeClientRequest(WireModel):
    id: RequestId
    method: Literal["account/rateLimitResetCredit/consume"]
    params: ConsumeAccountRateLimitResetCreditParams


class AccountRateLimitsReadClientRequest(WireModel):
    id: RequestId
    method: Literal["account/rateLimits/read"]
    params: GetAccountRateLimitsParams | None = None


class AccountReadClientRequest(WireModel):
    id: RequestId
    method: Literal["account/read"]
    params: GetAccountParams


class AccountSendAddCreditsNudgeEmailClientRequest(WireModel):
    id: RequestId
    method: Literal["account/sendAddCreditsNudgeEmail"]
    params: SendAddCreditsNudgeEmailParams


class AccountUpdatedNotification(WireModel):
    auth_mode: Annotated[AuthMode | None, Field(alias="authMode")] = None
    plan_type: Annotated[PlanType | None, Field(alias="planType")] = None


class AccountUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["account/updated"]
    params: AccountUpdatedNotification


class AccountUsageReadClientRequest(WireModel):
    id: RequestId
    method: Literal["account/usage/read"]
    params: GetAccountTokenUsageParams | None = None


class AccountWorkspaceMessagesReadClientRequest(WireModel):
    id: RequestId
    method: Literal["account/workspaceMessages/read"]
    params: Annotated[None, Field(None)] = None


class AdditionalContextEntry(WireModel):
    kind: AdditionalContextKind
    value: str


class AppConfig(WireModel):
    approvals_reviewer: ApprovalsReviewer | None = None
    default_tools_approval_mode: AppToolApproval | None = None
    default_tools_enabled: bool | None = None
    destructive_enabled: bool | None = None
    enabled: bool = True
    links: Annotated[
        AppLinksConfig | None,
        Field(description="Per-account approval settings keyed by link ID."),
    ] = None
    omit_tools_from: Annotated[
        list[ToolExposureSurface] | None,
        Field(
            description="Additional model-facing surfaces omitted for this connector's tools."
        ),
    ] = None
    open_world_enabled: bool | None = None
    tools: AppToolsConfig | None = None


class AppInstalledClientRequest(WireModel):
    id: RequestId
    method: Literal["app/installed"]
    params: AppsInstalledParams


class AppLinkConfig(WireModel):
    approvals_reviewer: ApprovalsReviewer | None = None
    default_tools_approval_mode: AppToolApproval | None = None


class AppListClientRequest(WireModel):
    id: RequestId
    method: Literal["app/list"]
    params: AppsListParams


class AppMetadata(WireModel):
    categories: list[str] | None = None
    developer: str | None = None
    first_party_requires_install: Annotated[
        bool | None, Field(alias="firstPartyRequiresInstall")
    ] = None
    review: AppReview | None = None
    screenshots: list[AppScreenshot] | None = None
    seo_description: Annotated[str | None, Field(alias="seoDescription")] = None
    show_in_composer_when_unlinked: Annotated[
        bool | None, Field(alias="showInComposerWhenUnlinked")
    ] = None
    sub_categories: Annotated[list[str] | None, Field(alias="subCategories")] = None
    version: str | None = None
    version_id: Annotated[str | None, Field(alias="versionId")] = None
    version_notes: Annotated[str | None, Field(alias="versionNotes")] = None


class AppReadClientRequest(WireModel):
    id: RequestId
    method: Literal["app/read"]
    params: AppsReadParams


class AppTemplateSummary(WireModel):
    canonical_connector_id: Annotated[
        str | None, Field(alias="canonicalConnectorId")
    ] = None
    category: str | None = None
    description: str | None = None
    logo_url: Annotated[str | None, Field(alias="logoUrl")] = None
    logo_url_dark: Annotated[str | None, Field(alias="logoUrlDark")] = None
    materialized_app_ids: Annotated[list[str], Field(alias="materializedAppIds")]
    name: str
    reason: AppTemplateUnavailableReason | None = None
    template_id: Annotated[str, Field(alias="templateId")]


class ApplicationNetworkRequirements(WireModel):
    domains: dict[str, NetworkDomainPermission]
    enabled: Annotated[
        bool,
        Field(
            description="When enabled, only explicitly allowed exact domains may be contacted."
        ),
    ]


class ApplicationRequirements(WireModel):
    network: ApplicationNetworkRequirements | None = None


class ApplyPatchApprovalParams(WireModel):
    call_id: Annotated[
        str,
        Field(
            alias="callId",
            description="Use to correlate this with [codex_protocol::protocol::PatchApplyBeginEvent] and [codex_protocol::protocol::PatchApplyEndEvent].",
        ),
    ]
    conversation_id: Annotated[ThreadId, Field(alias="conversationId")]
    file_changes: Annotated[dict[str, FileChange], Field(alias="fileChanges")]
    grant_root: Annotated[
        str | None,
        Field(
            alias="grantRoot",
            description="When set, the agent is asking the user to allow writes under this root for the remainder of the session (unclear if this is honored today).",
        ),
    ] = None
    reason: Annotated[
        str | None,
        Field(
            description="Optional explanatory reason (e.g. request for extra write access)."
        ),
    ] = None


class ApplyPatchApprovalServerRequest(WireModel):
    id: RequestId
    method: Literal["applyPatchApproval"]
    params: ApplyPatchApprovalParams


class AppsConfig(WireModel):
    field_default: Annotated[AppsDefaultConfig | None, Field(alias="_default")] = None


class AppsInstalledResponse(WireModel):
    apps: list[InstalledApp]


class AppsReadResponse(WireModel):
    apps: list[ConnectorMetadata]
    missing_app_ids: Annotated[list[str], Field(alias="missingAppIds")]


class AttestationGenerateServerRequest(WireModel):
    id: RequestId
    method: Literal["attestation/generate"]
    params: AttestationGenerateParams


class AutoApprovalReviewStrictReviewRequiredServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["autoApprovalReview/strictReviewRequired"]
    params: StrictReviewRequiredNotification


class BedrockDiscoverResponse(WireModel):
    environment_credentials: Annotated[
        list[BedrockEnvironmentCredential], Field(alias="environmentCredentials")
    ]
    profiles: list[BedrockAwsProfile]


class BrowserUseConfig(WireModel):
    allow_history_access: bool | None = None
    default_origin_policy: BrowserUseOriginPolicyConfig | None = None
    origins: dict[str, Any] | None = None


class BrowserUseExtensionRequirements(WireModel):
    request_headers: Annotated[
        list[RequestHeader] | None, Field(alias="requestHeaders")
    ] = None


class BrowserUseRequirements(WireModel):
    allow_global_persistent_approval: Annotated[
        bool | None, Field(alias="allowGlobalPersistentApproval")
    ] = None
    allow_history_access: Annotated[bool | None, Field(alias="allowHistoryAccess")] = (
        None
    )
    allow_webmcp: Annotated[bool | None, Field(alias="allowWebmcp")] = None
    default_origin_policy: Annotated[
        BrowserUseOriginPolicy | None, Field(alias="defaultOriginPolicy")
    ] = None
    disable_auto_review: Annotated[bool | None, Field(alias="disableAutoReview")] = None
    extension: BrowserUseExtensionRequirements | None = None
    origins: dict[str, Any] | None = None


class CancelLoginAccountResponse(WireModel):
    status: CancelLoginAccountStatus


class ChatgptAuthTokensRefreshParams(WireModel):
    previous_account_id: Annotated[
        str | None,
        Field(
            alias="previousAccountId",
            description="Workspace/account identifier that Codex was previously using.\n\nClients that manage multiple accounts/workspaces can use this as a hint to refresh the token for the correct workspace.\n\nThis may be `null` when the prior auth state did not include a workspace identifier (`chatgpt_account_id`).",
        ),
    ] = None
    reason: ChatgptAuthTokensRefreshReason


ClientNotification = TypeAliasType(
    "ClientNotification",
    Annotated[InitializedClientNotification, Field(title="ClientNotification")],
)


class ActiveTurnNotSteerable(WireModel):
    turn_kind: Annotated[NonSteerableTurnKind, Field(alias="turnKind")]


class ActiveTurnNotSteerableCodexErrorInfo(WireModel):
    active_turn_not_steerable: Annotated[
        ActiveTurnNotSteerable,
        Field(alias="activeTurnNotSteerable", title="ActiveTurnNotSteerable"),
    ]


CodexErrorInfo = TypeAliasType(
    "CodexErrorInfo",
    Annotated[
        Literal["contextWindowExceeded", "sessionBudgetExceeded", "usageLimitExceeded", "rateLimitExceeded", "flexUnavailable", "serverOverloaded", "cyberPolicy", "misalignmentPolicyViolation", "tooManyDenials", "internalServerError", "unauthorized", "badRequest", "threadRollbackFailed", "sandboxError", "other"] | HttpConnectionFailedCodexErrorInfo | ResponseStreamConnectionFailedCodexErrorInfo | ResponseStreamDisconnectedCodexErrorInfo | ResponseTooManyFailedAttemptsCodexErrorInfo | ActiveTurnNotSteerableCodexErrorInfo | str | dict[str, Any],
        Field(
            description="This translation layer make sure that we expose codex error code in camel case.\n\nWhen an upstream HTTP status is available (for example, from the Responses API or a provider), it is forwarded in `httpStatusCode` on the relevant `codexErrorInfo` variant."
        ),
    ],
)


class CollabAgentState(WireModel):
    message: str | None = None
    status: CollabAgentStatus


class CollaborationMode(WireModel):
    mode: ModeKind
    settings: Settings


class CollaborationModeListClientRequest(WireModel):
    id: RequestId
    method: Literal["collaborationMode/list"]
    params: CollaborationModeListParams


class CollaborationModeMask(WireModel):
    mode: ModeKind | None = None
    model: str | None = None
    name: str
    reasoning_effort: ReasoningEffort | None = None


class ReadCommandAction(WireModel):
    command: str
    name: str
    path: LegacyAppPathString
    type: Literal["read"]


CommandAction = TypeAliasType(
    "CommandAction",
    Annotated[
        ReadCommandAction | ListFilesCommandAction | SearchCommandAction | UnknownCommandAction,
        Field(discriminator="type"),
    ],
)


class CommandExecOutputDeltaNotification(WireModel):
    cap_reached: Annotated[
        bool,
        Field(
            alias="capReached",
            description="`true` on the final streamed chunk for a stream when `outputBytesCap` truncated later output on that stream.",
        ),
    ]
    delta_base64: Annotated[
        str, Field(alias="deltaBase64", description="Base64-encoded output bytes.")
    ]
    process_id: Annotated[
        str,
        Field(
            alias="processId",
            description="Client-supplied, connection-scoped `processId` from the original `command/exec` request.",
        ),
    ]
    stream: Annotated[
        CommandExecOutputStream, Field(description="Output stream for this chunk.")
    ]


class CommandExecOutputDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["command/exec/outputDelta"]
    params: CommandExecOutputDeltaNotification


class CommandExecParams(WireModel):
    command: Annotated[
        list[str], Field(description="Command argv vector. Empty arrays are rejected.")
    ]
    cwd: Annotated[
        str | None,
        Field(description="Optional working directory. Defaults to the server cwd."),
    ] = None
    disable_output_cap: Annotated[
        bool | None,
        Field(
            alias="disableOutputCap",
            description="Disable stdout/stderr capture truncation for this request.\n\nCannot be combined with `outputBytesCap`.",
        ),
    ] = None
    disable_timeout: Annotated[
        bool | None,
        Field(
            alias="disableTimeout",
            description="Disable the timeout entirely for this request.\n\nCannot be combined with `timeoutMs`.",
        ),
    ] = None
    env: Annotated[
        dict[str, Any] | None,
        Field(
            description="Optional environment overrides merged into the server-computed environment.\n\nMatching names override inherited values. Set a key to `null` to unset an inherited variable."
        ),
    ] = None
    output_bytes_cap: Annotated[
        int | None,
        Field(
            alias="outputBytesCap",
            description="Optional per-stream stdout/stderr capture cap in bytes.\n\nWhen omitted, the server default applies. Cannot be combined with `disableOutputCap`.",
            ge=0,
        ),
    ] = None
    permission_profile: Annotated[
        str | None,
        Field(
            alias="permissionProfile",
            description="Optional active permissions profile id for this command.\n\nDefaults to the user's configured permissions when omitted. Cannot be combined with `sandboxPolicy`.",
        ),
    ] = None
    process_id: Annotated[
        str | None,
        Field(
            alias="processId",
            description="Optional client-supplied, connection-scoped process id.\n\nRequired for `tty`, `streamStdin`, `streamStdoutStderr`, and follow-up `command/exec/write`, `command/exec/resize`, and `command/exec/terminate` calls. When omitted, buffered execution gets an internal id that is not exposed to the client.",
        ),
    ] = None
    sandbox_policy: Annotated[
        SandboxPolicy | None,
        Field(
            alias="sandboxPolicy",
            description="Optional sandbox policy for this command.\n\nUses the same shape as thread/turn execution sandbox configuration and defaults to the user's configured policy when omitted. Cannot be combined with `permissionProfile`.",
        ),
    ] = None
    size: Annotated[
        CommandExecTerminalSize | None,
        Field(
            description="Optional initial PTY size in character cells. Only valid when `tty` is true."
        ),
    ] = None
    stream_stdin: Annotated[
        bool | None,
        Field(
            alias="streamStdin",
            description="Allow follow-up `command/exec/write` requests to write stdin bytes.\n\nRequires a client-supplied `processId`.",
        ),
    ] = None
    stream_stdout_stderr: Annotated[
        bool | None,
        Field(
            alias="streamStdoutStderr",
            description="Stream stdout/stderr via `command/exec/outputDelta` notifications.\n\nStreamed bytes are not duplicated into the final response and require a client-supplied `processId`.",
        ),
    ] = None
    timeout_ms: Annotated[
        int | None,
        Field(
            alias="timeoutMs",
            description="Optional timeout in milliseconds.\n\nWhen omitted, the server default applies. Cannot be combined with `disableTimeout`.",
        ),
    ] = None
    tty: Annotated[
        bool | None,
        Field(
            description="Enable PTY mode.\n\nThis implies `streamStdin` and `streamStdoutStderr`."
        ),
    ] = None


class CommandExecResizeParams(WireModel):
    process_id: Annotated[
        str,
        Field(
            alias="processId",
            description="Client-supplied, connection-scoped `processId` from the original `command/exec` request.",
        ),
    ]
    size: Annotated[
        CommandExecTerminalSize, Field(description="New PTY size in character cells.")
    ]


class CommandExecTerminateClientRequest(WireModel):
    id: RequestId
    method: Literal["command/exec/terminate"]
    params: CommandExecTerminateParams


class CommandExecWriteClientRequest(WireModel):
    id: RequestId
    method: Literal["command/exec/write"]
    params: CommandExecWriteParams


class ComputerUseRequirements(WireModel):
    allow_locked_computer_use: Annotated[
        bool | None, Field(alias="allowLockedComputerUse")
    ] = None
    allow_persistent_approval: Annotated[
        bool | None, Field(alias="allowPersistentApproval")
    ] = None
    default_app_access: Annotated[
        AllowDenyRequirement | None, Field(alias="defaultAppAccess")
    ] = None
    macos: ComputerUseMacosRequirements | None = None
    windows: ComputerUseWindowsRequirements | None = None


class ComputerUseWindowsConfig(WireModel):
    aumids: dict[str, Any] | None = None
    exes: list[ComputerUseWindowsExeConfig] | None = None


class ConfigEdit(WireModel):
    key_path: Annotated[str, Field(alias="keyPath")]
    merge_strategy: Annotated[MergeStrategy, Field(alias="mergeStrategy")]
    value: Any


class ConfigLayer(WireModel):
    config: Any
    disabled_reason: Annotated[str | None, Field(alias="disabledReason")] = None
    name: ConfigLayerSource
    version: str


class ConfigLayerMetadata(WireModel):
    name: ConfigLayerSource
    version: str


class ConfigMcpServerReloadClientRequest(WireModel):
    id: RequestId
    method: Literal["config/mcpServer/reload"]
    params: Annotated[None, Field(None)] = None


class ConfigReadClientRequest(WireModel):
    id: RequestId
    method: Literal["config/read"]
    params: ConfigReadParams


class ConfigRequirementsReadClientRequest(WireModel):
    id: RequestId
    method: Literal["configRequirements/read"]
    params: Annotated[None, Field(None)] = None


class ConfigValueWriteParams(WireModel):
    expected_version: Annotated[str | None, Field(alias="expectedVersion")] = None
    file_path: Annotated[
        str | None,
        Field(
            alias="filePath",
            description="Path to the config file to write; defaults to the user's `config.toml` when omitted.",
        ),
    ] = None
    key_path: Annotated[str, Field(alias="keyPath")]
    merge_strategy: Annotated[MergeStrategy, Field(alias="mergeStrategy")]
    value: Any


class ConfigWarningNotification(WireModel):
    details: Annotated[
        str | None, Field(description="Optional extra guidance or error details.")
    ] = None
    path: Annotated[
        str | None,
        Field(
            description="Optional path to the config file that triggered the warning."
        ),
    ] = None
    range: Annotated[
        TextRange | None,
        Field(
            description="Optional range for the error location inside the config file."
        ),
    ] = None
    summary: Annotated[str, Field(description="Concise summary of the warning.")]


class ConfigWarningServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["configWarning"]
    params: ConfigWarningNotification


class ConfigurationReasoning(WireModel):
    effort: ReasoningEffort


class ImageUrlContentItem(WireModel):
    detail: ImageDetail | None = None
    type: Literal["input_image"]
    image_url: str


class FileIdContentItem(WireModel):
    detail: ImageDetail | None = None
    type: Literal["input_image"]
    file_id: str


InputImageContentItem = TypeAliasType(
    "InputImageContentItem",
    Annotated[
        ImageUrlContentItem | FileIdContentItem, Field(title="InputImageContentItem")
    ],
)


ContentItem = TypeAliasType(
    "ContentItem",
    Annotated[
        InputTextContentItem | InputImageContentItem | InputAudioContentItem | OutputTextContentItem,
        Field(discriminator="type"),
    ],
)


class CurrentTimeReadServerRequest(WireModel):
    id: RequestId
    method: Literal["currentTime/read"]
    params: CurrentTimeReadParams


class EnvironmentAddParams(WireModel):
    auth_bearer_token: Annotated[
        str | None,
        Field(
            alias="authBearerToken",
            description="Optional raw bearer token for executor authentication, including reconnects. Requires a secure transport or a loopback destination.",
        ),
    ] = None
    connect_timeout_ms: Annotated[
        int | None,
        Field(
            alias="connectTimeoutMs",
            description="Optional WebSocket connection timeout. The server default applies when omitted.",
            ge=0,
        ),
    ] = None
    environment_id: Annotated[str, Field(alias="environmentId")]
    exec_server_url: Annotated[str, Field(alias="execServerUrl")]
    skills: Annotated[
        EnvironmentSkillsParams | None,
        Field(
            description="Required skills supplied by this environment, checked before model inference."
        ),
    ] = None
    websocket_request_id: Annotated[
        str | None,
        Field(
            alias="websocketRequestId",
            description="Optional X-Request-ID for the direct WebSocket upgrade, including reconnects. Requires a secure transport or a loopback destination.",
        ),
    ] = None


class EnvironmentInfoClientRequest(WireModel):
    id: RequestId
    method: Literal["environment/info"]
    params: EnvironmentInfoParams


class EnvironmentInfoResponse(WireModel):
    cwd: Annotated[
        PathUri | None,
        Field(
            description="Default working directory reported by the environment, as a canonical file URI."
        ),
    ] = None
    shell: EnvironmentShellInfo


class EnvironmentStatusClientRequest(WireModel):
    id: RequestId
    method: Literal["environment/status"]
    params: EnvironmentStatusParams


class ExecCommandApprovalParams(WireModel):
    approval_id: Annotated[
        str | None,
        Field(
            alias="approvalId",
            description="Identifier for this specific approval callback.",
        ),
    ] = None
    call_id: Annotated[
        str,
        Field(
            alias="callId",
            description="Use to correlate this with [codex_protocol::protocol::ExecCommandBeginEvent] and [codex_protocol::protocol::ExecCommandEndEvent].",
        ),
    ]
    command: list[str]
    conversation_id: Annotated[ThreadId, Field(alias="conversationId")]
    cwd: str
    parsed_cmd: Annotated[list[ParsedCommand], Field(alias="parsedCmd")]
    reason: str | None = None


class ExecCommandApprovalServerRequest(WireModel):
    id: RequestId
    method: Literal["execCommandApproval"]
    params: ExecCommandApprovalParams


class ExperimentalFeature(WireModel):
    announcement: Annotated[
        str | None,
        Field(
            description="Announcement copy shown to users when the feature is introduced. Null when this feature is not in beta."
        ),
    ] = None
    default_enabled: Annotated[
        bool,
        Field(
            alias="defaultEnabled",
            description="Whether this feature is enabled by default.",
        ),
    ]
    description: Annotated[
        str | None,
        Field(
            description="Short summary describing what the feature does. Null when this feature is not in beta."
        ),
    ] = None
    display_name: Annotated[
        str | None,
        Field(
            alias="displayName",
            description="User-facing display name shown in the experimental features UI. Null when this feature is not in beta.",
        ),
    ] = None
    enabled: Annotated[
        bool,
        Field(
            description="Whether this feature is currently enabled in the loaded config."
        ),
    ]
    name: Annotated[
        str, Field(description="Stable key used in config.toml and CLI flag toggles.")
    ]
    stage: Annotated[
        ExperimentalFeatureStage,
        Field(description="Lifecycle stage of this feature flag."),
    ]


class ExperimentalFeatureEnablementSetClientRequest(WireModel):
    id: RequestId
    method: Literal["experimentalFeature/enablement/set"]
    params: ExperimentalFeatureEnablementSetParams


class ExperimentalFeatureListClientRequest(WireModel):
    id: RequestId
    method: Literal["experimentalFeature/list"]
    params: ExperimentalFeatureListParams


class ExperimentalFeatureListResponse(WireModel):
    data: list[ExperimentalFeature]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


class ExternalAgentConfigDetectClientRequest(WireModel):
    id: RequestId
    method: Literal["externalAgentConfig/detect"]
    params: ExternalAgentConfigDetectParams


class ExternalAgentConfigImportHistoryRecordSuccessParams(WireModel):
    cwd: str | None = None
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]
    source: str | None = None
    target: str | None = None
    title: Annotated[
        str | None,
        Field(description="Original title for an imported session, when available."),
    ] = None


class ExternalAgentConfigImportItemTypeFailure(WireModel):
    cwd: str | None = None
    error_type: Annotated[str | None, Field(alias="errorType")] = None
    failure_stage: Annotated[str, Field(alias="failureStage")]
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]
    message: str
    source: str | None = None
    sub_error_type: Annotated[str | None, Field(alias="subErrorType")] = None


class ExternalAgentConfigImportItemTypeSuccess(WireModel):
    cwd: str | None = None
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]
    source: str | None = None
    target: str | None = None
    title: Annotated[
        str | None,
        Field(
            description="Original title for an imported session; null for other item types."
        ),
    ] = None


class ExternalAgentConfigImportReadHistoriesClientRequest(WireModel):
    id: RequestId
    method: Literal["externalAgentConfig/import/readHistories"]
    params: Annotated[None, Field(None)] = None


class ExternalAgentConfigImportTypeResult(WireModel):
    failures: list[ExternalAgentConfigImportItemTypeFailure]
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]
    successes: list[ExternalAgentConfigImportItemTypeSuccess]


class ExternalAgentDetectedConnectorCandidate(WireModel):
    name: str
    session_count: Annotated[int, Field(alias="sessionCount", ge=0)]
    source: ExternalAgentDetectedConnectorSource


class ExternalAgentImportedConnectorCandidate(WireModel):
    name: str
    session_count: Annotated[int, Field(alias="sessionCount", ge=0)]
    source: ExternalAgentImportedConnectorSource


class FeedbackUploadClientRequest(WireModel):
    id: RequestId
    method: Literal["feedback/upload"]
    params: FeedbackUploadParams


class PathFileSystemPath(WireModel):
    path: LegacyAppPathString
    type: Literal["path"]


class KindFileSystemSpecialPath(WireModel):
    kind: Literal["project_roots"]
    subpath: LegacyAppPathString | None = None


class UnknownFileSystemSpecialPath(WireModel):
    kind: Literal["unknown"]
    path: str
    subpath: LegacyAppPathString | None = None


FileSystemSpecialPath = TypeAliasType(
    "FileSystemSpecialPath",
    Annotated[
        RootFileSystemSpecialPath | MinimalFileSystemSpecialPath | KindFileSystemSpecialPath | TmpdirFileSystemSpecialPath | SlashTmpFileSystemSpecialPath | UnknownFileSystemSpecialPath,
        Field(discriminator="kind"),
    ],
)


class FileUpdateChange(WireModel):
    diff: str
    kind: PatchChangeKind
    path: str


class FsCopyClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/copy"]
    params: FsCopyParams


class FsCreateDirectoryClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/createDirectory"]
    params: FsCreateDirectoryParams


class FsGetMetadataClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/getMetadata"]
    params: FsGetMetadataParams


class FsReadDirectoryClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/readDirectory"]
    params: FsReadDirectoryParams


class FsReadFileClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/readFile"]
    params: FsReadFileParams


class FsRemoveClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/remove"]
    params: FsRemoveParams


class FsUnwatchClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/unwatch"]
    params: FsUnwatchParams


class FsWatchClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/watch"]
    params: FsWatchParams


class FsWriteFileClientRequest(WireModel):
    id: RequestId
    method: Literal["fs/writeFile"]
    params: FsWriteFileParams


class ImageUrlFunctionCallOutputContentItem(WireModel):
    detail: ImageDetail | None = None
    type: Literal["input_image"]
    image_url: str


class FileIdFunctionCallOutputContentItem(WireModel):
    detail: ImageDetail | None = None
    type: Literal["input_image"]
    file_id: str


InputImageFunctionCallOutputContentItem = TypeAliasType(
    "InputImageFunctionCallOutputContentItem",
    Annotated[
        ImageUrlFunctionCallOutputContentItem | FileIdFunctionCallOutputContentItem,
        Field(
            description="Responses API compatible content items that can be returned by a tool call. This is a subset of ContentItem with the types we support as function call outputs.",
            title="InputImageFunctionCallOutputContentItem",
        ),
    ],
)


FunctionCallOutputContentItem = TypeAliasType(
    "FunctionCallOutputContentItem",
    Annotated[
        InputTextFunctionCallOutputContentItem | InputImageFunctionCallOutputContentItem | InputAudioFunctionCallOutputContentItem | EncryptedContentFunctionCallOutputContentItem,
        Field(
            description="Responses API compatible content items that can be returned by a tool call. This is a subset of ContentItem with the types we support as function call outputs.",
            discriminator="type",
        ),
    ],
)


class FuzzyFileSearchClientRequest(WireModel):
    id: RequestId
    method: Literal["fuzzyFileSearch"]
    params: FuzzyFileSearchParams


class FuzzyFileSearchResponse(WireModel):
    files: list[FuzzyFileSearchResult]


class FuzzyFileSearchSessionStartClientRequest(WireModel):
    id: RequestId
    method: Literal["fuzzyFileSearch/sessionStart"]
    params: FuzzyFileSearchSessionStartParams


class FuzzyFileSearchSessionStopClientRequest(WireModel):
    id: RequestId
    method: Literal["fuzzyFileSearch/sessionStop"]
    params: FuzzyFileSearchSessionStopParams


class FuzzyFileSearchSessionUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["fuzzyFileSearch/sessionUpdate"]
    params: FuzzyFileSearchSessionUpdateParams


class GatewayOAuthChangedNotification(WireModel):
    auth_url: Annotated[
        str | None,
        Field(
            alias="authUrl",
            description="Authorization handoff, sent only to the connection that started login.",
        ),
    ] = None
    error: str | None = None
    provider_id: Annotated[str, Field(alias="providerId")]
    status: GatewayOAuthStatus


class GatewayOAuthReadResponse(WireModel):
    error: str | None = None
    provider_id: Annotated[str, Field(alias="providerId")]
    provider_name: Annotated[str, Field(alias="providerName")]
    required: Annotated[
        bool,
        Field(
            description="Whether the selected provider uses gateway OAuth, even when already signed in."
        ),
    ]
    status: Annotated[
        GatewayOAuthStatus | None,
        Field(
            description="Null when the effective provider does not use gateway OAuth."
        ),
    ] = None


class GetAccountResponse(WireModel):
    account: Account | None = None
    requires_openai_auth: Annotated[bool, Field(alias="requiresOpenaiAuth")]
    workspace_routing: Annotated[
        WorkspaceRouting | None, Field(alias="workspaceRouting")
    ] = None


class GuardianApprovalReview(WireModel):
    rationale: str | None = None
    risk_level: Annotated[GuardianRiskLevel | None, Field(alias="riskLevel")] = None
    status: GuardianApprovalReviewStatus
    user_authorization: Annotated[
        GuardianUserAuthorization | None, Field(alias="userAuthorization")
    ] = None


class CommandGuardianApprovalReviewAction(WireModel):
    command: str
    cwd: LegacyAppPathString
    source: GuardianCommandSource
    type: Literal["command"]


class ExecveGuardianApprovalReviewAction(WireModel):
    argv: list[str]
    cwd: AbsolutePathBuf
    program: str
    source: GuardianCommandSource
    type: Literal["execve"]


class WriteStdinGuardianApprovalReviewAction(WireModel):
    approval_id: Annotated[str, Field(alias="approvalId")]
    cwd: LegacyAppPathString
    process_id: Annotated[str, Field(alias="processId")]
    stdin: str
    type: Literal["writeStdin"]


class ApplyPatchGuardianApprovalReviewAction(WireModel):
    cwd: LegacyAppPathString
    files: list[LegacyAppPathString]
    type: Literal["applyPatch"]


class NetworkAccessGuardianApprovalReviewAction(WireModel):
    host: str
    port: Annotated[int, Field(ge=0)]
    protocol: NetworkApprovalProtocol
    target: str
    type: Literal["networkAccess"]


class CommandHookMetadata(WireModel):
    additional_context_limit: Annotated[
        int | None,
        Field(
            alias="additionalContextLimit",
            description="Configured `additionalContext` spill threshold. `null` uses 2,500 tokens; `0` disables spilling.",
            ge=0,
        ),
    ] = None
    current_hash: Annotated[str, Field(alias="currentHash")]
    display_order: Annotated[int, Field(alias="displayOrder")]
    enabled: bool
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    is_managed: Annotated[bool, Field(alias="isManaged")]
    key: str
    matcher: str | None = None
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    source: HookSource
    source_path: Annotated[AbsolutePathBuf, Field(alias="sourcePath")]
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int, Field(alias="timeoutSec", ge=0)]
    trust_status: Annotated[HookTrustStatus, Field(alias="trustStatus")]
    async_: Annotated[bool, Field(alias="async")] = False
    command: str
    handler_type: Annotated[Literal["command"], Field(alias="handlerType")]


class McpToolHookMetadata(WireModel):
    additional_context_limit: Annotated[
        int | None,
        Field(
            alias="additionalContextLimit",
            description="Configured `additionalContext` spill threshold. `null` uses 2,500 tokens; `0` disables spilling.",
            ge=0,
        ),
    ] = None
    current_hash: Annotated[str, Field(alias="currentHash")]
    display_order: Annotated[int, Field(alias="displayOrder")]
    enabled: bool
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    is_managed: Annotated[bool, Field(alias="isManaged")]
    key: str
    matcher: str | None = None
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    source: HookSource
    source_path: Annotated[AbsolutePathBuf, Field(alias="sourcePath")]
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int, Field(alias="timeoutSec", ge=0)]
    trust_status: Annotated[HookTrustStatus, Field(alias="trustStatus")]
    handler_type: Annotated[Literal["mcpTool"], Field(alias="handlerType")]
    server: str
    tool: str


class PromptHookMetadata(WireModel):
    additional_context_limit: Annotated[
        int | None,
        Field(
            alias="additionalContextLimit",
            description="Configured `additionalContext` spill threshold. `null` uses 2,500 tokens; `0` disables spilling.",
            ge=0,
        ),
    ] = None
    current_hash: Annotated[str, Field(alias="currentHash")]
    display_order: Annotated[int, Field(alias="displayOrder")]
    enabled: bool
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    is_managed: Annotated[bool, Field(alias="isManaged")]
    key: str
    matcher: str | None = None
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    source: HookSource
    source_path: Annotated[AbsolutePathBuf, Field(alias="sourcePath")]
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int, Field(alias="timeoutSec", ge=0)]
    trust_status: Annotated[HookTrustStatus, Field(alias="trustStatus")]
    handler_type: Annotated[Literal["prompt"], Field(alias="handlerType")]


class AgentHookMetadata(WireModel):
    additional_context_limit: Annotated[
        int | None,
        Field(
            alias="additionalContextLimit",
            description="Configured `additionalContext` spill threshold. `null` uses 2,500 tokens; `0` disables spilling.",
            ge=0,
        ),
    ] = None
    current_hash: Annotated[str, Field(alias="currentHash")]
    display_order: Annotated[int, Field(alias="displayOrder")]
    enabled: bool
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    is_managed: Annotated[bool, Field(alias="isManaged")]
    key: str
    matcher: str | None = None
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    source: HookSource
    source_path: Annotated[AbsolutePathBuf, Field(alias="sourcePath")]
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None
    timeout_sec: Annotated[int, Field(alias="timeoutSec", ge=0)]
    trust_status: Annotated[HookTrustStatus, Field(alias="trustStatus")]
    handler_type: Annotated[Literal["agent"], Field(alias="handlerType")]


HookMetadata = TypeAliasType(
    "HookMetadata",
    Annotated[
        CommandHookMetadata | McpToolHookMetadata | PromptHookMetadata | AgentHookMetadata,
        Field(discriminator="handler_type"),
    ],
)


class HookOutputEntry(WireModel):
    kind: HookOutputEntryKind
    text: str


class HookRunSummary(WireModel):
    completed_at: Annotated[int | None, Field(alias="completedAt")] = None
    display_order: Annotated[int, Field(alias="displayOrder")]
    duration_ms: Annotated[int | None, Field(alias="durationMs")] = None
    entries: list[HookOutputEntry]
    event_name: Annotated[HookEventName, Field(alias="eventName")]
    execution_mode: Annotated[HookExecutionMode, Field(alias="executionMode")]
    handler_type: Annotated[HookHandlerType, Field(alias="handlerType")]
    id: str
    scope: HookScope
    source: HookSource = "unknown"
    source_path: Annotated[AbsolutePathBuf, Field(alias="sourcePath")]
    started_at: Annotated[int, Field(alias="startedAt")]
    status: HookRunStatus
    status_message: Annotated[str | None, Field(alias="statusMessage")] = None


class HookStartedNotification(WireModel):
    run: HookRunSummary
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str | None, Field(alias="turnId")] = None


class HookStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["hook/started"]
    params: HookStartedNotification


class HooksListClientRequest(WireModel):
    id: RequestId
    method: Literal["hooks/list"]
    params: HooksListParams


class HooksListEntry(WireModel):
    cwd: str
    errors: list[HookErrorInfo]
    hooks: list[HookMetadata]
    warnings: list[str]


class HooksListResponse(WireModel):
    data: list[HooksListEntry]


class InitializeClientRequest(WireModel):
    id: RequestId
    method: Literal["initialize"]
    params: InitializeParams


class ItemCommandExecutionTerminalInteractionServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/commandExecution/terminalInteraction"]
    params: TerminalInteractionNotification


class ItemFileChangeRequestApprovalServerRequest(WireModel):
    id: RequestId
    method: Literal["item/fileChange/requestApproval"]
    params: FileChangeRequestApprovalParams


class ItemMcpToolCallProgressServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/mcpToolCall/progress"]
    params: McpToolCallProgressNotification


class ItemPlanDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/plan/delta"]
    params: PlanDeltaNotification


class ItemReasoningSummaryPartAddedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/reasoning/summaryPartAdded"]
    params: ReasoningSummaryPartAddedNotification


class ItemReasoningSummaryTextDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/reasoning/summaryTextDelta"]
    params: ReasoningSummaryTextDeltaNotification


class ItemReasoningTextDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/reasoning/textDelta"]
    params: ReasoningTextDeltaNotification


class ItemToolCallServerRequest(WireModel):
    id: RequestId
    method: Literal["item/tool/call"]
    params: DynamicToolCallParams


class JSONRPCError(WireModel):
    error: JSONRPCErrorError
    id: RequestId


class JSONRPCRequest(WireModel):
    id: RequestId
    method: str
    params: Any | None = None
    trace: Annotated[
        W3cTraceContext | None,
        Field(description="Optional W3C Trace Context for distributed tracing."),
    ] = None


class JSONRPCResponse(WireModel):
    id: RequestId
    result: Any


class ListMcpServerStatusParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    detail: Annotated[
        McpServerStatusDetail | None,
        Field(
            description="Controls how much MCP inventory data to fetch for each server. Defaults to `Full` when omitted."
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a server-defined value.", ge=0
        ),
    ] = None
    server_name: Annotated[
        str | None,
        Field(
            alias="serverName",
            description="Limit discovery to one server. With a thread ID, reuse that thread's MCP connection.",
        ),
    ] = None
    thread_id: Annotated[str | None, Field(alias="threadId")] = None


class ChatgptLoginAccountParams(WireModel):
    app_brand: Annotated[LoginAppBrand | None, Field(alias="appBrand")] = None
    codex_streamlined_login: Annotated[
        bool | None, Field(alias="codexStreamlinedLogin")
    ] = None
    type: Literal["chatgpt"]
    use_hosted_login_success_page: Annotated[
        bool | None, Field(alias="useHostedLoginSuccessPage")
    ] = None


LoginAccountParams = TypeAliasType(
    "LoginAccountParams",
    Annotated[
        ApiKeyLoginAccountParams | ChatgptLoginAccountParams | ChatgptDeviceCodeLoginAccountParams | ChatgptAuthTokensLoginAccountParams | AmazonBedrockLoginAccountParams | AmazonBedrockAccessKeysLoginAccountParams,
        Field(discriminator="type", title="LoginAccountParams"),
    ],
)


class MarketplaceAddClientRequest(WireModel):
    id: RequestId
    method: Literal["marketplace/add"]
    params: MarketplaceAddParams


class MarketplaceRemoveClientRequest(WireModel):
    id: RequestId
    method: Literal["marketplace/remove"]
    params: MarketplaceRemoveParams


class MarketplaceUpgradeClientRequest(WireModel):
    id: RequestId
    method: Literal["marketplace/upgrade"]
    params: MarketplaceUpgradeParams


class McpElicitationBooleanSchema(WireModel):
    default: bool | None = None
    description: str | None = None
    title: str | None = None
    type: McpElicitationBooleanType


class McpElicitationLegacyTitledEnumSchema(WireModel):
    default: str | None = None
    description: str | None = None
    enum: list[str]
    enum_names: Annotated[list[str] | None, Field(alias="enumNames")] = None
    title: str | None = None
    type: McpElicitationStringType


McpElicitationMultiSelectEnumSchema = TypeAliasType("McpElicitationMultiSelectEnumSchema", McpElicitationUntitledMultiSelectEnumSchema | McpElicitationTitledMultiSelectEnumSchema)


class McpElicitationNumberSchema(WireModel):
    default: float | None = None
    description: str | None = None
    maximum: float | None = None
    minimum: float | None = None
    title: str | None = None
    type: McpElicitationNumberType


McpElicitationSingleSelectEnumSchema = TypeAliasType("McpElicitationSingleSelectEnumSchema", McpElicitationUntitledSingleSelectEnumSchema | McpElicitationTitledSingleSelectEnumSchema)


class McpElicitationStringSchema(WireModel):
    default: str | None = None
    description: str | None = None
    format: McpElicitationStringFormat | None = None
    max_length: Annotated[int | None, Field(alias="maxLength", ge=0)] = None
    min_length: Annotated[int | None, Field(alias="minLength", ge=0)] = None
    title: str | None = None
    type: McpElicitationStringType


class McpResourceReadParams(WireModel):
    connector_id: Annotated[str | None, Field(alias="connectorId")] = None
    origin_call_id: Annotated[
        str | None,
        Field(
            alias="originCallId",
            description="Originating MCP tool call used to select the resource's app.",
        ),
    ] = None
    server: str
    target: Annotated[
        McpResourceReadTarget | None,
        Field(
            description="Explicit hosted app/account. Omit to retain legacy resource discovery."
        ),
    ] = None
    thread_id: Annotated[str | None, Field(alias="threadId")] = None
    uri: str


class McpResourceReadResponse(WireModel):
    contents: list[ResourceContent]
    origin_call_id: Annotated[
        str | None,
        Field(
            alias="originCallId",
            description="Originating call when the server applied app-specific resource scoping.",
        ),
    ] = None


class McpServerEventStreamStartClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/event/stream/start"]
    params: McpServerEventStreamStartParams


class McpServerEventStreamStopClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/event/stream/stop"]
    params: McpServerEventStreamStopParams


class McpServerOauthLoginClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/oauth/login"]
    params: McpServerOauthLoginParams


class McpServerResourceReadClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/resource/read"]
    params: McpResourceReadParams


class McpServerStartupStatusUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["mcpServer/startupStatus/updated"]
    params: McpServerStatusUpdatedNotification


class McpServerStatus(WireModel):
    auth_status: Annotated[McpAuthStatus, Field(alias="authStatus")]
    http_origin: Annotated[
        str | None,
        Field(
            alias="httpOrigin",
            description="HTTP origin of the effective configured endpoint, including plugin servers. Excludes credentials, path, query, and fragment; null for non-HTTP transports.",
        ),
    ] = None
    name: str
    plugin_id: Annotated[str | None, Field(alias="pluginId")] = None
    resource_templates: Annotated[
        list[ResourceTemplate], Field(alias="resourceTemplates")
    ]
    resources: list[Resource]
    runtime_status: Annotated[
        McpServerConnectionStatus | None,
        Field(
            alias="runtimeStatus",
            description="Current thread-runtime connection state; null when unavailable or the configuration changed.",
        ),
    ] = None
    server_capabilities: Annotated[
        Any | None,
        Field(
            alias="serverCapabilities",
            description="Capabilities advertised by the initialized MCP server; null when unavailable.",
        ),
    ] = None
    server_info: Annotated[McpServerInfo | None, Field(alias="serverInfo")] = None
    tools: dict[str, Tool]
    tools_error: Annotated[
        str | None,
        Field(
            alias="toolsError",
            description="Tool discovery failed and no catalog was returned. Null when a catalog is returned, including cached or empty catalogs.",
        ),
    ] = None


class McpServerStatusListClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServerStatus/list"]
    params: ListMcpServerStatusParams


class McpServerToolCallClientRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/tool/call"]
    params: McpServerToolCallParams


class MemoryCitation(WireModel):
    entries: list[MemoryCitationEntry]
    thread_ids: Annotated[list[str], Field(alias="threadIds")]


class MemoryResetClientRequest(WireModel):
    id: RequestId
    method: Literal["memory/reset"]
    params: Annotated[None, Field(None)] = None


class MemoryStatusClientRequest(WireModel):
    id: RequestId
    method: Literal["memory/status"]
    params: MemoryStatusParams


class MigrationDetails(WireModel):
    commands: Annotated[list[CommandMigration], Field(validate_default=True)] = []
    hooks: Annotated[list[HookMigration], Field(validate_default=True)] = []
    mcp_servers: Annotated[
        list[McpServerMigration], Field(alias="mcpServers", validate_default=True)
    ] = []
    memory: list[str] | None = None
    plugins: Annotated[list[PluginsMigration], Field(validate_default=True)] = []
    sessions: Annotated[list[SessionMigration], Field(validate_default=True)] = []
    skills: Annotated[list[SkillMigration], Field(validate_default=True)] = []
    subagents: Annotated[list[SubagentMigration], Field(validate_default=True)] = []


class MisalignmentErrorDetails(WireModel):
    detailed_explanation: Annotated[
        str | None,
        Field(
            alias="detailedExplanation",
            description="A substantive localized explanation is required before offering continuation.",
        ),
    ] = None
    error_type: Annotated[
        str | None,
        Field(
            alias="errorType",
            description="Open-ended classification; clients must accept categories added by Responses.",
        ),
    ] = None
    review_target: Annotated[
        str | None,
        Field(
            alias="reviewTarget",
            description="Opaque server-issued block target. Presence alone does not enable target-based continuation.",
        ),
    ] = None
    steer: Annotated[
        MisalignmentSteer | None,
        Field(
            description="Instruction to submit as the next turn's user input if continuation is confirmed."
        ),
    ] = None


class MockExperimentalMethodClientRequest(WireModel):
    id: RequestId
    method: Literal["mock/experimentalMethod"]
    params: MockExperimentalMethodParams


class Model(WireModel):
    additional_speed_tiers: Annotated[
        list[str],
        Field(
            alias="additionalSpeedTiers",
            description="Deprecated: use `serviceTiers` instead.",
        ),
    ] = []
    availability_nux: Annotated[
        ModelAvailabilityNux | None, Field(alias="availabilityNux")
    ] = None
    available_access_programs: Annotated[
        ModelAccessPrograms | None,
        Field(
            alias="availableAccessPrograms",
            description="Null when the catalog does not provide access-program metadata.",
        ),
    ] = None
    default_reasoning_effort: Annotated[
        ReasoningEffort, Field(alias="defaultReasoningEffort")
    ]
    default_service_tier: Annotated[
        str | None,
        Field(
            alias="defaultServiceTier",
            description="Catalog default service tier id for this model, when one is configured.",
        ),
    ] = None
    description: str
    display_name: Annotated[str, Field(alias="displayName")]
    hidden: bool
    id: str
    input_modalities: Annotated[
        list[InputModality], Field(alias="inputModalities")
    ] = ["text", "image"]
    is_default: Annotated[bool, Field(alias="isDefault")]
    model: str
    model_specialty: Annotated[str | None, Field(alias="modelSpecialty")] = None
    multi_agent_version: Annotated[
        MultiAgentVersion | None,
        Field(
            alias="multiAgentVersion",
            description="Multi-agent runtime declared by this model, when available.",
        ),
    ] = None
    service_tiers: Annotated[
        list[ModelServiceTier], Field(alias="serviceTiers", validate_default=True)
    ] = []
    supported_reasoning_efforts: Annotated[
        list[ReasoningEffortOption], Field(alias="supportedReasoningEfforts")
    ]
    supports_personality: Annotated[
        bool,
        Field(
            alias="supportsPersonality",
            description="@deprecated Always false; models no longer support personality selection.",
        ),
    ] = False
    upgrade: str | None = None
    upgrade_info: Annotated[ModelUpgradeInfo | None, Field(alias="upgradeInfo")] = None


class ModelListClientRequest(WireModel):
    id: RequestId
    method: Literal["model/list"]
    params: ModelListParams


class ModelListResponse(WireModel):
    data: list[Model]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


class ModelProviderCapabilitiesReadClientRequest(WireModel):
    id: RequestId
    method: Literal["modelProvider/capabilities/read"]
    params: ModelProviderCapabilitiesReadParams


class NetworkApprovalContext(WireModel):
    host: str
    protocol: NetworkApprovalProtocol


class NetworkPolicyAmendment(WireModel):
    action: NetworkPolicyRuleAction
    host: str


class NewThreadModelDefaults(WireModel):
    model: str | None = None
    model_reasoning_effort: Annotated[
        ReasoningEffort | None, Field(alias="modelReasoningEffort")
    ] = None
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None


NullableRemoteControlDisableParams = TypeAliasType(
    "NullableRemoteControlDisableParams",
    Annotated[
        RemoteControlDisableParams | None,
        Field(title="Nullable_RemoteControlDisableParams"),
    ],
)


NullableRemoteControlEnableParams = TypeAliasType(
    "NullableRemoteControlEnableParams",
    Annotated[
        RemoteControlEnableParams | None,
        Field(title="Nullable_RemoteControlEnableParams"),
    ],
)


class OverriddenMetadata(WireModel):
    effective_value: Annotated[Any, Field(alias="effectiveValue")]
    message: str
    overriding_layer: Annotated[ConfigLayerMetadata, Field(alias="overridingLayer")]


class PermissionProfileListClientRequest(WireModel):
    id: RequestId
    method: Literal["permissionProfile/list"]
    params: PermissionProfileListParams


class PermissionProfileListResponse(WireModel):
    data: list[PermissionProfileSummary]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


class PluginInstallClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/install"]
    params: PluginInstallParams


class PluginInstalledClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/installed"]
    params: PluginInstalledParams


class PluginListClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/list"]
    params: PluginListParams


class PluginReadClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/read"]
    params: PluginReadParams


class PluginReconcileClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/reconcile"]
    params: PluginReconcileParams


class PluginSearchParams(WireModel):
    cursor: str | None = None
    cwds: list[AbsolutePathBuf] | None = None
    limit: Annotated[int | None, Field(ge=0)] = None
    scope: PluginSearchScope | None = None
    search_term: Annotated[str, Field(alias="searchTerm")]


class PluginShareCheckoutClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/share/checkout"]
    params: PluginShareCheckoutParams


class PluginShareDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/share/delete"]
    params: PluginShareDeleteParams


class PluginShareListClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/share/list"]
    params: PluginShareListParams


class PluginSharePrincipal(WireModel):
    name: str
    principal_id: Annotated[str, Field(alias="principalId")]
    principal_type: Annotated[PluginSharePrincipalType, Field(alias="principalType")]
    role: PluginSharePrincipalRole


class PluginShareTarget(WireModel):
    principal_id: Annotated[str, Field(alias="principalId")]
    principal_type: Annotated[PluginSharePrincipalType, Field(alias="principalType")]
    role: PluginShareTargetRole


class PluginShareUpdateTargetsParams(WireModel):
    discoverability: PluginShareUpdateDiscoverability
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]
    share_targets: Annotated[list[PluginShareTarget], Field(alias="shareTargets")]


class PluginShareUpdateTargetsResponse(WireModel):
    discoverability: PluginShareDiscoverability
    principals: list[PluginSharePrincipal]


class PluginSkillReadClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/skill/read"]
    params: PluginSkillReadParams


class PluginUninstallClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/uninstall"]
    params: PluginUninstallParams


class ProcessKillClientRequest(WireModel):
    id: RequestId
    method: Literal["process/kill"]
    params: ProcessKillParams


class ProcessOutputDeltaNotification(WireModel):
    cap_reached: Annotated[
        bool,
        Field(
            alias="capReached",
            description="True on the final streamed chunk for this stream when output was truncated by `outputBytesCap`.",
        ),
    ]
    delta_base64: Annotated[
        str, Field(alias="deltaBase64", description="Base64-encoded output bytes.")
    ]
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped `processHandle` from `process/spawn`.",
        ),
    ]
    stream: Annotated[
        ProcessOutputStream, Field(description="Output stream this chunk belongs to.")
    ]


class ProcessOutputDeltaServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["process/outputDelta"]
    params: ProcessOutputDeltaNotification


class ProcessResizePtyParams(WireModel):
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped `processHandle` from `process/spawn`.",
        ),
    ]
    size: Annotated[
        ProcessTerminalSize, Field(description="New PTY size in character cells.")
    ]


class ProcessSpawnParams(WireModel):
    command: Annotated[
        list[str], Field(description="Command argv vector. Empty arrays are rejected.")
    ]
    cwd: Annotated[
        AbsolutePathBuf,
        Field(description="Absolute working directory for the process."),
    ]
    env: Annotated[
        dict[str, Any] | None,
        Field(
            description="Optional environment overrides merged into the app-server process environment.\n\nMatching names override inherited values. Set a key to `null` to unset an inherited variable."
        ),
    ] = None
    output_bytes_cap: Annotated[
        int | None,
        Field(
            alias="outputBytesCap",
            description="Optional per-stream stdout/stderr capture cap in bytes.\n\nWhen omitted, the server default applies. Set to `null` to disable the cap.",
            ge=0,
        ),
    ] = None
    process_handle: Annotated[
        str,
        Field(
            alias="processHandle",
            description="Client-supplied, connection-scoped process handle.\n\nDuplicate active handles are rejected on the same connection. The same handle can be reused after the prior process exits.",
        ),
    ]
    size: Annotated[
        ProcessTerminalSize | None,
        Field(
            description="Optional initial PTY size in character cells. Only valid when `tty` is true."
        ),
    ] = None
    stream_stdin: Annotated[
        bool | None,
        Field(
            alias="streamStdin",
            description="Allow follow-up `process/writeStdin` requests to write stdin bytes.",
        ),
    ] = None
    stream_stdout_stderr: Annotated[
        bool | None,
        Field(
            alias="streamStdoutStderr",
            description="Stream stdout/stderr via `process/outputDelta` notifications.\n\nStreamed bytes are not duplicated into the `process/exited` notification.",
        ),
    ] = None
    timeout_ms: Annotated[
        int | None,
        Field(
            alias="timeoutMs",
            description="Optional timeout in milliseconds.\n\nWhen omitted, the server default applies. Set to `null` to disable the timeout.",
        ),
    ] = None
    tty: Annotated[
        bool | None,
        Field(
            description="Enable PTY mode.\n\nThis implies `streamStdin` and `streamStdoutStderr`."
        ),
    ] = None


class ProcessWriteStdinClientRequest(WireModel):
    id: RequestId
    method: Literal["process/writeStdin"]
    params: ProcessWriteStdinParams


class Project(WireModel):
    created_at: Annotated[int, Field(alias="createdAt")]
    id: str
    metadata: dict[str, str]
    name: str
    position: int
    recency_at: Annotated[
        int | None,
        Field(
            alias="recencyAt",
            description="Newest non-archived member thread's recency, in Unix seconds; null when none exist.",
        ),
    ] = None
    roots: list[ProjectRoot]
    updated_at: Annotated[int, Field(alias="updatedAt")]


class ProjectCreateParams(WireModel):
    idempotency_key: Annotated[str, Field(alias="idempotencyKey")]
    metadata: dict[str, Any] | None = None
    name: str
    roots: list[ProjectRoot]


class ProjectCreateResponse(WireModel):
    project: Project


class ProjectDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["project/delete"]
    params: ProjectDeleteParams


class ProjectImportParams(WireModel):
    idempotency_key: Annotated[str, Field(alias="idempotencyKey")]
    metadata: dict[str, Any] | None = None
    name: str
    roots: list[ProjectRoot]
    threads: list[str] | None = None


class ProjectImportResponse(WireModel):
    project: Project


class ProjectListParams(WireModel):
    cursor: str | None = None
    limit: Annotated[int | None, Field(ge=0)] = None
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Requires sortKey. Defaults to asc for position and desc for recencyAt.",
        ),
    ] = None
    sort_key: Annotated[
        ProjectSortKey | None,
        Field(
            alias="sortKey",
            description="Defaults to position. Recency sorting always places empty projects last.",
        ),
    ] = None


class ProjectListResponse(WireModel):
    data: list[Project]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class ProjectMoveClientRequest(WireModel):
    id: RequestId
    method: Literal["project/move"]
    params: ProjectMoveParams


class ProjectReadClientRequest(WireModel):
    id: RequestId
    method: Literal["project/read"]
    params: ProjectReadParams


class ProjectReadResponse(WireModel):
    project: Project


class ProjectUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["project/update"]
    params: ProjectUpdateParams


class ProjectUpdateResponse(WireModel):
    project: Project


class QueuedSubmission(WireModel):
    client_user_message_id: Annotated[str, Field(alias="clientUserMessageId")]
    id: str
    input: list[UserInput]


class RateLimitResetCredit(WireModel):
    description: Annotated[
        str | None,
        Field(
            description="Backend-provided display description for this credit, or `null` when unavailable."
        ),
    ] = None
    expires_at: Annotated[
        int | None,
        Field(
            alias="expiresAt",
            description="Unix timestamp in seconds when the credit expires, or `null` if it does not expire.",
        ),
    ] = None
    granted_at: Annotated[
        int,
        Field(
            alias="grantedAt",
            description="Unix timestamp in seconds when the credit was granted.",
        ),
    ]
    id: Annotated[
        str, Field(description="Opaque backend identifier for this reset credit.")
    ]
    reset_type: Annotated[RateLimitResetType, Field(alias="resetType")]
    status: RateLimitResetCreditStatus
    title: Annotated[
        str | None,
        Field(
            description="Backend-provided display title for this credit, or `null` when unavailable."
        ),
    ] = None


class RateLimitResetCreditsSummary(WireModel):
    available_count: Annotated[int, Field(alias="availableCount")]
    credits: Annotated[
        list[RateLimitResetCredit] | None,
        Field(
            description="Detail rows for available reset credits, when the backend provides them.\n\n`null` means only `availableCount` is known, while an empty array means details were fetched and no available credits were returned. The backend may cap this list, so its length can be less than `availableCount`."
        ),
    ] = None


class RateLimitSnapshot(WireModel):
    credits: CreditsSnapshot | None = None
    individual_limit: Annotated[
        SpendControlLimitSnapshot | None, Field(alias="individualLimit")
    ] = None
    limit_id: Annotated[str | None, Field(alias="limitId")] = None
    limit_name: Annotated[str | None, Field(alias="limitName")] = None
    normal_model_slug: Annotated[
        str | None,
        Field(
            alias="normalModelSlug",
            description="Normal model whose display name and reasoning options describe this quota alias.",
        ),
    ] = None
    plan_type: Annotated[PlanType | None, Field(alias="planType")] = None
    primary: RateLimitWindow | None = None
    rate_limit_reached_type: Annotated[
        RateLimitReachedType | None, Field(alias="rateLimitReachedType")
    ] = None
    secondary: RateLimitWindow | None = None
    spend_control_reached: Annotated[
        bool | None,
        Field(
            alias="spendControlReached",
            description="Backend-reported spend-control state. `None` is unavailable, not a sparse-update recovery.",
        ),
    ] = None


class RawResponseCompletedNotification(WireModel):
    response_id: Annotated[str, Field(alias="responseId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]
    usage: TokenUsageBreakdown | None = None
    usage_metadata: Annotated[
        ResponseUsageMetadata | None, Field(alias="usageMetadata")
    ] = None


class RemoteControlClientListClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/client/list"]
    params: RemoteControlClientsListParams


class RemoteControlClientRevokeClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/client/revoke"]
    params: RemoteControlClientsRevokeParams


class RemoteControlDisableClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/disable"]
    params: RemoteControlDisableParams | None = None


class RemoteControlEnableClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/enable"]
    params: RemoteControlEnableParams | None = None


class RemoteControlPairingStartClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/pairing/start"]
    params: RemoteControlPairingStartParams


class RemoteControlPairingStatusClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/pairing/status"]
    params: RemoteControlPairingStatusParams


class RemoteControlStatusReadClientRequest(WireModel):
    id: RequestId
    method: Literal["remoteControl/status/read"]
    params: Annotated[None, Field(None)] = None


class MessageResponseItem(WireModel):
    content: list[ContentItem]
    encrypted_content: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    phase: MessagePhase | None = None
    role: str
    status: str | None = None
    type: Literal["message"]


class WebSearchCallResponseItem(WireModel):
    action: ResponsesApiWebSearchAction | None = None
    encrypted_content: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    status: str | None = None
    type: Literal["web_search_call"]


class ConfigurationUpdateResponseItem(WireModel):
    reasoning: ConfigurationReasoning
    type: Literal["configuration_update"]


class NetworkPolicyAmendmentPayload(WireModel):
    network_policy_amendment: NetworkPolicyAmendment


class NetworkPolicyAmendmentReviewDecision(WireModel):
    network_policy_amendment: Annotated[
        NetworkPolicyAmendmentPayload, Field(title="NetworkPolicyAmendmentPayload")
    ]


ReviewDecision = TypeAliasType(
    "ReviewDecision",
    Annotated[
        Literal["approved"] | ApprovedExecpolicyAmendmentReviewDecision | Literal["approved_for_session"] | Literal["approved_mcp_policy_amendment"] | NetworkPolicyAmendmentReviewDecision | DeniedReviewDecision | Literal["timed_out"] | Literal["abort"],
        Field(description="User's decision in response to an ExecApprovalRequest."),
    ],
)


class ReviewStartParams(WireModel):
    delivery: Annotated[
        ReviewDelivery | None,
        Field(
            description="Where to run the review: inline (default) on the current thread or detached on a new thread (returned in `reviewThreadId`). Detached delivery is deprecated and emits `deprecationNotice`. Use `thread/start` followed by an inline review for a separate review thread."
        ),
    ] = None
    target: ReviewTarget
    thread_id: Annotated[str, Field(alias="threadId")]


class HourlyScheduledTaskSchedule(WireModel):
    days: list[ScheduledTaskWeekday] | None = None
    interval_hours: Annotated[int, Field(alias="intervalHours", ge=0)]
    type: Literal["hourly"]


class WeeklyScheduledTaskSchedule(WireModel):
    days: list[ScheduledTaskWeekday]
    time: str
    type: Literal["weekly"]


ScheduledTaskSchedule = TypeAliasType(
    "ScheduledTaskSchedule",
    Annotated[
        HourlyScheduledTaskSchedule | DailyScheduledTaskSchedule | WeekdaysScheduledTaskSchedule | WeeklyScheduledTaskSchedule,
        Field(discriminator="type"),
    ],
)


class ScheduledTaskSummary(WireModel):
    key: str
    name: str
    prompt: str
    schedule: ScheduledTaskSchedule


class ServerDiagnosticsClientRequest(WireModel):
    id: RequestId
    method: Literal["server/diagnostics"]
    params: ServerDiagnosticsParams


class SkillDependencies(WireModel):
    tools: list[SkillToolDependency]


class SkillMetadata(WireModel):
    dependencies: SkillDependencies | None = None
    description: str
    enabled: bool
    interface: SkillInterface | None = None
    name: str
    path: LegacyAppPathString
    plugin_id: Annotated[
        str | None,
        Field(
            alias="pluginId",
            description="Owning plugin ID, matching `PluginSummary.id`, when known.",
        ),
    ] = None
    scope: SkillScope
    short_description: Annotated[
        str | None,
        Field(
            alias="shortDescription",
            description="Legacy short_description from SKILL.md. Prefer SKILL.json interface.short_description.",
        ),
    ] = None


class SkillsConfigWriteClientRequest(WireModel):
    id: RequestId
    method: Literal["skills/config/write"]
    params: SkillsConfigWriteParams


class SkillsExtraRootsSetClientRequest(WireModel):
    id: RequestId
    method: Literal["skills/extraRoots/set"]
    params: SkillsExtraRootsSetParams


class SkillsListClientRequest(WireModel):
    id: RequestId
    method: Literal["skills/list"]
    params: SkillsListParams


class SkillsListEntry(WireModel):
    cwd: str
    errors: list[SkillErrorInfo]
    skills: list[SkillMetadata]


class SkillsListResponse(WireModel):
    data: list[SkillsListEntry]


class ThreadSpawn(WireModel):
    agent_nickname: str | None = None
    agent_path: AgentPath | None = None
    agent_role: str | None = None
    depth: int
    parent_thread_id: ThreadId


class ThreadSpawnSubAgentSource(WireModel):
    thread_spawn: Annotated[ThreadSpawn, Field(title="ThreadSpawn")]


SubAgentSource = TypeAliasType("SubAgentSource", Literal["review", "compact", "memory_consolidation"] | ThreadSpawnSubAgentSource | OtherSubAgentSource)


class ThreadApproveGuardianDeniedActionClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/approveGuardianDeniedAction"]
    params: ThreadApproveGuardianDeniedActionParams


class ThreadArchiveClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/archive"]
    params: ThreadArchiveParams


class ThreadAttachmentAddClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/attachment/add"]
    params: ThreadAttachmentAddParams


class ThreadAttachmentListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/attachment/list"]
    params: ThreadAttachmentListParams


class ThreadAttachmentOwnerListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/attachmentOwner/list"]
    params: ThreadAttachmentOwnerListParams


class ThreadAttachmentRemoveClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/attachment/remove"]
    params: ThreadAttachmentRemoveParams


class ThreadBackgroundTerminalsCleanClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/backgroundTerminals/clean"]
    params: ThreadBackgroundTerminalsCleanParams


class ThreadBackgroundTerminalsListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/backgroundTerminals/list"]
    params: ThreadBackgroundTerminalsListParams


class ThreadBackgroundTerminalsTerminateClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/backgroundTerminals/terminate"]
    params: ThreadBackgroundTerminalsTerminateParams


class ThreadCompactStartClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/compact/start"]
    params: ThreadCompactStartParams


class ThreadDecrementElicitationClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/decrement_elicitation"]
    params: ThreadDecrementElicitationParams


class ThreadDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/delete"]
    params: ThreadDeleteParams


class ThreadForkParams(WireModel):
    approval_policy: Annotated[AskForApproval | None, Field(alias="approvalPolicy")] = (
        None
    )
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Override where approval requests are routed for review on this thread and subsequent turns.",
        ),
    ] = None
    base_instructions: Annotated[str | None, Field(alias="baseInstructions")] = None
    before_turn_id: Annotated[
        str | None,
        Field(
            alias="beforeTurnId",
            description="Optional turn id to fork before, excluding that turn and all later turns. Cannot be combined with `last_turn_id`.",
        ),
    ] = None
    config: dict[str, Any] | None = None
    cwd: str | None = None
    defer_goal_continuation: Annotated[
        bool | None,
        Field(
            alias="deferGoalContinuation",
            description="When true, carry the source thread's current goal into the fork without starting its initial automatic continuation. The next explicit turn owns the goal lifecycle, and normal automatic continuation resumes after it.",
        ),
    ] = None
    developer_instructions: Annotated[
        str | None, Field(alias="developerInstructions")
    ] = None
    ephemeral: bool | None = None
    exclude_turns: Annotated[
        bool | None,
        Field(
            alias="excludeTurns",
            description="When true, return only thread metadata and live fork state without populating `thread.turns`. This is useful when the client plans to call `thread/turns/list` immediately after forking. Full-history hydration is deprecated for paginated threads; use this with `thread/turns/list` and `thread/items/list` instead.",
        ),
    ] = None
    experimental_prediction_mode: Annotated[
        bool | None,
        Field(
            alias="experimentalPredictionMode",
            description="Start from the loaded parent's effective config, tools, environments, and persisted history to maximize prompt-cache reuse. Requires a loaded, persisted parent and `ephemeral: true`. Enables `features.reasoning_effort_override` on the fork. Cannot be combined with configuration overrides, `path`, `lastTurnId`, or `beforeTurnId`.",
        ),
    ] = None
    last_turn_id: Annotated[
        str | None,
        Field(
            alias="lastTurnId",
            description="Optional last turn id to fork through, inclusive.\n\nWhen specified, turns after `last_turn_id` are omitted from the fork. The referenced turn cannot be in progress.",
        ),
    ] = None
    model: Annotated[
        str | None,
        Field(description="Configuration overrides for the forked thread, if any."),
    ] = None
    model_provider: Annotated[str | None, Field(alias="modelProvider")] = None
    path: Annotated[
        str | None,
        Field(
            description="[UNSTABLE] Specify the rollout path to fork from. If specified, the thread_id param will be ignored."
        ),
    ] = None
    permissions: Annotated[
        str | None,
        Field(
            description="Named profile id for the forked thread. Cannot be combined with `sandbox`."
        ),
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            alias="runtimeWorkspaceRoots",
            description="Replace the thread's runtime workspace roots. Paths must be absolute.",
        ),
    ] = None
    sandbox: SandboxMode | None = None
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    thread_source: Annotated[
        ThreadSource | None,
        Field(
            alias="threadSource",
            description="Optional client-supplied analytics source classification for this forked thread.",
        ),
    ] = None


class ThreadGoal(WireModel):
    created_at: Annotated[int, Field(alias="createdAt")]
    objective: str
    status: ThreadGoalStatus
    thread_id: Annotated[str, Field(alias="threadId")]
    time_used_seconds: Annotated[int, Field(alias="timeUsedSeconds")]
    token_budget: Annotated[int | None, Field(alias="tokenBudget")] = None
    tokens_used: Annotated[int, Field(alias="tokensUsed")]
    updated_at: Annotated[int, Field(alias="updatedAt")]


class ThreadGoalClearParams(WireModel):
    origin: Annotated[
        ThreadGoalMutationOrigin | None,
        Field(description="Missing provenance does not supply user authorization."),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadGoalGetClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/goal/get"]
    params: ThreadGoalGetParams


class ThreadGoalGetResponse(WireModel):
    goal: ThreadGoal | None = None


class ThreadGoalSetParams(WireModel):
    objective: str | None = None
    origin: Annotated[
        ThreadGoalMutationOrigin | None,
        Field(description="Missing provenance does not supply user authorization."),
    ] = None
    status: ThreadGoalStatus | None = None
    thread_id: Annotated[str, Field(alias="threadId")]
    token_budget: Annotated[int | None, Field(alias="tokenBudget")] = None


class ThreadGoalSetResponse(WireModel):
    goal: ThreadGoal


class ThreadGoalUpdatedNotification(WireModel):
    goal: ThreadGoal
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str | None, Field(alias="turnId")] = None


class ThreadGoalUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/goal/updated"]
    params: ThreadGoalUpdatedNotification


class ThreadIncrementElicitationClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/increment_elicitation"]
    params: ThreadIncrementElicitationParams


class ThreadInjectItemsClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/inject_items"]
    params: ThreadInjectItemsParams


class UserMessageThreadItem(WireModel):
    client_id: Annotated[str | None, Field(alias="clientId")] = None
    content: list[UserInput]
    id: str
    type: Literal["userMessage"]


class AgentMessageThreadItem(WireModel):
    delivery: AgentMessageDelivery | None = None
    id: str
    memory_citation: Annotated[MemoryCitation | None, Field(alias="memoryCitation")] = (
        None
    )
    phase: MessagePhase | None = None
    questions: list[AsyncUserInputQuestion] | None = None
    text: str
    type: Literal["agentMessage"]


class CommandExecutionThreadItem(WireModel):
    aggregated_output: Annotated[
        str | None,
        Field(
            alias="aggregatedOutput",
            description="The command's output, aggregated from stdout and stderr.",
        ),
    ] = None
    command: Annotated[str, Field(description="The command to be executed.")]
    command_actions: Annotated[
        list[CommandAction],
        Field(
            alias="commandActions",
            description="A best-effort parsing of the command to understand the action(s) it will perform. This returns a list of CommandAction objects because a single shell command may be composed of many commands piped together.",
        ),
    ]
    cwd: Annotated[
        LegacyAppPathString, Field(description="The command's working directory.")
    ]
    duration_ms: Annotated[
        int | None,
        Field(
            alias="durationMs",
            description="The duration of the command execution in milliseconds.",
        ),
    ] = None
    exit_code: Annotated[
        int | None, Field(alias="exitCode", description="The command's exit code.")
    ] = None
    id: str
    plugin_id: Annotated[
        str | None,
        Field(
            alias="pluginId",
            description="Trusted first-party plugin id when this command resolves to one plugin script.",
        ),
    ] = None
    process_id: Annotated[
        str | None,
        Field(
            alias="processId",
            description="Identifier for the underlying PTY process (when available).",
        ),
    ] = None
    script_path: Annotated[
        str | None,
        Field(
            alias="scriptPath",
            description="Safe plugin-relative path when this command resolves to one plugin script.",
        ),
    ] = None
    source: CommandExecutionSource = "agent"
    status: CommandExecutionStatus
    type: Literal["commandExecution"]


class FileChangeThreadItem(WireModel):
    changes: list[FileUpdateChange]
    id: str
    status: PatchApplyStatus
    type: Literal["fileChange"]


class CollabAgentToolCallThreadItem(WireModel):
    agents_states: Annotated[
        dict[str, CollabAgentState],
        Field(
            alias="agentsStates",
            description="Last known status of the target agents, when available.",
        ),
    ]
    id: Annotated[
        str, Field(description="Unique identifier for this collab tool call.")
    ]
    model: Annotated[
        str | None,
        Field(description="Model requested for the spawned agent, when applicable."),
    ] = None
    prompt: Annotated[
        str | None,
        Field(
            description="Prompt text sent as part of the collab tool call, when available."
        ),
    ] = None
    reasoning_effort: Annotated[
        ReasoningEffort | None,
        Field(
            alias="reasoningEffort",
            description="Reasoning effort requested for the spawned agent, when applicable.",
        ),
    ] = None
    receiver_thread_ids: Annotated[
        list[str],
        Field(
            alias="receiverThreadIds",
            description="Thread ID of the receiving agent, when applicable. In case of spawn operation, this corresponds to the newly spawned agent.",
        ),
    ]
    sender_thread_id: Annotated[
        str,
        Field(
            alias="senderThreadId",
            description="Thread ID of the agent issuing the collab request.",
        ),
    ]
    status: Annotated[
        CollabAgentToolCallStatus,
        Field(description="Current status of the collab tool call."),
    ]
    tool: Annotated[
        CollabAgentTool, Field(description="Name of the collab tool that was invoked.")
    ]
    type: Literal["collabAgentToolCall"]


class WebSearchThreadItem(WireModel):
    action: WebSearchAction | None = None
    id: str
    query: str
    results: Annotated[
        list[Any] | None,
        Field(
            description="Structured search results returned out-of-band by standalone web search.\n\nThese stay as opaque JSON at the extension/app-server boundary so new result fields and result types can pass through without a Codex release."
        ),
    ] = None
    type: Literal["webSearch"]


class ThreadItemsListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/items/list"]
    params: ThreadItemsListParams


class ThreadItemsReadClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/items/read"]
    params: ThreadItemsReadParams


class ThreadListParams(WireModel):
    ancestor_thread_id: Annotated[
        str | None,
        Field(
            alias="ancestorThreadId",
            description="Optional ancestor thread filter. Returns spawned descendants at any depth, excluding the ancestor itself. Mutually exclusive with `parentThreadId`.",
        ),
    ] = None
    archived: Annotated[
        bool | None,
        Field(
            description="Optional archived filter; when set to true, only archived threads are returned. If false or null, only non-archived threads are returned."
        ),
    ] = None
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    cwd: Annotated[
        ThreadListCwdFilter | None,
        Field(
            description="Optional cwd filter or filters; when set, only threads whose session cwd exactly matches one of these paths are returned."
        ),
    ] = None
    excluded_thread_ids: Annotated[
        list[str] | None,
        Field(
            alias="excludedThreadIds",
            description="Thread IDs to exclude before applying the result limit. Up to 100 entries; invalid IDs or a larger list are rejected, never truncated. Send the same exclusions on each page. Omitted, null, or empty means no exclusions.",
        ),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a reasonable server-side value.",
            ge=0,
        ),
    ] = None
    model_providers: Annotated[
        list[str] | None,
        Field(
            alias="modelProviders",
            description="Optional provider filter; when set, only sessions recorded under these providers are returned. When present but empty, includes all providers.",
        ),
    ] = None
    originators: Annotated[
        list[str] | None,
        Field(
            description="Optional originator allowlist, matching any supplied value exactly. Supported by hosted backends only; the local app-server rejects a nonempty list. Omitted or empty lists leave originators unrestricted."
        ),
    ] = None
    parent_thread_id: Annotated[
        str | None,
        Field(
            alias="parentThreadId",
            description="Optional direct parent thread filter. Mutually exclusive with `ancestorThreadId`.",
        ),
    ] = None
    project_id: Annotated[
        str | None,
        Field(
            alias="projectId",
            description="Omit to include every project, set to null for unassigned threads, or provide a project ID to return only threads in that project.",
        ),
    ] = None
    search_term: Annotated[
        str | None,
        Field(
            alias="searchTerm",
            description="Optional substring filter for the extracted thread title.",
        ),
    ] = None
    section_id: Annotated[
        str | None,
        Field(
            alias="sectionId",
            description="Omit to include every section, set to `null` for unsectioned threads, or provide a section ID to return only threads in that section.",
        ),
    ] = None
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Optional sort direction; defaults to descending (newest first).",
        ),
    ] = None
    sort_key: Annotated[
        ThreadSortKey | None,
        Field(
            alias="sortKey", description="Optional sort key; defaults to created_at."
        ),
    ] = None
    source_kinds: Annotated[
        list[ThreadSourceKind] | None,
        Field(
            alias="sourceKinds",
            description="Optional source filter; when set, only sessions from these source kinds are returned. When omitted or empty, defaults to interactive sources.",
        ),
    ] = None
    use_state_db_only: Annotated[
        bool | None,
        Field(
            alias="useStateDbOnly",
            description="If true, return from the state DB without scanning JSONL rollouts to repair thread metadata. Omitted or false preserves scan-and-repair behavior.",
        ),
    ] = None


class ThreadLoadedListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/loaded/list"]
    params: ThreadLoadedListParams


class ThreadMemoryModeSetClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/memoryMode/set"]
    params: ThreadMemoryModeSetParams


class ThreadMetadataUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/metadata/update"]
    params: ThreadMetadataUpdateParams


class ThreadNameSetClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/name/set"]
    params: ThreadSetNameParams


class ThreadPredictionRequestClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/prediction/request"]
    params: ThreadPredictionRequestParams


class ThreadQueueAddParams(WireModel):
    client_user_message_id: Annotated[str, Field(alias="clientUserMessageId")]
    input: list[UserInput]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueAddResponse(WireModel):
    queued_submission: Annotated[QueuedSubmission, Field(alias="queuedSubmission")]


class ThreadQueueDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/delete"]
    params: ThreadQueueDeleteParams


class ThreadQueueListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/list"]
    params: ThreadQueueListParams


class ThreadQueueListResponse(WireModel):
    data: list[QueuedSubmission]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor for the next page, or `null` when no submissions remain.",
        ),
    ] = None


class ThreadQueueReorderClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/reorder"]
    params: ThreadQueueReorderParams


class ThreadQueueStartClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/start"]
    params: ThreadQueueStartParams


class ThreadQueueUpdateParams(WireModel):
    input: list[UserInput]
    queued_submission_id: Annotated[str, Field(alias="queuedSubmissionId")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadQueueUpdateResponse(WireModel):
    queued_submission: Annotated[QueuedSubmission, Field(alias="queuedSubmission")]


class ThreadReadClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/read"]
    params: ThreadReadParams


class ThreadReadState(WireModel):
    first_unread: Annotated[ThreadUnreadPosition | None, Field(alias="firstUnread")] = (
        None
    )
    revision: str


class ThreadReadStateChangedNotification(WireModel):
    read_state: Annotated[ThreadReadState, Field(alias="readState")]
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadReadStateChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/readState/changed"]
    params: ThreadReadStateChangedNotification


class ThreadReadStateUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/readState/update"]
    params: ThreadReadStateUpdateParams


class ThreadReadStateUpdateResponse(WireModel):
    read_state: Annotated[ThreadReadState, Field(alias="readState")]


class ThreadRealtimeAppendAudioParams(WireModel):
    audio: ThreadRealtimeAudioChunk
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeAppendSpeechClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/appendSpeech"]
    params: ThreadRealtimeAppendSpeechParams


class ThreadRealtimeAppendTextClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/appendText"]
    params: ThreadRealtimeAppendTextParams


class TranscriptSegmentThreadRealtimeItem(WireModel):
    id: str
    realtime_session_id: Annotated[str, Field(alias="realtimeSessionId")]
    role: ThreadRealtimeTranscriptRole
    text: str
    type: Literal["transcriptSegment"]


class RealtimeSessionClosedThreadRealtimeItem(WireModel):
    id: str
    realtime_session_id: Annotated[str, Field(alias="realtimeSessionId")]
    outcome: ThreadRealtimeSessionOutcome
    type: Literal["realtimeSessionClosed"]


ThreadRealtimeItem = TypeAliasType(
    "ThreadRealtimeItem",
    Annotated[
        RealtimeSessionStartedThreadRealtimeItem | TranscriptSegmentThreadRealtimeItem | BemItemPromotedThreadRealtimeItem | RealtimeSessionClosedThreadRealtimeItem,
        Field(
            description="EXPERIMENTAL - a thread-scoped realtime item in the canonical timeline.",
            discriminator="type",
        ),
    ],
)


class ThreadRealtimeItemCompletedNotification(WireModel):
    item: ThreadRealtimeItem
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeItemCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/item/completed"]
    params: ThreadRealtimeItemCompletedNotification


class ThreadRealtimeItemStartedNotification(WireModel):
    item: ThreadRealtimeItem
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadRealtimeItemStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/realtime/item/started"]
    params: ThreadRealtimeItemStartedNotification


class ThreadRealtimeListVoicesClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/listVoices"]
    params: ThreadRealtimeListVoicesParams


class ThreadRealtimeStartParams(WireModel):
    backend_reasoning_status: Annotated[
        bool | None,
        Field(
            alias="backendReasoningStatus",
            description="Relays public reasoning summaries as quiet context for realtime V3 delegations. Defaults to false.",
        ),
    ] = None
    client_managed_handoffs: Annotated[
        bool | None,
        Field(
            alias="clientManagedHandoffs",
            description="Leaves Codex response handoffs to the client's explicit append calls instead of forwarding them automatically. Defaults to false.",
        ),
    ] = None
    codex_response_handoff_channel_prefixes: Annotated[
        dict[str, Any] | None,
        Field(
            alias="codexResponseHandoffChannelPrefixes",
            description="Overrides BEM channel prefixes by `analysis`, `commentary`, or `final`. Omitted channels retain their default uppercase bracketed prefixes.",
        ),
    ] = None
    codex_response_handoff_mode: Annotated[
        CodexResponseHandoffMode | None,
        Field(
            alias="codexResponseHandoffMode",
            description="Selects how automatic Codex responses are routed in Frameless Bidi sessions. Omitted values default to `thinking`. Realtime V1 and V2 ignore this setting.",
        ),
    ] = None
    codex_response_item_prefix: Annotated[
        str | None,
        Field(
            alias="codexResponseItemPrefix",
            description="Optional prefix added to automatic Codex response items when `codexResponsesAsItems` is true.",
        ),
    ] = None
    codex_responses_as_items: Annotated[
        bool | None,
        Field(
            alias="codexResponsesAsItems",
            description="Sends automatic Codex responses as realtime conversation items instead of handoff appends.",
        ),
    ] = None
    delegation_ack_filler: Annotated[
        bool | None,
        Field(
            alias="delegationAckFiller",
            description="Controls whether a realtime V3 delegation produces an acknowledgement filler. Omitted values preserve the Realtime API's default behavior.",
        ),
    ] = None
    flush_transcript_tail_on_session_end: Annotated[
        bool | None,
        Field(
            alias="flushTranscriptTailOnSessionEnd",
            description="Routes any transcript tail remaining at session end through Codex. Defaults to false. TODO: Remove this rollout knob once transcript-tail flushing is always enabled.",
        ),
    ] = None
    include_startup_context: Annotated[
        bool | None,
        Field(
            alias="includeStartupContext",
            description="Set to false to start without Codex's startup context. Omitted or null includes it.",
        ),
    ] = None
    initial_items: Annotated[
        list[ThreadRealtimeInitialItem] | None,
        Field(
            alias="initialItems",
            description="Adds complete role-bearing text items to the initial Frameless Bidi session history. This is only supported by realtime V3 and is sent during session startup. Requests are limited to 128 items and 8,192 estimated text tokens in total.",
        ),
    ] = None
    model: Annotated[
        str | None,
        Field(
            description="Overrides the configured realtime model for this session only."
        ),
    ] = None
    output_modality: Annotated[
        RealtimeOutputModality,
        Field(
            alias="outputModality",
            description="Selects text or audio output for the realtime session. Transport and voice stay independent so clients can choose how they connect separately from what the model emits.",
        ),
    ]
    prompt: str | None = None
    realtime_end_instructions: Annotated[
        str | None,
        Field(
            alias="realtimeEndInstructions",
            description="Developer instructions given to the backing Codex model when this realtime session ends.",
        ),
    ] = None
    realtime_session_id: Annotated[str | None, Field(alias="realtimeSessionId")] = None
    realtime_start_instructions: Annotated[
        str | None,
        Field(
            alias="realtimeStartInstructions",
            description="Developer instructions given to the backing Codex model when this realtime session starts.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    transport: ThreadRealtimeStartTransport | None = None
    version: Annotated[
        RealtimeConversationVersion | None,
        Field(
            description="Overrides the configured realtime protocol version for this session only."
        ),
    ] = None
    voice: RealtimeVoice | None = None


class ThreadRealtimeStopClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/stop"]
    params: ThreadRealtimeStopParams


class ThreadResumeInitialTurnsPageParams(WireModel):
    items_view: Annotated[
        TurnItemsView | None,
        Field(
            alias="itemsView",
            description="How much item detail to include for each returned turn; defaults to summary.",
        ),
    ] = None
    limit: Annotated[
        int | None, Field(description="Optional turn page size.", ge=0)
    ] = None
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Optional turn pagination direction; defaults to descending.",
        ),
    ] = None


class ThreadRevertClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/revert"]
    params: ThreadRevertParams


class ThreadSearchOccurrence(WireModel):
    item_id: Annotated[str, Field(alias="itemId")]
    snippet: str
    snippet_match_range: Annotated[
        ThreadSearchTextRange,
        Field(
            alias="snippetMatchRange",
            description="Match range within `snippet`, in UTF-16 code units.",
        ),
    ]
    turn_cursor: Annotated[
        str,
        Field(
            alias="turnCursor",
            description="Opaque inclusive cursor accepted by `thread/turns/list` for this turn.",
        ),
    ]
    turn_id: Annotated[str, Field(alias="turnId")]


class ThreadSearchOccurrencesClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/searchOccurrences"]
    params: ThreadSearchOccurrencesParams


class ThreadSearchOccurrencesResponse(WireModel):
    data: Annotated[
        list[ThreadSearchOccurrence],
        Field(description="Occurrences in chronological message order."),
    ]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to continue after the last returned occurrence.",
        ),
    ] = None


class ThreadSearchParams(WireModel):
    archived: Annotated[
        bool | None,
        Field(
            description="Optional archived filter; when set to true, only archived threads are returned. If false or null, only non-archived threads are returned."
        ),
    ] = None
    cursor: Annotated[
        str | None,
        Field(description="Opaque pagination cursor returned by a previous call."),
    ] = None
    limit: Annotated[
        int | None,
        Field(
            description="Optional page size; defaults to a reasonable server-side value.",
            ge=0,
        ),
    ] = None
    search_term: Annotated[
        str,
        Field(
            alias="searchTerm",
            description="Required substring/full-text query for thread search.",
        ),
    ]
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Optional sort direction; defaults to descending (newest first).",
        ),
    ] = None
    sort_key: Annotated[
        ThreadSearchSortKey | None,
        Field(
            alias="sortKey", description="Optional sort key; defaults to created_at."
        ),
    ] = None
    source_kinds: Annotated[
        list[ThreadSourceKind] | None,
        Field(
            alias="sourceKinds",
            description="Optional source filter; when set, only sessions from these source kinds are returned. When omitted or empty, defaults to interactive sources.",
        ),
    ] = None


class ThreadSection(WireModel):
    appearance: Annotated[
        ThreadSectionAppearance | None,
        Field(description="Optional appearance synchronized across clients."),
    ] = None
    id: Annotated[
        str,
        Field(
            description="Opaque UUIDv7 identity that remains stable when the section is renamed."
        ),
    ]
    name: Annotated[str, Field(description="The current user-visible section name.")]


class ThreadSectionCreateClientRequest(WireModel):
    id: RequestId
    method: Literal["threadSection/create"]
    params: ThreadSectionCreateParams


class ThreadSectionCreateResponse(WireModel):
    section: ThreadSection


class ThreadSectionDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["threadSection/delete"]
    params: ThreadSectionDeleteParams


class ThreadSectionListClientRequest(WireModel):
    id: RequestId
    method: Literal["threadSection/list"]
    params: ThreadSectionListParams


class ThreadSectionListResponse(WireModel):
    data: list[ThreadSection]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor for the next page, or `null` when no sections remain.",
        ),
    ] = None


class ThreadSectionMoveClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/section/move"]
    params: ThreadSectionMoveParams


class ThreadSectionUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["threadSection/update"]
    params: ThreadSectionUpdateParams


class ThreadSectionUpdateResponse(WireModel):
    section: ThreadSection


class ThreadSettings(WireModel):
    active_permission_profile: Annotated[
        ActivePermissionProfile | None, Field(alias="activePermissionProfile")
    ] = None
    approval_policy: Annotated[AskForApproval, Field(alias="approvalPolicy")]
    approvals_reviewer: Annotated[ApprovalsReviewer, Field(alias="approvalsReviewer")]
    collaboration_mode: Annotated[CollaborationMode, Field(alias="collaborationMode")]
    cwd: AbsolutePathBuf
    disabled_plugin_ids: Annotated[
        list[str],
        Field(
            alias="disabledPluginIds",
            description="Saved list of disabled plugin IDs. Does not yet filter plugin capabilities.",
        ),
    ] = []
    effort: ReasoningEffort | None = None
    model: str
    model_provider: Annotated[str, Field(alias="modelProvider")]
    multi_agent_mode: Annotated[
        MultiAgentMode,
        Field(
            alias="multiAgentMode",
            description="@deprecated Always `explicitRequestOnly`. Use `effort` for Ultra behavior.",
            validate_default=True,
        ),
    ] = "explicitRequestOnly"
    personality: Annotated[
        Personality | None,
        Field(
            description="@deprecated Reports the saved setting; `friendly` and `pragmatic` no longer select a style."
        ),
    ] = None
    sandbox_policy: Annotated[SandboxPolicy, Field(alias="sandboxPolicy")]
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    summary: ReasoningSummary | None = None


class ThreadSettingsUpdateParams(WireModel):
    approval_policy: Annotated[
        AskForApproval | None,
        Field(
            alias="approvalPolicy",
            description="Override the approval policy for subsequent turns.",
        ),
    ] = None
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Override where approval requests are routed for subsequent turns.",
        ),
    ] = None
    collaboration_mode: Annotated[
        CollaborationMode | None,
        Field(
            alias="collaborationMode",
            description='EXPERIMENTAL - Set a pre-set collaboration mode for subsequent turns.\n\nFor `collaboration_mode.settings.developer_instructions`, `null` means "use the built-in instructions for the selected mode".',
        ),
    ] = None
    cwd: Annotated[
        str | None,
        Field(description="Override the working directory for subsequent turns."),
    ] = None
    disabled_plugin_ids: Annotated[
        list[str] | None,
        Field(
            alias="disabledPluginIds",
            description="Replace this thread's disabled plugin IDs. Omitted/null preserves the list; [] clears it.",
        ),
    ] = None
    effort: Annotated[
        ReasoningEffort | None,
        Field(description="Override the reasoning effort for subsequent turns."),
    ] = None
    model: Annotated[
        str | None, Field(description="Override the model for subsequent turns.")
    ] = None
    multi_agent_mode: Annotated[
        MultiAgentMode | None,
        Field(
            alias="multiAgentMode",
            description='@deprecated Ignored. Use `effort: "ultra"` for proactive multi-agent behavior.',
        ),
    ] = None
    permissions: Annotated[
        str | None,
        Field(
            description="Select a named permissions profile id for subsequent turns. Cannot be combined with `sandboxPolicy`."
        ),
    ] = None
    personality: Annotated[
        Personality | None,
        Field(
            description="@deprecated `friendly` and `pragmatic` no longer select a style. Changing this does not rewrite the thread's existing instructions."
        ),
    ] = None
    sandbox_policy: Annotated[
        SandboxPolicy | None,
        Field(
            alias="sandboxPolicy",
            description="Override the sandbox policy for subsequent turns.",
        ),
    ] = None
    service_tier: Annotated[
        str | None,
        Field(
            alias="serviceTier",
            description="Override the service tier for subsequent turns. `null` clears the current service tier; omission leaves it unchanged.",
        ),
    ] = None
    summary: Annotated[
        ReasoningSummary | None,
        Field(description="Override the reasoning summary for subsequent turns."),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadSettingsUpdatedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    thread_settings: Annotated[ThreadSettings, Field(alias="threadSettings")]


class ThreadSettingsUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/settings/updated"]
    params: ThreadSettingsUpdatedNotification


class ThreadShellCommandClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/shellCommand"]
    params: ThreadShellCommandParams


class ThreadStartParams(WireModel):
    allow_provider_model_fallback: Annotated[
        bool | None,
        Field(
            alias="allowProviderModelFallback",
            description="Allow a provider with an authoritative static model catalog to replace an unavailable requested model with its default.",
        ),
    ] = None
    approval_policy: Annotated[AskForApproval | None, Field(alias="approvalPolicy")] = (
        None
    )
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Override where approval requests are routed for review on this thread and subsequent turns.",
        ),
    ] = None
    base_instructions: Annotated[str | None, Field(alias="baseInstructions")] = None
    config: dict[str, Any] | None = None
    cwd: str | None = None
    daybreak_enabled: Annotated[
        bool | None,
        Field(
            alias="daybreakEnabled",
            description="Initial Daybreak choice for this persistent thread. Omitted or null leaves it unset. This does not select a turn's `cyberAccessProgram` or grant access. Not supported for ephemeral threads.",
        ),
    ] = None
    developer_instructions: Annotated[
        str | None, Field(alias="developerInstructions")
    ] = None
    dynamic_tools: Annotated[
        list[DynamicToolSpec] | None, Field(alias="dynamicTools")
    ] = None
    environments: Annotated[
        list[TurnEnvironmentParams] | None,
        Field(
            description="Optional sticky environments for this thread.\n\nOmitted selects the default environment when environment access is enabled. Empty disables environment access for turns that do not provide a turn override. Non-empty selects the first environment as the current turn environment."
        ),
    ] = None
    ephemeral: bool | None = None
    experimental_raw_events: Annotated[
        bool | None,
        Field(
            alias="experimentalRawEvents",
            description="If true, opt into emitting raw Responses API items on the event stream. This is for internal use only (e.g. Codex Cloud).",
        ),
    ] = None
    history_mode: Annotated[
        ThreadHistoryMode | None,
        Field(
            alias="historyMode",
            description="Persisted thread history contract to use for this new thread.",
        ),
    ] = None
    mock_experimental_field: Annotated[
        str | None,
        Field(
            alias="mockExperimentalField",
            description="Test-only experimental field used to validate experimental gating and schema filtering behavior in a stable way.",
        ),
    ] = None
    model: str | None = None
    model_provider: Annotated[str | None, Field(alias="modelProvider")] = None
    multi_agent_mode: Annotated[
        MultiAgentMode | None,
        Field(
            alias="multiAgentMode",
            description="@deprecated Ignored. Use Ultra reasoning effort for proactive multi-agent behavior.",
        ),
    ] = None
    permissions: Annotated[
        str | None,
        Field(
            description="Named profile id for this thread. Cannot be combined with `sandbox`."
        ),
    ] = None
    personality: Annotated[
        Personality | None,
        Field(
            description="@deprecated `friendly` and `pragmatic` no longer select a style."
        ),
    ] = None
    project_id: Annotated[
        str | None,
        Field(
            alias="projectId",
            description="Optional project identity for this new thread. Durable threads persist the assignment; ephemeral threads expose it only in live responses.",
        ),
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            alias="runtimeWorkspaceRoots",
            description="Replace the thread's runtime workspace roots. Paths must be absolute.",
        ),
    ] = None
    sandbox: SandboxMode | None = None
    selected_capability_roots: Annotated[
        list[SelectedCapabilityRoot] | None,
        Field(
            alias="selectedCapabilityRoots",
            description="Capability roots selected for this thread by the hosting platform.",
        ),
    ] = None
    service_name: Annotated[str | None, Field(alias="serviceName")] = None
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    session_start_source: Annotated[
        ThreadStartSource | None, Field(alias="sessionStartSource")
    ] = None
    thread_source: Annotated[
        ThreadSource | None,
        Field(
            alias="threadSource",
            description="Optional client-supplied analytics source classification for this thread.",
        ),
    ] = None


class RealtimeThreadTimelineEntry(WireModel):
    item: ThreadRealtimeItem
    position: Annotated[int, Field(ge=0)]
    type: Literal["realtime"]


class ThreadTimelineListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/timeline/list"]
    params: ThreadTimelineListParams


class ThreadTokenUsage(WireModel):
    last: TokenUsageBreakdown
    model_context_window: Annotated[int | None, Field(alias="modelContextWindow")] = (
        None
    )
    total: TokenUsageBreakdown


class ThreadTokenUsageUpdatedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    token_usage: Annotated[ThreadTokenUsage, Field(alias="tokenUsage")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ThreadTokenUsageUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/tokenUsage/updated"]
    params: ThreadTokenUsageUpdatedNotification


class ThreadTurnsListParams(WireModel):
    cursor: Annotated[
        str | None,
        Field(
            description="Opaque cursor to pass to the next call to continue after the last turn."
        ),
    ] = None
    items_view: Annotated[
        TurnItemsView | None,
        Field(
            alias="itemsView",
            description="How much item detail to include for each returned turn; defaults to summary.",
        ),
    ] = None
    limit: Annotated[
        int | None, Field(description="Optional turn page size.", ge=0)
    ] = None
    sort_direction: Annotated[
        SortDirection | None,
        Field(
            alias="sortDirection",
            description="Optional turn pagination direction; defaults to descending.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadUnarchiveClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/unarchive"]
    params: ThreadUnarchiveParams


class ThreadUnsubscribeClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/unsubscribe"]
    params: ThreadUnsubscribeParams


class ThreadUnsubscribeResponse(WireModel):
    status: ThreadUnsubscribeStatus


class ThreadUsage(WireModel):
    estimated_usage_credits_micros: Annotated[
        int, Field(alias="estimatedUsageCreditsMicros")
    ]
    estimated_usage_usd_micros: Annotated[
        int | None, Field(alias="estimatedUsageUsdMicros")
    ] = None
    groups: list[ThreadUsageBreakdownGroup]
    thread_id: Annotated[str, Field(alias="threadId")]


class ToolRequestUserInputParams(WireModel):
    auto_resolution_ms: Annotated[
        int | None,
        Field(
            alias="autoResolutionMs",
            description="@deprecated Use `isBlocking` to decide whether the request should block.",
            ge=0,
        ),
    ] = None
    is_blocking: Annotated[bool, Field(alias="isBlocking")]
    item_id: Annotated[str, Field(alias="itemId")]
    questions: list[ToolRequestUserInputQuestion]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ToolsV2(WireModel):
    web_search: WebSearchToolConfig | None = None


class TurnError(WireModel):
    additional_details: Annotated[str | None, Field(alias="additionalDetails")] = None
    codex_error_info: Annotated[
        CodexErrorInfo | None, Field(alias="codexErrorInfo")
    ] = None
    message: str
    misalignment: Annotated[
        MisalignmentErrorDetails | None,
        Field(
            description="Optional public explanation and continuation instruction for a misalignment block."
        ),
    ] = None


class TurnInterruptClientRequest(WireModel):
    id: RequestId
    method: Literal["turn/interrupt"]
    params: TurnInterruptParams


class TurnPlanStep(WireModel):
    status: TurnPlanStepStatus
    step: str


class TurnPlanUpdatedNotification(WireModel):
    explanation: str | None = None
    plan: list[TurnPlanStep]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class TurnPlanUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["turn/plan/updated"]
    params: TurnPlanUpdatedNotification


class TurnSettingsUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["turn/settings/update"]
    params: TurnSettingsUpdateParams


class TurnSettingsUpdateResponse(WireModel):
    status: TurnSettingsUpdateStatus


class TurnSteerParams(WireModel):
    additional_context: Annotated[
        dict[str, Any] | None,
        Field(
            alias="additionalContext",
            description="Optional client-provided context fragments keyed by an opaque source identifier.",
        ),
    ] = None
    client_user_message_id: Annotated[
        str | None, Field(alias="clientUserMessageId")
    ] = None
    expected_turn_id: Annotated[
        str,
        Field(
            alias="expectedTurnId",
            description="Required active turn id precondition. The request fails when it does not match the currently active turn.",
        ),
    ]
    input: list[UserInput]
    responsesapi_client_metadata: Annotated[
        dict[str, Any] | None,
        Field(
            alias="responsesapiClientMetadata",
            description='Optional metadata to enrich Codex\'s ResponsesAPI turn metadata.\n\nEntries are flattened into the JSON string sent as `client_metadata["x-codex-turn-metadata"]` on ResponsesAPI HTTP and websocket requests.\n\nThey are not sent as top-level ResponsesAPI `client_metadata` keys, and reserved keys such as `session_id`, `thread_id`, `turn_id`, and `window_id` cannot be overridden.',
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class UserVerificationCancelClientRequest(WireModel):
    id: RequestId
    method: Literal["userVerification/cancel"]
    params: UserVerificationCancelParams


class UserVerificationDeleteClientRequest(WireModel):
    id: RequestId
    method: Literal["userVerification/delete"]
    params: UserVerificationDeleteParams


class UserVerificationEnrollClientRequest(WireModel):
    id: RequestId
    method: Literal["userVerification/enroll"]
    params: UserVerificationEnrollParams


class InvalidRequestUserVerificationErrorDetails(WireModel):
    reason: UserVerificationInvalidRequestReason
    type: Literal["invalidRequest"]


class UnavailableUserVerificationErrorDetails(WireModel):
    reason: UserVerificationUnavailableReason
    type: Literal["unavailable"]


class FailedUserVerificationErrorDetails(WireModel):
    reason: UserVerificationFailureReason
    type: Literal["failed"]


UserVerificationErrorDetails = TypeAliasType(
    "UserVerificationErrorDetails",
    Annotated[
        InvalidRequestUserVerificationErrorDetails | UnavailableUserVerificationErrorDetails | CancelledUserVerificationErrorDetails | FailedUserVerificationErrorDetails,
        Field(
            description="Closed error categories; native diagnostic payloads must not cross this boundary.",
            discriminator="type",
        ),
    ],
)


class UserVerificationRpcError(WireModel):
    code: int
    data: UserVerificationErrorDetails
    message: str


class UserVerificationStatusClientRequest(WireModel):
    id: RequestId
    method: Literal["userVerification/status"]
    params: UserVerificationStatusParams


class UserVerificationStatusResponse(WireModel):
    credential_id: Annotated[str | None, Field(alias="credentialId")] = None
    unavailable_message: Annotated[str | None, Field(alias="unavailableMessage")] = None
    unavailable_reason: Annotated[
        UserVerificationUnavailableReason | None, Field(alias="unavailableReason")
    ] = None


class UserVerificationVerifyClientRequest(WireModel):
    id: RequestId
    method: Literal["userVerification/verify"]
    params: UserVerificationVerifyParams


class WindowsSandboxSetupCompletedNotification(WireModel):
    error: str | None = None
    mode: WindowsSandboxSetupMode
    success: bool


class WindowsSandboxSetupCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["windowsSandbox/setupCompleted"]
    params: WindowsSandboxSetupCompletedNotification


class WindowsSandboxSetupStartClientRequest(WireModel):
    id: RequestId
    method: Literal["windowsSandbox/setupStart"]
    params: WindowsSandboxSetupStartParams


class WorkspaceMessage(WireModel):
    archived_at: Annotated[
        int | None,
        Field(
            alias="archivedAt",
            description="Unix timestamp (in seconds) when the message was archived.",
        ),
    ] = None
    created_at: Annotated[
        int | None,
        Field(
            alias="createdAt",
            description="Unix timestamp (in seconds) when the message was created.",
        ),
    ] = None
    message_body: Annotated[str, Field(alias="messageBody")]
    message_id: Annotated[str, Field(alias="messageId")]
    message_type: Annotated[WorkspaceMessageType, Field(alias="messageType")]


class AccountChatgptAuthTokensRefreshServerRequest(WireModel):
    id: RequestId
    method: Literal["account/chatgptAuthTokens/refresh"]
    params: ChatgptAuthTokensRefreshParams


class AccountGatewayOAuthChangedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["account/gatewayOAuth/changed"]
    params: GatewayOAuthChangedNotification


class AccountLoginStartClientRequest(WireModel):
    id: RequestId
    method: Literal["account/login/start"]
    params: LoginAccountParams


class AccountRateLimitsUpdatedNotification(WireModel):
    rate_limits: Annotated[RateLimitSnapshot, Field(alias="rateLimits")]


class AccountRateLimitsUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["account/rateLimits/updated"]
    params: AccountRateLimitsUpdatedNotification


class AppInfo(WireModel):
    app_metadata: Annotated[AppMetadata | None, Field(alias="appMetadata")] = None
    branding: AppBranding | None = None
    description: str | None = None
    distribution_channel: Annotated[str | None, Field(alias="distributionChannel")] = (
        None
    )
    icon_assets: Annotated[dict[str, Any] | None, Field(alias="iconAssets")] = None
    icon_dark_assets: Annotated[
        dict[str, Any] | None, Field(alias="iconDarkAssets")
    ] = None
    id: str
    install_url: Annotated[str | None, Field(alias="installUrl")] = None
    is_accessible: Annotated[bool, Field(alias="isAccessible")] = False
    is_enabled: Annotated[
        bool,
        Field(
            alias="isEnabled",
            description="Whether this app is enabled in config.toml. Example: ```toml [apps.bad_app] enabled = false ```",
        ),
    ] = True
    labels: dict[str, Any] | None = None
    logo_url: Annotated[str | None, Field(alias="logoUrl")] = None
    logo_url_dark: Annotated[str | None, Field(alias="logoUrlDark")] = None
    name: str
    plugin_display_names: Annotated[list[str], Field(alias="pluginDisplayNames")] = []


class AppListUpdatedNotification(WireModel):
    data: list[AppInfo]


class AppListUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["app/list/updated"]
    params: AppListUpdatedNotification


class ApplyPatchApprovalResponse(WireModel):
    decision: ReviewDecision


class AppsListResponse(WireModel):
    data: list[AppInfo]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


class CollaborationModeListResponse(WireModel):
    data: list[CollaborationModeMask]


class CommandExecClientRequest(WireModel):
    id: RequestId
    method: Literal["command/exec"]
    params: CommandExecParams


class CommandExecResizeClientRequest(WireModel):
    id: RequestId
    method: Literal["command/exec/resize"]
    params: CommandExecResizeParams


class ApplyNetworkPolicyAmendment(WireModel):
    network_policy_amendment: NetworkPolicyAmendment


class ApplyNetworkPolicyAmendmentCommandExecutionApprovalDecision(WireModel):
    apply_network_policy_amendment: Annotated[
        ApplyNetworkPolicyAmendment,
        Field(alias="applyNetworkPolicyAmendment", title="ApplyNetworkPolicyAmendment"),
    ]


CommandExecutionApprovalDecision = TypeAliasType("CommandExecutionApprovalDecision", Literal["accept"] | Literal["acceptForSession"] | AcceptWithExecpolicyAmendmentCommandExecutionApprovalDecision | ApplyNetworkPolicyAmendmentCommandExecutionApprovalDecision | Literal["decline"] | Literal["cancel"])


class CommandExecutionRequestApprovalResponse(WireModel):
    decision: CommandExecutionApprovalDecision


class ComputerUseConfig(WireModel):
    default_app_access: AllowDenyRequirement | None = None
    macos: ComputerUseMacosConfig | None = None
    windows: ComputerUseWindowsConfig | None = None


class Config(WireModel):
    model_config = ConfigDict(
        extra="allow",
    )
    analytics: AnalyticsConfig | None = None
    approval_policy: AskForApproval | None = None
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            description="[UNSTABLE] Optional default for where approval requests are routed for review."
        ),
    ] = None
    apps: AppsConfig | None = None
    browser_use: BrowserUseConfig | None = None
    compact_prompt: str | None = None
    computer_use: ComputerUseConfig | None = None
    desktop: dict[str, Any] | None = None
    developer_instructions: str | None = None
    forced_chatgpt_workspace_id: ForcedChatgptWorkspaceIds | None = None
    forced_login_method: ForcedLoginMethod | None = None
    instructions: str | None = None
    model: str | None = None
    model_auto_compact_token_limit: int | None = None
    model_auto_compact_token_limit_scope: AutoCompactTokenLimitScope | None = None
    model_context_window: int | None = None
    model_provider: str | None = None
    model_reasoning_effort: ReasoningEffort | None = None
    model_reasoning_summary: ReasoningSummary | None = None
    model_verbosity: Verbosity | None = None
    review_model: str | None = None
    sandbox_mode: SandboxMode | None = None
    sandbox_workspace_write: SandboxWorkspaceWrite | None = None
    service_tier: str | None = None
    tools: ToolsV2 | None = None
    web_search: WebSearchMode | None = None


class ConfigBatchWriteParams(WireModel):
    edits: list[ConfigEdit]
    expected_version: Annotated[str | None, Field(alias="expectedVersion")] = None
    file_path: Annotated[
        str | None,
        Field(
            alias="filePath",
            description="Path to the config file to write; defaults to the user's `config.toml` when omitted.",
        ),
    ] = None
    reload_user_config: Annotated[
        bool | None,
        Field(
            alias="reloadUserConfig",
            description="When true, hot-reload updated runtime settings into loaded threads after writing. Session-static model, reasoning-effort, Plan-mode reasoning-effort, and service-tier defaults are not reloaded. The deprecated personality setting is also not reloaded.",
        ),
    ] = None


class ConfigReadResponse(WireModel):
    config: Config
    layers: list[ConfigLayer] | None = None
    origins: dict[str, ConfigLayerMetadata]


class ConfigValueWriteClientRequest(WireModel):
    id: RequestId
    method: Literal["config/value/write"]
    params: ConfigValueWriteParams


class ConfigWriteResponse(WireModel):
    file_path: Annotated[
        AbsolutePathBuf,
        Field(
            alias="filePath",
            description="Canonical path to the config file that was written.",
        ),
    ]
    overridden_metadata: Annotated[
        OverriddenMetadata | None, Field(alias="overriddenMetadata")
    ] = None
    status: WriteStatus
    version: str


class EnvironmentAddClientRequest(WireModel):
    id: RequestId
    method: Literal["environment/add"]
    params: EnvironmentAddParams


class ErrorNotification(WireModel):
    error: TurnError
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]
    will_retry: Annotated[bool, Field(alias="willRetry")]


class ErrorServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["error"]
    params: ErrorNotification


class ExecCommandApprovalResponse(WireModel):
    decision: ReviewDecision


class ExternalAgentConfigImportCompletedNotification(WireModel):
    import_id: Annotated[str, Field(alias="importId")]
    item_type_results: Annotated[
        list[ExternalAgentConfigImportTypeResult], Field(alias="itemTypeResults")
    ]


class ExternalAgentConfigImportCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["externalAgentConfig/import/completed"]
    params: ExternalAgentConfigImportCompletedNotification


class ExternalAgentConfigImportHistory(WireModel):
    completed_at_ms: Annotated[int, Field(alias="completedAtMs")]
    failures: list[ExternalAgentConfigImportItemTypeFailure]
    import_id: Annotated[str, Field(alias="importId")]
    provider_id: Annotated[str | None, Field(alias="providerId")] = None
    successes: list[ExternalAgentConfigImportItemTypeSuccess]


class ExternalAgentConfigImportHistoryRecordTypeResultParams(WireModel):
    failures: list[ExternalAgentConfigImportItemTypeFailure]
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]
    successes: list[ExternalAgentConfigImportHistoryRecordSuccessParams]


class ExternalAgentConfigImportProgressNotification(WireModel):
    import_id: Annotated[str, Field(alias="importId")]
    item_type_results: Annotated[
        list[ExternalAgentConfigImportTypeResult], Field(alias="itemTypeResults")
    ]


class ExternalAgentConfigImportProgressServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["externalAgentConfig/import/progress"]
    params: ExternalAgentConfigImportProgressNotification


class ExternalAgentConfigMigrationItem(WireModel):
    cwd: Annotated[
        str | None,
        Field(
            description="Null or empty means home-scoped migration; non-empty means repo-scoped migration."
        ),
    ] = None
    description: str
    details: MigrationDetails | None = None
    item_type: Annotated[ExternalAgentConfigMigrationItemType, Field(alias="itemType")]


class FileChangePatchUpdatedNotification(WireModel):
    changes: list[FileUpdateChange]
    item_id: Annotated[str, Field(alias="itemId")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class SpecialFileSystemPath(WireModel):
    type: Literal["special"]
    value: FileSystemSpecialPath


FileSystemPath = TypeAliasType(
    "FileSystemPath",
    Annotated[
        PathFileSystemPath | GlobPatternFileSystemPath | SpecialFileSystemPath,
        Field(discriminator="type"),
    ],
)


class FileSystemSandboxEntry(WireModel):
    access: FileSystemAccessMode
    path: FileSystemPath


FunctionCallOutputBody = TypeAliasType("FunctionCallOutputBody", str | list[FunctionCallOutputContentItem])


class GetAccountRateLimitsResponse(WireModel):
    account_id: Annotated[
        str | None,
        Field(
            alias="accountId",
            description="Account associated with this usage snapshot, when supplied by the backend.",
        ),
    ] = None
    ordinary_usage_allowed: Annotated[
        bool | None,
        Field(
            alias="ordinaryUsageAllowed",
            description="Backend permission for ordinary included usage, validated against the active account. Null means unavailable; clients must not infer recovery from percentages or reset times.",
        ),
    ] = None
    rate_limit_reset_credits: Annotated[
        RateLimitResetCreditsSummary | None, Field(alias="rateLimitResetCredits")
    ] = None
    rate_limit_upsell: Annotated[
        Any | None,
        Field(
            alias="rateLimitUpsell",
            description="Optional backend-owned banner from the same usage read. Its nested keys retain the backend's snake_case contract; an absent banner leaves the client's existing UI unchanged.",
        ),
    ] = None
    rate_limits: Annotated[
        RateLimitSnapshot,
        Field(
            alias="rateLimits",
            description="Backward-compatible single-bucket view; mirrors the historical payload.",
        ),
    ]
    rate_limits_by_limit_id: Annotated[
        dict[str, Any] | None,
        Field(
            alias="rateLimitsByLimitId",
            description="Multi-bucket view keyed by metered `limit_id` (for example, `codex`).",
        ),
    ] = None


class GetAccountTokenUsageResponse(WireModel):
    daily_usage_buckets: Annotated[
        list[AccountTokenUsageDailyBucket] | None, Field(alias="dailyUsageBuckets")
    ] = None
    summary: AccountTokenUsageSummary
    thread_usage: Annotated[
        ThreadUsage | None,
        Field(
            alias="threadUsage",
            description="Estimated usage when a thread was requested and its billing route is available.",
        ),
    ] = None


class GetWorkspaceMessagesResponse(WireModel):
    feature_enabled: Annotated[
        bool,
        Field(
            alias="featureEnabled",
            description="Whether the workspace-message backend route is available for this client.",
        ),
    ]
    messages: Annotated[
        list[WorkspaceMessage],
        Field(description="Active workspace messages returned by the backend."),
    ]


class HookCompletedNotification(WireModel):
    run: HookRunSummary
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str | None, Field(alias="turnId")] = None


class HookCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["hook/completed"]
    params: HookCompletedNotification


class ItemFileChangePatchUpdatedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/fileChange/patchUpdated"]
    params: FileChangePatchUpdatedNotification


class ItemToolRequestUserInputServerRequest(WireModel):
    id: RequestId
    method: Literal["item/tool/requestUserInput"]
    params: ToolRequestUserInputParams


JSONRPCMessage = TypeAliasType(
    "JSONRPCMessage",
    Annotated[
        JSONRPCRequest | JSONRPCNotification | JSONRPCResponse | JSONRPCError,
        Field(
            description="Refers to any valid JSON-RPC object that can be decoded off the wire, or encoded to be sent.",
            title="JSONRPCMessage",
        ),
    ],
)


class ListMcpServerStatusResponse(WireModel):
    data: list[McpServerStatus]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. If None, there are no more items to return.",
        ),
    ] = None


McpElicitationEnumSchema = TypeAliasType("McpElicitationEnumSchema", McpElicitationSingleSelectEnumSchema | McpElicitationMultiSelectEnumSchema | McpElicitationLegacyTitledEnumSchema)


McpElicitationPrimitiveSchema = TypeAliasType("McpElicitationPrimitiveSchema", McpElicitationEnumSchema | McpElicitationStringSchema | McpElicitationNumberSchema | McpElicitationBooleanSchema)


class McpElicitationSchema(WireModel):
    field_schema: Annotated[str | None, Field(alias="$schema")] = None
    properties: dict[str, McpElicitationPrimitiveSchema]
    required: list[str] | None = None
    type: McpElicitationObjectType


class FormMcpServerElicitationRequestParams(WireModel):
    server_name: Annotated[str, Field(alias="serverName")]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[
        str | None,
        Field(
            alias="turnId",
            description="Active Codex turn when this elicitation was observed, if app-server could correlate one.\n\nThis is nullable because MCP models elicitation as a standalone server-to-client request identified by the MCP server request id. It may be triggered during a turn, but turn context is app-server correlation rather than part of the protocol identity of the elicitation itself.",
        ),
    ] = None
    field_meta: Annotated[Any | None, Field(alias="_meta")] = None
    message: str
    mode: Literal["form"]
    requested_schema: Annotated[McpElicitationSchema, Field(alias="requestedSchema")]


McpServerElicitationRequestParams = TypeAliasType(
    "McpServerElicitationRequestParams",
    Annotated[
        OpenaiSlashUserVerificationMcpServerElicitationRequestParams | FormMcpServerElicitationRequestParams | OpenaiSlashFormMcpServerElicitationRequestParams | OpenaiFormMcpServerElicitationRequestParams | UrlMcpServerElicitationRequestParams,
        Field(discriminator="mode", title="McpServerElicitationRequestParams"),
    ],
)


class McpServerElicitationRequestServerRequest(WireModel):
    id: RequestId
    method: Literal["mcpServer/elicitation/request"]
    params: McpServerElicitationRequestParams


class ModelsRequirements(WireModel):
    new_thread: Annotated[NewThreadModelDefaults | None, Field(alias="newThread")] = (
        None
    )


class PluginSearchClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/search"]
    params: PluginSearchParams


class PluginShareContext(WireModel):
    can_publish_to_workspace: Annotated[
        bool | None, Field(alias="canPublishToWorkspace")
    ] = None
    creator_account_user_id: Annotated[
        str | None, Field(alias="creatorAccountUserId")
    ] = None
    creator_name: Annotated[str | None, Field(alias="creatorName")] = None
    discoverability: PluginShareDiscoverability | None = None
    remote_plugin_id: Annotated[str, Field(alias="remotePluginId")]
    remote_version: Annotated[
        str | None,
        Field(
            alias="remoteVersion",
            description="Version of the remote shared plugin release when available.",
        ),
    ] = None
    share_principals: Annotated[
        list[PluginSharePrincipal] | None, Field(alias="sharePrincipals")
    ] = None
    share_url: Annotated[str | None, Field(alias="shareUrl")] = None


class PluginShareSaveParams(WireModel):
    discoverability: PluginShareDiscoverability | None = None
    plugin_path: Annotated[AbsolutePathBuf, Field(alias="pluginPath")]
    remote_plugin_id: Annotated[str | None, Field(alias="remotePluginId")] = None
    share_targets: Annotated[
        list[PluginShareTarget] | None, Field(alias="shareTargets")
    ] = None


class PluginShareUpdateTargetsClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/share/updateTargets"]
    params: PluginShareUpdateTargetsParams


class PluginSummary(WireModel):
    auth_policy: Annotated[PluginAuthPolicy, Field(alias="authPolicy")]
    availability: Annotated[
        PluginAvailability,
        Field(description="Availability state for installing and using the plugin."),
    ] = "AVAILABLE"
    disabled_reason: Annotated[
        PluginDisabledReason | None,
        Field(
            alias="disabledReason",
            description="Why the remote plugin is unavailable, when provided by plugin-service.",
        ),
    ] = None
    eligible_plan_types: Annotated[
        list[str] | None,
        Field(
            alias="eligiblePlanTypes",
            description="Raw plugin-service plan identifiers eligible to install the plugin.",
        ),
    ] = None
    enabled: bool
    id: str
    install_policy: Annotated[PluginInstallPolicy, Field(alias="installPolicy")]
    install_policy_source: Annotated[
        PluginInstallPolicySource | None, Field(alias="installPolicySource")
    ] = None
    installed: bool
    installed_at: Annotated[
        int | None,
        Field(
            alias="installedAt",
            description="Unix timestamp in seconds when the remote plugin was installed, when available.",
        ),
    ] = None
    interface: PluginInterface | None = None
    keywords: list[str] = []
    local_version: Annotated[
        str | None,
        Field(
            alias="localVersion",
            description="Version of the locally materialized plugin package when available.",
        ),
    ] = None
    must_show_installation_interstitial: Annotated[
        bool | None, Field(alias="mustShowInstallationInterstitial")
    ] = None
    name: str
    remote_plugin_id: Annotated[
        str | None,
        Field(
            alias="remotePluginId",
            description="Backend remote plugin identifier when available.",
        ),
    ] = None
    share_context: Annotated[
        PluginShareContext | None,
        Field(
            alias="shareContext",
            description="Remote sharing context associated with this plugin when available.",
        ),
    ] = None
    source: PluginSource
    version: Annotated[
        str | None,
        Field(
            description="Version advertised by the remote marketplace backend when available."
        ),
    ] = None


class ProcessResizePtyClientRequest(WireModel):
    id: RequestId
    method: Literal["process/resizePty"]
    params: ProcessResizePtyParams


class ProcessSpawnClientRequest(WireModel):
    id: RequestId
    method: Literal["process/spawn"]
    params: ProcessSpawnParams


class ProjectCreateClientRequest(WireModel):
    id: RequestId
    method: Literal["project/create"]
    params: ProjectCreateParams


class ProjectImportClientRequest(WireModel):
    id: RequestId
    method: Literal["project/import"]
    params: ProjectImportParams


class ProjectListClientRequest(WireModel):
    id: RequestId
    method: Literal["project/list"]
    params: ProjectListParams


class FunctionCallOutputResponseItem(WireModel):
    call_id: str | None = None
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    name: str | None = None
    namespace: str | None = None
    output: FunctionCallOutputBody
    type: Literal["function_call_output"]


class CustomToolCallOutputResponseItem(WireModel):
    call_id: str
    id: str | None = None
    internal_chat_message_metadata_passthrough: (
        InternalChatMessageMetadataPassthrough | None
    ) = None
    name: str | None = None
    output: FunctionCallOutputBody
    type: Literal["custom_tool_call_output"]


ResponseItem = TypeAliasType(
    "ResponseItem",
    Annotated[
        AdditionalToolsResponseItem | MessageResponseItem | AgentMessageResponseItem | ReasoningResponseItem | LocalShellCallResponseItem | FunctionCallResponseItem | ToolSearchCallResponseItem | FunctionCallOutputResponseItem | CustomToolCallResponseItem | CustomToolCallOutputResponseItem | ToolSearchOutputResponseItem | WebSearchCallResponseItem | ImageGenerationCallResponseItem | CompactionResponseItem | ConfigurationUpdateResponseItem | CompactionTriggerResponseItem | ContextCompactionResponseItem | OtherResponseItem,
        Field(discriminator="type"),
    ],
)


class ReviewStartClientRequest(WireModel):
    id: RequestId
    method: Literal["review/start"]
    params: ReviewStartParams


class SubAgentSessionSource(WireModel):
    sub_agent: Annotated[SubAgentSource, Field(alias="subAgent")]


SessionSource = TypeAliasType("SessionSource", Literal["cli", "vscode", "exec", "appServer", "unknown"] | CustomSessionSource | SubAgentSessionSource)


class ThreadForkClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/fork"]
    params: ThreadForkParams


class ThreadGoalClearClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/goal/clear"]
    params: ThreadGoalClearParams


class ThreadGoalSetClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/goal/set"]
    params: ThreadGoalSetParams


class FunctionCallOutputThreadItem(WireModel):
    id: str
    name: str
    namespace: str | None = None
    output: FunctionCallOutputBody
    type: Literal["functionCallOutput"]


ThreadItem = TypeAliasType(
    "ThreadItem",
    Annotated[
        UserMessageThreadItem | HookPromptThreadItem | AgentMessageThreadItem | FunctionCallOutputThreadItem | PlanThreadItem | ReasoningThreadItem | CommandExecutionThreadItem | FileChangeThreadItem | McpToolCallThreadItem | DynamicToolCallThreadItem | CollabAgentToolCallThreadItem | SubAgentActivityThreadItem | WebSearchThreadItem | ImageViewThreadItem | SleepThreadItem | ImageGenerationThreadItem | EnteredReviewModeThreadItem | ExitedReviewModeThreadItem | ContextCompactionThreadItem,
        Field(discriminator="type"),
    ],
)


class ThreadItemEntry(WireModel):
    completed_at_ms: Annotated[
        int | None,
        Field(
            alias="completedAtMs",
            description="Unix timestamp (milliseconds) when the item completed, if recorded by the producer.",
        ),
    ] = None
    item: ThreadItem
    started_at_ms: Annotated[
        int | None,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (milliseconds) when the item started, if recorded by the producer.",
        ),
    ] = None
    turn_id: Annotated[
        str, Field(alias="turnId", description="Turn containing this item.")
    ]


class ThreadItemsListResponse(WireModel):
    backwards_cursor: Annotated[
        str | None,
        Field(
            alias="backwardsCursor",
            description="Opaque cursor to pass as `cursor` when reversing `sortDirection`. This is only populated when the page contains at least one item.",
        ),
    ] = None
    data: list[ThreadItemEntry]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. if None, there are no more items to return.",
        ),
    ] = None


class ThreadItemsReadResponse(WireModel):
    data: list[ThreadItemEntry]


class ThreadListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/list"]
    params: ThreadListParams


class ThreadQueueAddClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/add"]
    params: ThreadQueueAddParams


class ThreadQueueUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/queue/update"]
    params: ThreadQueueUpdateParams


class ThreadRealtimeAppendAudioClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/appendAudio"]
    params: ThreadRealtimeAppendAudioParams


class ThreadRealtimeStartClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/realtime/start"]
    params: ThreadRealtimeStartParams


class ThreadResumeParams(WireModel):
    approval_policy: Annotated[AskForApproval | None, Field(alias="approvalPolicy")] = (
        None
    )
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Override where approval requests are routed for review on this thread and subsequent turns.",
        ),
    ] = None
    base_instructions: Annotated[str | None, Field(alias="baseInstructions")] = None
    config: dict[str, Any] | None = None
    cwd: str | None = None
    developer_instructions: Annotated[
        str | None, Field(alias="developerInstructions")
    ] = None
    exclude_turns: Annotated[
        bool | None,
        Field(
            alias="excludeTurns",
            description="When true, return only thread metadata and live-resume state without populating `thread.turns`. This is useful when the client plans to call `thread/turns/list` immediately after resuming. Full-history hydration is deprecated for paginated threads; use this with `thread/turns/list` and `thread/items/list` instead.",
        ),
    ] = None
    history: Annotated[
        list[ResponseItem] | None,
        Field(
            description="[UNSTABLE] FOR CODEX CLOUD - DO NOT USE. If specified, the thread will be resumed with the provided history instead of loaded from disk."
        ),
    ] = None
    initial_turns_page: Annotated[
        ThreadResumeInitialTurnsPageParams | None,
        Field(
            alias="initialTurnsPage",
            description="When present, include a `thread/turns/list` page in the resume response so clients can bootstrap recent turns without a second request.",
        ),
    ] = None
    model: Annotated[
        str | None,
        Field(description="Configuration overrides for the resumed thread, if any."),
    ] = None
    model_provider: Annotated[str | None, Field(alias="modelProvider")] = None
    path: Annotated[
        str | None,
        Field(
            description="[UNSTABLE] Specify the rollout path to resume from. If specified for a non-running thread, the thread_id param will be ignored. If thread_id identifies a running thread, the path must match the active rollout path."
        ),
    ] = None
    permissions: Annotated[
        str | None,
        Field(
            description="Named profile id for the resumed thread. Cannot be combined with `sandbox`."
        ),
    ] = None
    personality: Annotated[
        Personality | None,
        Field(
            description="@deprecated `friendly` and `pragmatic` no longer select a style. Changing this does not rewrite the thread's existing instructions."
        ),
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            alias="runtimeWorkspaceRoots",
            description="Replace the thread's runtime workspace roots. Paths must be absolute.",
        ),
    ] = None
    sandbox: SandboxMode | None = None
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    thread_id: Annotated[str, Field(alias="threadId")]


class ThreadSearchClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/search"]
    params: ThreadSearchParams


class ThreadSettingsUpdateClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/settings/update"]
    params: ThreadSettingsUpdateParams


class ThreadStartClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/start"]
    params: ThreadStartParams


class ItemThreadTimelineEntry(WireModel):
    item: ThreadItem
    position: Annotated[int, Field(ge=0)]
    turn_id: Annotated[str, Field(alias="turnId")]
    type: Literal["item"]


class TurnCompletedThreadTimelineEntry(WireModel):
    completed_at: int | None = None
    duration_ms: int | None = None
    error: TurnError | None = None
    position: Annotated[int, Field(ge=0)]
    started_at: int | None = None
    status: TurnStatus
    turn_id: str
    type: Literal["turnCompleted"]


ThreadTimelineEntry = TypeAliasType(
    "ThreadTimelineEntry",
    Annotated[
        ItemThreadTimelineEntry | RealtimeThreadTimelineEntry | TurnStartedThreadTimelineEntry | TurnCompletedThreadTimelineEntry,
        Field(
            description="EXPERIMENTAL - one item or turn boundary in canonical rollout order.",
            discriminator="type",
        ),
    ],
)


class ThreadTimelineListResponse(WireModel):
    active_realtime_session_at_page_start: Annotated[
        str | None, Field(alias="activeRealtimeSessionAtPageStart")
    ] = None
    data: list[ThreadTimelineEntry]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class ThreadTurnsListClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/turns/list"]
    params: ThreadTurnsListParams


class Turn(WireModel):
    completed_at: Annotated[
        int | None,
        Field(
            alias="completedAt",
            description="Unix timestamp (in seconds) when the turn completed.",
        ),
    ] = None
    duration_ms: Annotated[
        int | None,
        Field(
            alias="durationMs",
            description="Duration between turn start and completion in milliseconds, if known.",
        ),
    ] = None
    error: Annotated[
        TurnError | None,
        Field(description="Error associated with a failed or interrupted turn."),
    ] = None
    id: Annotated[
        str,
        Field(
            description="Identifier for this turn. Codex-generated turn IDs are UUIDv7."
        ),
    ]
    items: Annotated[
        list[ThreadItem],
        Field(description="Thread items currently included in this turn payload."),
    ]
    items_view: Annotated[
        TurnItemsView,
        Field(
            alias="itemsView",
            description="Describes how much of `items` has been loaded for this turn.",
        ),
    ] = "full"
    root_turn_id: Annotated[
        str | None,
        Field(
            alias="rootTurnId",
            description="ID of the first turn in the chain of work that led to this turn. Pass this as `rootTurnId` when starting work on behalf of this turn. May be null in older history or a `review/start` response.",
        ),
    ] = None
    started_at: Annotated[
        int | None,
        Field(
            alias="startedAt",
            description="Unix timestamp (in seconds) when the turn started.",
        ),
    ] = None
    status: TurnStatus


class TurnCompletedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    turn: Turn


class TurnCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["turn/completed"]
    params: TurnCompletedNotification


class TurnStartResponse(WireModel):
    turn: Turn


class TurnStartedNotification(WireModel):
    thread_id: Annotated[str, Field(alias="threadId")]
    turn: Turn


class TurnStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["turn/started"]
    params: TurnStartedNotification


class TurnSteerClientRequest(WireModel):
    id: RequestId
    method: Literal["turn/steer"]
    params: TurnSteerParams


class TurnToolOutput(WireModel):
    name: str
    namespace: str | None = None
    output: FunctionCallOutputBody
    retain: Annotated[
        bool | None,
        Field(
            description="Requests retention of this output in the thread's model history."
        ),
    ] = None


class TurnsPage(WireModel):
    backwards_cursor: Annotated[str | None, Field(alias="backwardsCursor")] = None
    data: list[Turn]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class AdditionalFileSystemPermissions(WireModel):
    entries: list[FileSystemSandboxEntry] | None = None
    glob_scan_max_depth: Annotated[
        int | None, Field(alias="globScanMaxDepth", ge=1)
    ] = None
    read: Annotated[
        list[LegacyAppPathString] | None,
        Field(description="This will be removed in favor of `entries`."),
    ] = None
    write: Annotated[
        list[LegacyAppPathString] | None,
        Field(description="This will be removed in favor of `entries`."),
    ] = None


class AdditionalPermissionProfile(WireModel):
    file_system: Annotated[
        AdditionalFileSystemPermissions | None, Field(alias="fileSystem")
    ] = None
    network: Annotated[
        AdditionalNetworkPermissions | None,
        Field(description="Partial overlay used for per-command permission requests."),
    ] = None


class CommandExecutionRequestApprovalParams(WireModel):
    additional_permissions: Annotated[
        AdditionalPermissionProfile | None,
        Field(
            alias="additionalPermissions",
            description="Optional additional permissions requested for this command.",
        ),
    ] = None
    approval_id: Annotated[
        str | None,
        Field(
            alias="approvalId",
            description="Unique identifier for this specific approval callback.\n\nFor regular shell/unified_exec approvals, this is null.\n\nFor zsh-exec-bridge subcommand approvals, multiple callbacks can belong to one parent `itemId`, so `approvalId` is a distinct opaque callback id (a UUID) used to disambiguate routing. Stdin approvals also use a distinct callback id; inspect `kind` to distinguish them.",
        ),
    ] = None
    available_decisions: Annotated[
        list[CommandExecutionApprovalDecision] | None,
        Field(
            alias="availableDecisions",
            description="Ordered list of decisions the client may present for this prompt.",
        ),
    ] = None
    command: Annotated[str | None, Field(description="The command to be executed.")] = (
        None
    )
    command_actions: Annotated[
        list[CommandAction] | None,
        Field(
            alias="commandActions",
            description="Best-effort parsed command actions for friendly display.",
        ),
    ] = None
    cwd: Annotated[
        LegacyAppPathString | None,
        Field(description="The command's working directory."),
    ] = None
    environment_id: Annotated[
        str | None,
        Field(
            alias="environmentId",
            description="Environment in which the command will run.",
        ),
    ] = None
    item_id: Annotated[str, Field(alias="itemId")]
    kind: Annotated[
        CommandExecutionApprovalKind,
        Field(
            description="Kind of action under review. Defaults to `command` for older servers."
        ),
    ] = "command"
    network_approval_context: Annotated[
        NetworkApprovalContext | None,
        Field(
            alias="networkApprovalContext",
            description="Optional context for a managed-network approval prompt.",
        ),
    ] = None
    proposed_execpolicy_amendment: Annotated[
        list[str] | None,
        Field(
            alias="proposedExecpolicyAmendment",
            description="Optional proposed execpolicy amendment to allow similar commands without prompting.",
        ),
    ] = None
    proposed_network_policy_amendments: Annotated[
        list[NetworkPolicyAmendment] | None,
        Field(
            alias="proposedNetworkPolicyAmendments",
            description="Optional proposed network policy amendments (allow/deny host) for future requests.",
        ),
    ] = None
    reason: Annotated[
        str | None,
        Field(
            description="Optional explanatory reason (e.g. request for network access)."
        ),
    ] = None
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this approval request started.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ConfigBatchWriteClientRequest(WireModel):
    id: RequestId
    method: Literal["config/batchWrite"]
    params: ConfigBatchWriteParams


class ConfigRequirements(WireModel):
    additional_developer_instructions: Annotated[
        str | None, Field(alias="additionalDeveloperInstructions")
    ] = None
    allow_appshots: Annotated[bool | None, Field(alias="allowAppshots")] = None
    allow_browser_and_computer_use: Annotated[
        bool | None, Field(alias="allowBrowserAndComputerUse")
    ] = None
    allow_login_shell: Annotated[bool | None, Field(alias="allowLoginShell")] = None
    allow_managed_hooks_only: Annotated[
        bool | None, Field(alias="allowManagedHooksOnly")
    ] = None
    allow_remote_control: Annotated[bool | None, Field(alias="allowRemoteControl")] = (
        None
    )
    allowed_approval_policies: Annotated[
        list[AskForApproval] | None, Field(alias="allowedApprovalPolicies")
    ] = None
    allowed_approvals_reviewers: Annotated[
        list[ApprovalsReviewer] | None, Field(alias="allowedApprovalsReviewers")
    ] = None
    allowed_login_methods: Annotated[
        list[ForcedLoginMethod] | None,
        Field(
            alias="allowedLoginMethods",
            description="Effective login methods after managed, forced-login, and workspace restrictions. An empty list permits no login method. Older servers may omit this field.",
        ),
    ] = None
    allowed_permission_profiles: Annotated[
        dict[str, Any] | None, Field(alias="allowedPermissionProfiles")
    ] = None
    allowed_sandbox_modes: Annotated[
        list[SandboxMode] | None, Field(alias="allowedSandboxModes")
    ] = None
    allowed_web_search_modes: Annotated[
        list[WebSearchMode] | None, Field(alias="allowedWebSearchModes")
    ] = None
    allowed_windows_sandbox_implementations: Annotated[
        list[WindowsSandboxImplementation] | None,
        Field(alias="allowedWindowsSandboxImplementations"),
    ] = None
    application: ApplicationRequirements | None = None
    auto_review: Annotated[AutoReviewRequirements | None, Field(alias="autoReview")] = (
        None
    )
    browser_use: Annotated[BrowserUseRequirements | None, Field(alias="browserUse")] = (
        None
    )
    chatgpt_base_url: Annotated[str | None, Field(alias="chatgptBaseUrl")] = None
    check_for_update_on_startup: Annotated[
        bool | None, Field(alias="checkForUpdateOnStartup")
    ] = None
    cli_auth_credentials_store: Annotated[
        CliAuthCredentialsStoreMode | None, Field(alias="cliAuthCredentialsStore")
    ] = None
    computer_use: Annotated[
        ComputerUseRequirements | None, Field(alias="computerUse")
    ] = None
    default_permissions: Annotated[str | None, Field(alias="defaultPermissions")] = None
    enforce_residency: Annotated[
        ResidencyRequirement | None, Field(alias="enforceResidency")
    ] = None
    feature_requirements: Annotated[
        dict[str, Any] | None, Field(alias="featureRequirements")
    ] = None
    feedback: FeedbackRequirements | None = None
    hooks: ManagedHooksRequirements | None = None
    in_app_browser: Annotated[
        InAppBrowserRequirements | None, Field(alias="inAppBrowser")
    ] = None
    log_dir: Annotated[str | None, Field(alias="logDir")] = None
    model_catalog_json: Annotated[str | None, Field(alias="modelCatalogJson")] = None
    model_provider: Annotated[
        str | None,
        Field(
            alias="modelProvider",
            description="Exact provider selection required by managed policy.",
        ),
    ] = None
    model_providers: Annotated[
        dict[str, Any] | None,
        Field(
            alias="modelProviders",
            description="Complete required provider definitions, using config.toml field names.",
        ),
    ] = None
    models: ModelsRequirements | None = None
    network: NetworkRequirements | None = None
    sqlite_home: Annotated[str | None, Field(alias="sqliteHome")] = None


class ConfigRequirementsReadResponse(WireModel):
    requirements: Annotated[
        ConfigRequirements | None,
        Field(
            description="Null if no requirements are configured (e.g. no requirements.toml/MDM entries)."
        ),
    ] = None
    supports_independent_speed_modes: Annotated[
        bool | None,
        Field(
            alias="supportsIndependentSpeedModes",
            description="Whether Fast and Ultra Fast requirements are enforced independently. Older servers omit this field and use Fast mode as a shared speed gate.",
        ),
    ] = None


class ExternalAgentConfigDetectResponse(WireModel):
    connectors: Annotated[
        list[ExternalAgentDetectedConnectorCandidate], Field(validate_default=True)
    ] = []
    items: list[ExternalAgentConfigMigrationItem]


class ExternalAgentConfigImportHistoriesReadResponse(WireModel):
    connectors: list[ExternalAgentImportedConnectorCandidate]
    data: list[ExternalAgentConfigImportHistory]


class ExternalAgentConfigImportHistoryRecordParams(WireModel):
    item_type_results: Annotated[
        list[ExternalAgentConfigImportHistoryRecordTypeResultParams],
        Field(
            alias="itemTypeResults",
            description="Completed results grouped by imported item type.",
        ),
    ]
    provider_id: Annotated[
        str,
        Field(
            alias="providerId",
            description="Opaque provider identifier for the externally completed import.",
        ),
    ]


class ExternalAgentConfigImportParams(WireModel):
    migration_items: Annotated[
        list[ExternalAgentConfigMigrationItem], Field(alias="migrationItems")
    ]
    migration_source: Annotated[
        str | None,
        Field(
            alias="migrationSource",
            description="Migration-source selector used to produce the migration items. Pass the same value to detection and import; missing or unrecognized values use the default source.",
        ),
    ] = None
    provider_id: Annotated[
        str | None,
        Field(
            alias="providerId",
            description="Opaque provider identifier supplied by the caller for analytics attribution and import history display. This does not select the migration source.",
        ),
    ] = None
    source: Annotated[
        str | None,
        Field(
            description="Optional identifier for the product that initiated the import."
        ),
    ] = None


class ExternalAgentConfigImportRecordHistoryClientRequest(WireModel):
    id: RequestId
    method: Literal["externalAgentConfig/import/recordHistory"]
    params: ExternalAgentConfigImportHistoryRecordParams


class GrantedPermissionProfile(WireModel):
    file_system: Annotated[
        AdditionalFileSystemPermissions | None, Field(alias="fileSystem")
    ] = None
    network: AdditionalNetworkPermissions | None = None


class ItemCommandExecutionRequestApprovalServerRequest(WireModel):
    id: RequestId
    method: Literal["item/commandExecution/requestApproval"]
    params: CommandExecutionRequestApprovalParams


class ItemCompletedNotification(WireModel):
    completed_at_ms: Annotated[
        int,
        Field(
            alias="completedAtMs",
            description="Unix timestamp (in milliseconds) when this item lifecycle completed.",
        ),
    ]
    item: ThreadItem
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ItemCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/completed"]
    params: ItemCompletedNotification


class ItemStartedNotification(WireModel):
    item: ThreadItem
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this item lifecycle started.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ItemStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/started"]
    params: ItemStartedNotification


class PermissionsRequestApprovalResponse(WireModel):
    permissions: GrantedPermissionProfile
    scope: PermissionGrantScope = "turn"
    strict_auto_review: Annotated[
        bool | None,
        Field(
            alias="strictAutoReview",
            description="Review every subsequent command in this turn before normal sandboxed execution.",
        ),
    ] = None


class PluginDetail(WireModel):
    app_templates: Annotated[list[AppTemplateSummary], Field(alias="appTemplates")]
    apps: list[AppSummary]
    description: str | None = None
    hooks: list[PluginHookSummary]
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]
    marketplace_path: Annotated[
        AbsolutePathBuf | None, Field(alias="marketplacePath")
    ] = None
    mcp_servers: Annotated[list[str], Field(alias="mcpServers")]
    onboarding_skill: Annotated[
        SkillSummary | None,
        Field(
            alias="onboardingSkill",
            description="The declared onboarding skill, when the plugin and visible skill are enabled.",
        ),
    ] = None
    scheduled_tasks: Annotated[
        list[ScheduledTaskSummary] | None, Field(alias="scheduledTasks")
    ] = None
    share_url: Annotated[str | None, Field(alias="shareUrl")] = None
    skills: list[SkillSummary]
    summary: PluginSummary


class PluginMarketplaceEntry(WireModel):
    interface: MarketplaceInterface | None = None
    name: str
    path: Annotated[
        AbsolutePathBuf | None,
        Field(
            description="Local marketplace file path when the marketplace is backed by a local file. Remote-only catalog marketplaces do not have a local path."
        ),
    ] = None
    plugins: list[PluginSummary]


class PluginReadResponse(WireModel):
    plugin: PluginDetail


class PluginSearchResult(WireModel):
    marketplace_name: Annotated[str, Field(alias="marketplaceName")]
    marketplace_path: Annotated[
        AbsolutePathBuf | None, Field(alias="marketplacePath")
    ] = None
    plugin: PluginSummary


class PluginShareListItem(WireModel):
    local_plugin_path: Annotated[
        AbsolutePathBuf | None, Field(alias="localPluginPath")
    ] = None
    plugin: PluginSummary


class PluginShareListResponse(WireModel):
    data: list[PluginShareListItem]


class PluginShareSaveClientRequest(WireModel):
    id: RequestId
    method: Literal["plugin/share/save"]
    params: PluginShareSaveParams


class RawResponseItemCompletedNotification(WireModel):
    item: ResponseItem
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class RequestPermissionProfile(WireModel):
    file_system: Annotated[
        AdditionalFileSystemPermissions | None, Field(alias="fileSystem")
    ] = None
    network: AdditionalNetworkPermissions | None = None


class ReviewStartResponse(WireModel):
    review_thread_id: Annotated[
        str,
        Field(
            alias="reviewThreadId",
            description="Identifies the thread where the review runs.\n\nFor inline reviews, this is the original thread id. For detached reviews, this is the id of the new review thread.",
        ),
    ]
    turn: Turn


class Thread(WireModel):
    agent_nickname: Annotated[
        str | None,
        Field(
            alias="agentNickname",
            description="Optional random unique nickname assigned to an AgentControl-spawned sub-agent.",
        ),
    ] = None
    agent_role: Annotated[
        str | None,
        Field(
            alias="agentRole",
            description="Optional role (agent_role) assigned to an AgentControl-spawned sub-agent.",
        ),
    ] = None
    can_accept_direct_input: Annotated[
        bool | None,
        Field(
            alias="canAcceptDirectInput",
            description="Whether the app server accepts direct turn input for this loaded thread. `None` means the capability is unavailable, such as for an unloaded stored thread.",
        ),
    ] = None
    cli_version: Annotated[
        str,
        Field(
            alias="cliVersion",
            description="Version of the CLI that created the thread.",
        ),
    ]
    created_at: Annotated[
        int,
        Field(
            alias="createdAt",
            description="Unix timestamp (in seconds) when the thread was created.",
        ),
    ]
    cwd: Annotated[
        AbsolutePathBuf, Field(description="Working directory captured for the thread.")
    ]
    daybreak_enabled: Annotated[
        bool | None,
        Field(
            alias="daybreakEnabled",
            description="Saved Daybreak choice, independent of turn execution. Null if unset.",
        ),
    ] = None
    environments: Annotated[
        list[ThreadEnvironment] | None,
        Field(
            description="Current environments for a loaded thread, in priority order, primary first. `null` means the thread is not loaded or the server does not expose its selection. An empty list means no environments are selected. This does not report connection status."
        ),
    ] = None
    ephemeral: Annotated[
        bool,
        Field(
            description="Whether the thread is ephemeral and should not be materialized on disk."
        ),
    ]
    extra: Annotated[
        ThreadExtra | None,
        Field(description="Optional implementation-specific thread data."),
    ] = None
    forked_from_id: Annotated[
        str | None,
        Field(
            alias="forkedFromId",
            description="Source thread id when this thread was created by forking another thread.",
        ),
    ] = None
    git_info: Annotated[
        GitInfo | None,
        Field(
            alias="gitInfo",
            description="Optional Git metadata captured when the thread was created.",
        ),
    ] = None
    history_mode: Annotated[
        ThreadHistoryMode,
        Field(
            alias="historyMode",
            description="Persisted thread history contract selected when this thread was created.",
        ),
    ] = "legacy"
    id: Annotated[
        str,
        Field(
            description="Identifier for this thread. Codex-generated thread IDs are UUIDv7."
        ),
    ]
    model: Annotated[
        str | None,
        Field(
            description="Current configured model when loaded, otherwise the latest persisted model. Null when unavailable. This is not per-turn execution telemetry."
        ),
    ] = None
    model_provider: Annotated[
        str,
        Field(
            alias="modelProvider",
            description="Model provider used for this thread (for example, 'openai').",
        ),
    ]
    name: Annotated[
        str | None, Field(description="Optional user-facing thread title.")
    ] = None
    originator: Annotated[
        str | None,
        Field(
            description="Originator recorded when the thread was created, independent of its current client or executor. Null when the recorded originator is unavailable."
        ),
    ] = None
    parent_thread_id: Annotated[
        str | None,
        Field(
            alias="parentThreadId",
            description="The ID of the parent thread. This will only be set if this thread is a subagent.",
        ),
    ] = None
    path: Annotated[
        str | None, Field(description="[UNSTABLE] Path to the thread on disk.")
    ] = None
    preview: Annotated[
        str,
        Field(
            description="Usually the first user message in the thread, if available."
        ),
    ]
    project_id: Annotated[
        str | None,
        Field(
            alias="projectId",
            description="Canonical project assignment owned by app-server, if any.",
        ),
    ]
    reasoning_effort: Annotated[
        ReasoningEffort | None,
        Field(
            alias="reasoningEffort",
            description="Current configured reasoning effort when loaded, otherwise the latest persisted effort. Null when unset or unavailable. This is not per-turn execution telemetry.",
        ),
    ] = None
    recency_at: Annotated[
        int | None,
        Field(
            alias="recencyAt",
            description="Unix timestamp (in seconds) used for thread recency ordering.",
        ),
    ] = None
    section: Annotated[
        ThreadSection | None,
        Field(
            description="The independently persisted section selected for this thread, if any."
        ),
    ] = None
    section_entered_at: Annotated[
        int | None,
        Field(
            alias="sectionEnteredAt",
            description="Unix timestamp in seconds when the thread entered its current section.",
        ),
    ] = None
    session_id: Annotated[
        str,
        Field(
            alias="sessionId",
            description="Session id shared by threads that belong to the same session tree.",
        ),
    ]
    source: Annotated[
        SessionSource,
        Field(
            description="Origin of the thread (CLI, VSCode, codex exec, codex app-server, etc.)."
        ),
    ]
    status: Annotated[
        ThreadStatus, Field(description="Current runtime status for the thread.")
    ]
    thread_source: Annotated[
        ThreadSource | None,
        Field(
            alias="threadSource",
            description="Optional analytics source classification for this thread.",
        ),
    ] = None
    turns: Annotated[
        list[Turn],
        Field(
            description="Only populated on `thread/resume`, `thread/fork`, and `thread/read` (when `includeTurns` is true) responses. For all other responses and notifications returning a Thread, the turns field will be an empty list."
        ),
    ]
    updated_at: Annotated[
        int,
        Field(
            alias="updatedAt",
            description="Unix timestamp (in seconds) when the thread was last updated.",
        ),
    ]


class ThreadForkResponse(WireModel):
    active_permission_profile: Annotated[
        ActivePermissionProfile | None,
        Field(
            alias="activePermissionProfile",
            description="Named or implicit built-in profile that produced the active permissions, when known.",
        ),
    ] = None
    approval_policy: Annotated[AskForApproval, Field(alias="approvalPolicy")]
    approvals_reviewer: Annotated[
        ApprovalsReviewer,
        Field(
            alias="approvalsReviewer",
            description="Reviewer currently used for approval requests on this thread.",
        ),
    ]
    cwd: AbsolutePathBuf
    disabled_plugin_ids: Annotated[
        list[str],
        Field(
            alias="disabledPluginIds",
            description="Saved list of disabled plugin IDs. Does not yet filter plugin capabilities.",
        ),
    ] = []
    instruction_sources: Annotated[
        list[LegacyAppPathString],
        Field(
            alias="instructionSources",
            description="Environment-native paths to instruction source files currently loaded for this thread.",
        ),
    ] = []
    model: str
    model_provider: Annotated[str, Field(alias="modelProvider")]
    multi_agent_mode: Annotated[
        MultiAgentMode,
        Field(
            alias="multiAgentMode",
            description="@deprecated Always `explicitRequestOnly`. Use `reasoningEffort` for Ultra behavior.",
            validate_default=True,
        ),
    ] = "explicitRequestOnly"
    reasoning_effort: Annotated[
        ReasoningEffort | None, Field(alias="reasoningEffort")
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf],
        Field(
            alias="runtimeWorkspaceRoots",
            description="Thread-scoped runtime workspace roots used to materialize `:workspace_roots`.",
        ),
    ] = []
    sandbox: Annotated[
        SandboxPolicy,
        Field(
            description="Legacy sandbox policy retained for compatibility. Experimental clients should prefer `activePermissionProfile` for profile provenance."
        ),
    ]
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    thread: Thread


class ThreadListResponse(WireModel):
    backwards_cursor: Annotated[
        str | None,
        Field(
            alias="backwardsCursor",
            description="Opaque cursor to pass as `cursor` when reversing `sortDirection`. This is only populated when the page contains at least one thread. Use it with the opposite `sortDirection`; for timestamp sorts it anchors at the start of the page timestamp so same-second updates are not skipped.",
        ),
    ] = None
    data: list[Thread]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. if None, there are no more items to return.",
        ),
    ] = None
    read_states: Annotated[
        dict[str, Any] | None,
        Field(
            alias="readStates",
            description="Local receipts for eligible threads on this page, keyed by thread ID. Null means durable read state is unavailable; an absent key means that row is ineligible.",
        ),
    ] = None


class ThreadMetadataUpdateResponse(WireModel):
    thread: Thread


class ThreadQueueStartResponse(WireModel):
    turn: Turn


class ThreadReadResponse(WireModel):
    read_state: Annotated[
        ThreadReadState | None,
        Field(
            alias="readState",
            description="Local receipt. Null means this thread's durable read state is unavailable.",
        ),
    ] = None
    thread: Thread


class ThreadResumeClientRequest(WireModel):
    id: RequestId
    method: Literal["thread/resume"]
    params: ThreadResumeParams


class ThreadResumeResponse(WireModel):
    active_permission_profile: Annotated[
        ActivePermissionProfile | None,
        Field(
            alias="activePermissionProfile",
            description="Named or implicit built-in profile that produced the active permissions, when known.",
        ),
    ] = None
    approval_policy: Annotated[AskForApproval, Field(alias="approvalPolicy")]
    approvals_reviewer: Annotated[
        ApprovalsReviewer,
        Field(
            alias="approvalsReviewer",
            description="Reviewer currently used for approval requests on this thread.",
        ),
    ]
    collaboration_mode: Annotated[
        CollaborationMode | None,
        Field(
            alias="collaborationMode",
            description="Effective collaboration mode. Absent when resuming from an older server.",
        ),
    ] = None
    cwd: AbsolutePathBuf
    disabled_plugin_ids: Annotated[
        list[str],
        Field(
            alias="disabledPluginIds",
            description="Saved list of disabled plugin IDs. Does not yet filter plugin capabilities.",
        ),
    ] = []
    initial_turns_page: Annotated[
        TurnsPage | None,
        Field(
            alias="initialTurnsPage",
            description="`thread/turns/list` page returned when requested by `initialTurnsPage`.",
        ),
    ] = None
    instruction_sources: Annotated[
        list[LegacyAppPathString],
        Field(
            alias="instructionSources",
            description="Environment-native paths to instruction source files currently loaded for this thread.",
        ),
    ] = []
    items_backwards_cursor: Annotated[
        str | None,
        Field(
            alias="itemsBackwardsCursor",
            description='Opaque cursor for hydrating paginated items backwards.\n\nPass this as `cursor` to `thread/items/list` with `sortDirection: "desc"`. The first page includes the item identified by the cursor.',
        ),
    ] = None
    model: str
    model_provider: Annotated[str, Field(alias="modelProvider")]
    multi_agent_mode: Annotated[
        MultiAgentMode,
        Field(
            alias="multiAgentMode",
            description="@deprecated Always `explicitRequestOnly`. Use `reasoningEffort` for Ultra behavior.",
            validate_default=True,
        ),
    ] = "explicitRequestOnly"
    reasoning_effort: Annotated[
        ReasoningEffort | None, Field(alias="reasoningEffort")
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf],
        Field(
            alias="runtimeWorkspaceRoots",
            description="Thread-scoped runtime workspace roots used to materialize `:workspace_roots`.",
        ),
    ] = []
    sandbox: Annotated[
        SandboxPolicy,
        Field(
            description="Legacy sandbox policy retained for compatibility. Experimental clients should prefer `activePermissionProfile` for profile provenance."
        ),
    ]
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    thread: Thread
    turns_backwards_cursor: Annotated[
        str | None,
        Field(
            alias="turnsBackwardsCursor",
            description='Opaque cursor for hydrating paginated turns backwards.\n\nPass this as `cursor` to `thread/turns/list` with `sortDirection: "desc"`. The first page includes the turn identified by the cursor.',
        ),
    ] = None


class ThreadRevertResponse(WireModel):
    items_backwards_cursor: Annotated[
        str | None,
        Field(
            alias="itemsBackwardsCursor",
            description='Opaque cursor for hydrating paginated items backwards.\n\nPass this as `cursor` to `thread/items/list` with `sortDirection: "desc"`. The first page includes the item identified by the cursor.',
        ),
    ] = None
    thread: Annotated[
        Thread,
        Field(
            description="Updated loaded thread metadata. `turns` is always empty; hydrate retained history through `thread/turns/list`."
        ),
    ]
    turns_backwards_cursor: Annotated[
        str | None,
        Field(
            alias="turnsBackwardsCursor",
            description='Opaque cursor for hydrating paginated turns backwards.\n\nPass this as `cursor` to `thread/turns/list` with `sortDirection: "desc"`. The first page includes the turn identified by the cursor.',
        ),
    ] = None


class ThreadSearchResult(WireModel):
    snippet: str
    thread: Thread


class ThreadStartResponse(WireModel):
    active_permission_profile: Annotated[
        ActivePermissionProfile | None,
        Field(
            alias="activePermissionProfile",
            description="Named or implicit built-in profile that produced the active permissions, when known.",
        ),
    ] = None
    approval_policy: Annotated[AskForApproval, Field(alias="approvalPolicy")]
    approvals_reviewer: Annotated[
        ApprovalsReviewer,
        Field(
            alias="approvalsReviewer",
            description="Reviewer currently used for approval requests on this thread.",
        ),
    ]
    cwd: AbsolutePathBuf
    disabled_plugin_ids: Annotated[
        list[str],
        Field(
            alias="disabledPluginIds",
            description="Saved list of disabled plugin IDs. Does not yet filter plugin capabilities.",
        ),
    ] = []
    instruction_sources: Annotated[
        list[LegacyAppPathString],
        Field(
            alias="instructionSources",
            description="Environment-native paths to instruction source files currently loaded for this thread.",
        ),
    ] = []
    model: str
    model_provider: Annotated[str, Field(alias="modelProvider")]
    multi_agent_mode: Annotated[
        MultiAgentMode,
        Field(
            alias="multiAgentMode",
            description="@deprecated Always `explicitRequestOnly`. Use `reasoningEffort` for Ultra behavior.",
            validate_default=True,
        ),
    ] = "explicitRequestOnly"
    reasoning_effort: Annotated[
        ReasoningEffort | None, Field(alias="reasoningEffort")
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf],
        Field(
            alias="runtimeWorkspaceRoots",
            description="Thread-scoped runtime workspace roots used to materialize `:workspace_roots`.",
        ),
    ] = []
    sandbox: Annotated[
        SandboxPolicy,
        Field(
            description="Legacy sandbox policy retained for compatibility. Experimental clients should prefer `activePermissionProfile` for profile provenance."
        ),
    ]
    service_tier: Annotated[str | None, Field(alias="serviceTier")] = None
    thread: Thread


class ThreadStartedNotification(WireModel):
    thread: Thread


class ThreadStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["thread/started"]
    params: ThreadStartedNotification


class ThreadTurnsListResponse(WireModel):
    backwards_cursor: Annotated[
        str | None,
        Field(
            alias="backwardsCursor",
            description="Opaque cursor to pass as `cursor` when reversing `sortDirection`. This is only populated when the page contains at least one turn. Use it with the opposite `sortDirection` to include the anchor turn again and catch updates to that turn.",
        ),
    ] = None
    data: list[Turn]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last turn. if None, there are no more turns to return.",
        ),
    ] = None


class ThreadUnarchiveResponse(WireModel):
    thread: Thread


class TurnStartParams(WireModel):
    additional_context: Annotated[
        dict[str, Any] | None,
        Field(
            alias="additionalContext",
            description="Optional client-provided context fragments keyed by an opaque source identifier.",
        ),
    ] = None
    approval_policy: Annotated[
        AskForApproval | None,
        Field(
            alias="approvalPolicy",
            description="Override the approval policy for this turn and subsequent turns.",
        ),
    ] = None
    approvals_reviewer: Annotated[
        ApprovalsReviewer | None,
        Field(
            alias="approvalsReviewer",
            description="Override where approval requests are routed for review on this turn and subsequent turns.",
        ),
    ] = None
    client_user_message_id: Annotated[
        str | None, Field(alias="clientUserMessageId")
    ] = None
    collaboration_mode: Annotated[
        CollaborationMode | None,
        Field(
            alias="collaborationMode",
            description='EXPERIMENTAL - Set a pre-set collaboration mode. Takes precedence over model, reasoning_effort, and developer instructions if set.\n\nFor `collaboration_mode.settings.developer_instructions`, `null` means "use the built-in instructions for the selected mode".',
        ),
    ] = None
    cwd: Annotated[
        str | None,
        Field(
            description="Override the working directory for this turn and subsequent turns."
        ),
    ] = None
    cyber_access_program: Annotated[
        CyberAccessProgram | None,
        Field(
            alias="cyberAccessProgram",
            description="EXPERIMENTAL - Request an authorized cyber program for this turn. Omission preserves automatic behavior. This does not grant access.",
        ),
    ] = None
    disabled_plugin_ids: Annotated[
        list[str] | None,
        Field(
            alias="disabledPluginIds",
            description="Replace this thread's disabled plugin IDs. Omitted/null preserves the list; [] clears it.",
        ),
    ] = None
    effort: Annotated[
        ReasoningEffort | None,
        Field(
            description="Override the reasoning effort for this turn and subsequent turns."
        ),
    ] = None
    environments: Annotated[
        list[TurnEnvironmentParams] | None,
        Field(
            description="Optional environments for this turn and subsequent turns.\n\nOmitted uses the thread sticky environments. Empty disables environment access for this turn. Non-empty selects the first environment as the current turn environment for this turn."
        ),
    ] = None
    input: list[UserInput]
    model: Annotated[
        str | None,
        Field(description="Override the model for this turn and subsequent turns."),
    ] = None
    multi_agent_mode: Annotated[
        MultiAgentMode | None,
        Field(
            alias="multiAgentMode",
            description='@deprecated Ignored. Use `effort: "ultra"` for proactive multi-agent behavior.',
        ),
    ] = None
    output_schema: Annotated[
        Any | None,
        Field(
            alias="outputSchema",
            description="Optional JSON Schema used to constrain the final assistant message for this turn.",
        ),
    ] = None
    parent_turn_id: Annotated[
        str | None,
        Field(
            alias="parentTurnId",
            description="ID of the turn that caused this new turn to start.\n\nSet this when starting work on behalf of another turn, such as delegated work in a different thread. Leave unset for work started directly by the user. Ignored when this request adds input to an active turn.",
        ),
    ] = None
    permissions: Annotated[
        str | None,
        Field(
            description="Select a named permissions profile id for this turn and subsequent turns. Cannot be combined with `sandboxPolicy`."
        ),
    ] = None
    personality: Annotated[
        Personality | None,
        Field(
            description="@deprecated `friendly` and `pragmatic` no longer select a style. Changing this does not rewrite the thread's existing instructions."
        ),
    ] = None
    responsesapi_client_metadata: Annotated[
        dict[str, Any] | None,
        Field(
            alias="responsesapiClientMetadata",
            description='Optional metadata to enrich Codex\'s ResponsesAPI turn metadata.\n\nEntries are flattened into the JSON string sent as `client_metadata["x-codex-turn-metadata"]` on ResponsesAPI HTTP and websocket requests.\n\nThey are not sent as top-level ResponsesAPI `client_metadata` keys, and reserved keys such as `session_id`, `thread_id`, `turn_id`, and `window_id` cannot be overridden.',
        ),
    ] = None
    root_turn_id: Annotated[
        str | None,
        Field(
            alias="rootTurnId",
            description="ID of the first turn in the chain of work that led to this new turn.\n\nWhen setting `parentTurnId`, set this to the parent turn's `rootTurnId` when known. This keeps descendant work attributed to the original turn. If omitted, the new turn becomes its own root. Ignored when this request adds input to an active turn.",
        ),
    ] = None
    runtime_workspace_roots: Annotated[
        list[AbsolutePathBuf] | None,
        Field(
            alias="runtimeWorkspaceRoots",
            description="Replace the thread's runtime workspace roots for this turn and subsequent turns. Paths must be absolute.",
        ),
    ] = None
    sandbox_policy: Annotated[
        SandboxPolicy | None,
        Field(
            alias="sandboxPolicy",
            description="Override the sandbox policy for this turn and subsequent turns.",
        ),
    ] = None
    service_tier: Annotated[
        str | None,
        Field(
            alias="serviceTier",
            description="Override the service tier for this turn and subsequent turns.",
        ),
    ] = None
    service_tier_for_turn: Annotated[
        str | None,
        Field(
            alias="serviceTierForTurn",
            description='Override the service tier only when this request starts a new turn. Use "default" for standard speed. Omitted or null inherits the thread\'s tier. Does not change the thread\'s tier or a turn being steered.',
        ),
    ] = None
    summary: Annotated[
        ReasoningSummary | None,
        Field(
            description="Override the reasoning summary for this turn and subsequent turns."
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    tool_output: Annotated[TurnToolOutput | None, Field(alias="toolOutput")] = None
    turn_trigger: Annotated[
        str | None,
        Field(
            alias="turnTrigger",
            description="Optional source classification for the caller that starts this turn. Ignored when this request steers an already-active turn.",
        ),
    ] = None


class ExternalAgentConfigImportClientRequest(WireModel):
    id: RequestId
    method: Literal["externalAgentConfig/import"]
    params: ExternalAgentConfigImportParams


class RequestPermissionsGuardianApprovalReviewAction(WireModel):
    permissions: RequestPermissionProfile
    reason: str | None = None
    type: Literal["requestPermissions"]


GuardianApprovalReviewAction = TypeAliasType(
    "GuardianApprovalReviewAction",
    Annotated[
        CommandGuardianApprovalReviewAction | ExecveGuardianApprovalReviewAction | WriteStdinGuardianApprovalReviewAction | ApplyPatchGuardianApprovalReviewAction | NetworkAccessGuardianApprovalReviewAction | McpToolCallGuardianApprovalReviewAction | RequestPermissionsGuardianApprovalReviewAction,
        Field(discriminator="type"),
    ],
)


class ItemGuardianApprovalReviewCompletedNotification(WireModel):
    action: GuardianApprovalReviewAction
    completed_at_ms: Annotated[
        int,
        Field(
            alias="completedAtMs",
            description="Unix timestamp (in milliseconds) when this review completed.",
        ),
    ]
    decision_source: Annotated[AutoReviewDecisionSource, Field(alias="decisionSource")]
    review: GuardianApprovalReview
    review_id: Annotated[
        str, Field(alias="reviewId", description="Stable identifier for this review.")
    ]
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this review started.",
        ),
    ]
    target_item_id: Annotated[
        str | None,
        Field(
            alias="targetItemId",
            description="Identifier for the reviewed item or tool call when one exists.\n\nIn most cases, one review maps to one target item. The exceptions are - execve reviews, where a single command may contain multiple execve calls to review (only possible when using the shell_zsh_fork feature) - stdin reviews, which refer to the existing parent command item and have a separate approval ID in the action payload - network policy reviews, where there is no target item\n\nA network call is triggered by a CommandExecution item, so having a target_item_id set to the CommandExecution item would be misleading because the review is about the network call, not the command execution. Therefore, target_item_id is set to None for network policy reviews.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class ItemGuardianApprovalReviewStartedNotification(WireModel):
    action: GuardianApprovalReviewAction
    review: GuardianApprovalReview
    review_id: Annotated[
        str, Field(alias="reviewId", description="Stable identifier for this review.")
    ]
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this review started.",
        ),
    ]
    target_item_id: Annotated[
        str | None,
        Field(
            alias="targetItemId",
            description="Identifier for the reviewed item or tool call when one exists.\n\nIn most cases, one review maps to one target item. The exceptions are - execve reviews, where a single command may contain multiple execve calls to review (only possible when using the shell_zsh_fork feature) - stdin reviews, which refer to the existing parent command item and have a separate approval ID in the action payload - network policy reviews, where there is no target item\n\nA network call is triggered by a CommandExecution item, so having a target_item_id set to the CommandExecution item would be misleading because the review is about the network call, not the command execution. Therefore, target_item_id is set to None for network policy reviews.",
        ),
    ] = None
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class PermissionsRequestApprovalParams(WireModel):
    cwd: LegacyAppPathString
    environment_id: Annotated[str | None, Field(alias="environmentId")] = None
    item_id: Annotated[str, Field(alias="itemId")]
    permissions: RequestPermissionProfile
    reason: str | None = None
    started_at_ms: Annotated[
        int,
        Field(
            alias="startedAtMs",
            description="Unix timestamp (in milliseconds) when this approval request started.",
        ),
    ]
    thread_id: Annotated[str, Field(alias="threadId")]
    turn_id: Annotated[str, Field(alias="turnId")]


class PluginInstalledResponse(WireModel):
    marketplace_load_errors: Annotated[
        list[MarketplaceLoadErrorInfo],
        Field(alias="marketplaceLoadErrors", validate_default=True),
    ] = []
    marketplaces: list[PluginMarketplaceEntry]


class PluginListResponse(WireModel):
    featured_plugin_ids: Annotated[list[str], Field(alias="featuredPluginIds")] = []
    marketplace_load_errors: Annotated[
        list[MarketplaceLoadErrorInfo],
        Field(alias="marketplaceLoadErrors", validate_default=True),
    ] = []
    marketplaces: list[PluginMarketplaceEntry]


class PluginSearchResponse(WireModel):
    data: list[PluginSearchResult]
    next_cursor: Annotated[str | None, Field(alias="nextCursor")] = None


class ThreadSearchResponse(WireModel):
    backwards_cursor: Annotated[
        str | None,
        Field(
            alias="backwardsCursor",
            description="Opaque cursor to pass as `cursor` when reversing `sortDirection`. This is only populated when the page contains at least one thread. Use it with the opposite `sortDirection`; for timestamp sorts it anchors at the start of the page timestamp so same-second updates are not skipped.",
        ),
    ] = None
    data: list[ThreadSearchResult]
    next_cursor: Annotated[
        str | None,
        Field(
            alias="nextCursor",
            description="Opaque cursor to pass to the next call to continue after the last item. if None, there are no more items to return.",
        ),
    ] = None


class TurnStartClientRequest(WireModel):
    id: RequestId
    method: Literal["turn/start"]
    params: TurnStartParams


ClientRequest = TypeAliasType(
    "ClientRequest",
    Annotated[
        InitializeClientRequest | ServerDiagnosticsClientRequest | UserVerificationStatusClientRequest | UserVerificationEnrollClientRequest | UserVerificationDeleteClientRequest | UserVerificationVerifyClientRequest | UserVerificationCancelClientRequest | ThreadStartClientRequest | ThreadResumeClientRequest | ThreadForkClientRequest | ThreadArchiveClientRequest | ThreadDeleteClientRequest | ThreadUnsubscribeClientRequest | ThreadIncrementElicitationClientRequest | ThreadDecrementElicitationClientRequest | ThreadNameSetClientRequest | ThreadPredictionRequestClientRequest | ThreadGoalSetClientRequest | ThreadGoalGetClientRequest | ThreadGoalClearClientRequest | ThreadQueueAddClientRequest | ThreadQueueListClientRequest | ThreadQueueUpdateClientRequest | ThreadQueueDeleteClientRequest | ThreadQueueReorderClientRequest | ThreadQueueStartClientRequest | ThreadMetadataUpdateClientRequest | ThreadAttachmentAddClientRequest | ThreadAttachmentListClientRequest | ThreadAttachmentOwnerListClientRequest | ThreadAttachmentRemoveClientRequest | ThreadSectionMoveClientRequest | ThreadSettingsUpdateClientRequest | ThreadMemoryModeSetClientRequest | MemoryStatusClientRequest | MemoryResetClientRequest | RolloutCompressClientRequest | ThreadUnarchiveClientRequest | ThreadCompactStartClientRequest | ThreadShellCommandClientRequest | ThreadApproveGuardianDeniedActionClientRequest | ThreadBackgroundTerminalsCleanClientRequest | ThreadBackgroundTerminalsListClientRequest | ThreadBackgroundTerminalsTerminateClientRequest | ThreadRevertClientRequest | ThreadListClientRequest | ProjectListClientRequest | ProjectReadClientRequest | ProjectCreateClientRequest | ProjectImportClientRequest | ProjectUpdateClientRequest | ProjectMoveClientRequest | ProjectDeleteClientRequest | ThreadSectionListClientRequest | ThreadSectionCreateClientRequest | ThreadSectionUpdateClientRequest | ThreadSectionDeleteClientRequest | ThreadSearchClientRequest | ThreadSearchOccurrencesClientRequest | ThreadLoadedListClientRequest | ThreadReadClientRequest | ThreadReadStateUpdateClientRequest | ThreadTurnsListClientRequest | ThreadItemsListClientRequest | ThreadItemsReadClientRequest | ThreadInjectItemsClientRequest | SkillsListClientRequest | SkillsExtraRootsSetClientRequest | HooksListClientRequest | MarketplaceAddClientRequest | MarketplaceRemoveClientRequest | MarketplaceUpgradeClientRequest | PluginListClientRequest | PluginSearchClientRequest | PluginInstalledClientRequest | PluginReconcileClientRequest | PluginReadClientRequest | PluginSkillReadClientRequest | PluginShareSaveClientRequest | PluginShareUpdateTargetsClientRequest | PluginShareListClientRequest | PluginShareCheckoutClientRequest | PluginShareDeleteClientRequest | AppReadClientRequest | AppListClientRequest | AppInstalledClientRequest | FsReadFileClientRequest | FsWriteFileClientRequest | FsCreateDirectoryClientRequest | FsGetMetadataClientRequest | FsReadDirectoryClientRequest | FsRemoveClientRequest | FsCopyClientRequest | FsWatchClientRequest | FsUnwatchClientRequest | SkillsConfigWriteClientRequest | PluginInstallClientRequest | PluginUninstallClientRequest | TurnStartClientRequest | TurnSettingsUpdateClientRequest | TurnSteerClientRequest | TurnInterruptClientRequest | ThreadRealtimeStartClientRequest | ThreadRealtimeAppendAudioClientRequest | ThreadRealtimeAppendTextClientRequest | ThreadRealtimeAppendSpeechClientRequest | ThreadRealtimeStopClientRequest | ThreadTimelineListClientRequest | ThreadRealtimeListVoicesClientRequest | ReviewStartClientRequest | ModelListClientRequest | AccountGatewayOAuthReadClientRequest | AccountGatewayOAuthLoginClientRequest | AccountGatewayOAuthCancelClientRequest | ModelProviderCapabilitiesReadClientRequest | ExperimentalFeatureListClientRequest | PermissionProfileListClientRequest | ExperimentalFeatureEnablementSetClientRequest | RemoteControlEnableClientRequest | RemoteControlDisableClientRequest | RemoteControlStatusReadClientRequest | RemoteControlPairingStartClientRequest | RemoteControlPairingStatusClientRequest | RemoteControlClientListClientRequest | RemoteControlClientRevokeClientRequest | CollaborationModeListClientRequest | MockExperimentalMethodClientRequest | EnvironmentAddClientRequest | EnvironmentInfoClientRequest | EnvironmentStatusClientRequest | McpServerOauthLoginClientRequest | ConfigMcpServerReloadClientRequest | McpServerStatusListClientRequest | McpServerResourceReadClientRequest | McpServerEventStreamStartClientRequest | McpServerEventStreamStopClientRequest | McpServerToolCallClientRequest | WindowsSandboxSetupStartClientRequest | WindowsSandboxReadinessClientRequest | AccountLoginStartClientRequest | AccountBedrockDiscoverClientRequest | AccountBedrockSetupClientRequest | AccountBedrockCheckGovCloudRequirementsClientRequest | AccountLoginCancelClientRequest | AccountLogoutClientRequest | AccountRateLimitsReadClientRequest | AccountRateLimitResetCreditConsumeClientRequest | AccountUsageReadClientRequest | AccountWorkspaceMessagesReadClientRequest | AccountSendAddCreditsNudgeEmailClientRequest | FeedbackUploadClientRequest | CommandExecClientRequest | CommandExecWriteClientRequest | CommandExecTerminateClientRequest | CommandExecResizeClientRequest | ProcessSpawnClientRequest | ProcessWriteStdinClientRequest | ProcessKillClientRequest | ProcessResizePtyClientRequest | ConfigReadClientRequest | ExternalAgentConfigDetectClientRequest | ExternalAgentConfigImportClientRequest | ExternalAgentConfigImportRecordHistoryClientRequest | ExternalAgentConfigImportReadHistoriesClientRequest | ConfigValueWriteClientRequest | ConfigBatchWriteClientRequest | ConfigRequirementsReadClientRequest | AccountReadClientRequest | FuzzyFileSearchClientRequest | FuzzyFileSearchSessionStartClientRequest | FuzzyFileSearchSessionUpdateClientRequest | FuzzyFileSearchSessionStopClientRequest,
        Field(
            description="Request from the client to the server.",
            discriminator="method",
            title="ClientRequest",
        ),
    ],
)


class ItemAutoApprovalReviewCompletedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/autoApprovalReview/completed"]
    params: ItemGuardianApprovalReviewCompletedNotification


class ItemAutoApprovalReviewStartedServerNotification(WireModel):
    emitted_at_ms: Annotated[
        int | None,
        Field(
            alias="emittedAtMs",
            description="Unix timestamp (in milliseconds) when app-server emitted this notification.",
        ),
    ] = None
    method: Literal["item/autoApprovalReview/started"]
    params: ItemGuardianApprovalReviewStartedNotification


class ItemPermissionsRequestApprovalServerRequest(WireModel):
    id: RequestId
    method: Literal["item/permissions/requestApproval"]
    params: PermissionsRequestApprovalParams


ServerNotification = TypeAliasType(
    "ServerNotification",
    Annotated[
        ErrorServerNotification | ThreadStartedServerNotification | ThreadStatusChangedServerNotification | ThreadReadStateChangedServerNotification | ThreadArchivedServerNotification | ThreadDeletedServerNotification | ThreadUnarchivedServerNotification | ThreadClosedServerNotification | ThreadRevertedServerNotification | SkillsChangedServerNotification | ThreadNameUpdatedServerNotification | ThreadAttachmentUpdatedServerNotification | ThreadGoalUpdatedServerNotification | ThreadPredictionUpdatedServerNotification | ThreadGoalClearedServerNotification | ThreadQueueChangedServerNotification | ProjectChangedServerNotification | ThreadProjectUpdatedServerNotification | ThreadEnvironmentConnectedServerNotification | ThreadEnvironmentDisconnectedServerNotification | ThreadSettingsUpdatedServerNotification | ThreadTokenUsageUpdatedServerNotification | TurnStartedServerNotification | HookStartedServerNotification | TurnCompletedServerNotification | HookCompletedServerNotification | TurnDiffUpdatedServerNotification | TurnPlanUpdatedServerNotification | ItemStartedServerNotification | ItemAutoApprovalReviewStartedServerNotification | ItemAutoApprovalReviewCompletedServerNotification | AutoApprovalReviewStrictReviewRequiredServerNotification | ItemCompletedServerNotification | ItemAgentMessageDeltaServerNotification | ItemPlanDeltaServerNotification | CommandExecOutputDeltaServerNotification | ProcessOutputDeltaServerNotification | ProcessExitedServerNotification | ItemCommandExecutionOutputDeltaServerNotification | ItemCommandExecutionTerminalInteractionServerNotification | ItemFileChangeOutputDeltaServerNotification | ItemFileChangePatchUpdatedServerNotification | ServerRequestResolvedServerNotification | ItemMcpToolCallProgressServerNotification | McpServerOauthLoginCompletedServerNotification | McpServerStartupStatusUpdatedServerNotification | McpServerEventStreamNotificationServerNotification | AccountUpdatedServerNotification | AccountGatewayOAuthChangedServerNotification | AccountRateLimitsUpdatedServerNotification | AppListUpdatedServerNotification | RemoteControlStatusChangedServerNotification | ExternalAgentConfigImportProgressServerNotification | ExternalAgentConfigImportCompletedServerNotification | FsChangedServerNotification | ItemReasoningSummaryTextDeltaServerNotification | ItemReasoningSummaryPartAddedServerNotification | ItemReasoningTextDeltaServerNotification | ThreadCompactedServerNotification | ModelReroutedServerNotification | ModelVerificationServerNotification | ModelProviderAuthRecoveryStartedServerNotification | ModelProviderAuthRecoveryCompletedServerNotification | TurnModerationMetadataServerNotification | ModelSafetyBufferingUpdatedServerNotification | WarningServerNotification | GuardianWarningServerNotification | DeprecationNoticeServerNotification | ConfigWarningServerNotification | FuzzyFileSearchSessionUpdatedServerNotification | FuzzyFileSearchSessionCompletedServerNotification | ThreadRealtimeStartedServerNotification | ThreadRealtimeItemAddedServerNotification | ThreadRealtimeItemStartedServerNotification | ThreadRealtimeItemTranscriptDeltaServerNotification | ThreadRealtimeItemCompletedServerNotification | ThreadRealtimeTranscriptDeltaServerNotification | ThreadRealtimeTranscriptDoneServerNotification | ThreadRealtimeOutputAudioDeltaServerNotification | ThreadRealtimeSdpServerNotification | ThreadRealtimeErrorServerNotification | ThreadRealtimeClosedServerNotification | WindowsWorldWritableWarningServerNotification | WindowsSandboxSetupCompletedServerNotification | AccountLoginCompletedServerNotification,
        Field(
            description="Notification sent from the server to the client.",
            discriminator="method",
            title="ServerNotification",
        ),
    ],
)


ServerRequest = TypeAliasType(
    "ServerRequest",
    Annotated[
        ItemCommandExecutionRequestApprovalServerRequest | ItemFileChangeRequestApprovalServerRequest | ItemToolRequestUserInputServerRequest | McpServerElicitationRequestServerRequest | ItemPermissionsRequestApprovalServerRequest | ItemToolCallServerRequest | AccountChatgptAuthTokensRefreshServerRequest | AttestationGenerateServerRequest | CurrentTimeReadServerRequest | ApplyPatchApprovalServerRequest | ExecCommandApprovalServerRequest,
        Field(
            description="Request initiated from the server and sent to the client.",
            discriminator="method",
            title="ServerRequest",
        ),
    ],
)
