"""The administrators' workshop: services modelled in the product as drafts (the folder format of
`workflows/<slug>/`), checked by the engine's loader, published as immutable versions, compared,
rolled back, archived, exported and imported as zip files."""

from ._bundle import MAX_ZIP_BYTES, Bundle, export_zip, import_zip, read_zip
from ._drafts import (
    TEMPLATE_PREFIX,
    TEXT_KEYS,
    Draft,
    can_edit,
    can_view,
    check_draft,
    choices,
    create_service,
    draft_of,
    save_file,
    save_settings,
    shipped_models,
    state_of,
)
from ._problems import DraftInvalid, Problem
from ._sandbox import (
    FormPage,
    PendingTask,
    RunRow,
    RunView,
    TrailItem,
    element_names,
    files_hash,
    main_bpmn,
    sandbox_complete_task,
    sandbox_discard,
    sandbox_fire_timers,
    sandbox_form,
    sandbox_run,
    sandbox_runs,
    sandbox_send_message,
    sandbox_start,
)
from ._versions import (
    Change,
    Difference,
    FileDiff,
    VersionRow,
    difference,
    publish,
    publish_files,
    rollback,
    set_archived,
    version_of,
    versions,
)
from ._workspace import WorkspaceRow, workspace

__all__ = [
    "MAX_ZIP_BYTES", "TEMPLATE_PREFIX", "TEXT_KEYS", "Bundle", "Change", "Difference", "Draft", "DraftInvalid",
    "FileDiff", "FormPage", "PendingTask", "Problem", "RunRow", "RunView", "TrailItem", "VersionRow", "WorkspaceRow",
    "can_edit", "can_view", "check_draft", "choices", "create_service", "difference", "draft_of", "element_names",
    "export_zip", "files_hash", "import_zip", "main_bpmn", "publish", "publish_files", "read_zip", "rollback",
    "sandbox_complete_task", "sandbox_discard", "sandbox_fire_timers", "sandbox_form", "sandbox_run", "sandbox_runs",
    "sandbox_send_message", "sandbox_start", "save_file", "save_settings", "set_archived", "shipped_models",
    "state_of", "version_of", "versions", "workspace",
]
