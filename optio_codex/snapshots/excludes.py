"""The published ``workdir_exclude`` defaults, for the snapshot store: kept in task/ since
AGENTS.md names them too (see :mod:`optio_codex.task.workdir_exclude`)."""

from optio_codex.task.workdir_exclude import (
    FRAMEWORK_EXCLUDE,
    PUBLISHED_WORKDIR_EXCLUDE,
    effective_exclude,
)

__all__ = ["FRAMEWORK_EXCLUDE", "PUBLISHED_WORKDIR_EXCLUDE", "effective_exclude"]
