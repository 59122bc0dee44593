"""What the task publishes for the dashboard: widgetData (read by the codex view at mount) and
the upstream the widget proxy forwards to."""

from __future__ import annotations

from typing import Any

from optio_agents.uploads import upload_url_token

from optio_codex.task.config import CodexTaskConfig
from optio_codex.task.widget_upstream import BIND_ENV, HOST_ENV, bind_address, upstream_url

__all__ = ["BIND_ENV", "HOST_ENV", "bind_address", "set_widget_key", "upstream_url", "widget_data"]


def widget_data(
    config: CodexTaskConfig, ctx: Any, controls: list[dict[str, Any]]
) -> dict[str, Any]:
    """The keys the codex view reads (``protocol: codex`` selects it)."""
    database = getattr(getattr(ctx, "_db", None), "name", "")
    prefix = getattr(ctx, "_prefix", "")
    return {
        "protocol": "codex",
        "toolVerbosity": config.tool_verbosity,
        "thinkingVerbosity": config.thinking_verbosity,
        "nativeSpinner": config.native_spinner,
        "controls": controls,
        "showSessionControls": config.show_session_controls,
        "showFileUpload": config.show_file_upload,
        "maxUploadBytes": config.max_upload_bytes,
        "uploadUrl": upload_url_token(database, prefix, str(ctx.process_id)),
        "fileDownload": config.file_download,
        "maxDownloadBytes": config.max_download_bytes,
        "welcome": config.welcome_widget_data,
    }


async def set_widget_key(ctx: Any, key: str, value: Any) -> None:
    """One key of widgetData, leaving the others (todos, usage) as they are."""
    from optio_core.store import _collection

    await _collection(ctx._db, ctx._prefix).update_one(
        {"_id": ctx._process_oid, "widgetData": {"$type": "object"}},
        {"$set": {f"widgetData.{key}": value}},
    )
