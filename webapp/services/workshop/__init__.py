"""The administrators' workshop: services modelled in the product as drafts (the folder format of
`workflows/<slug>/`), checked by the engine's loader, published as immutable versions, compared,
rolled back, archived, exported and imported as zip files."""

from ._bundle import MAX_ZIP_BYTES, Bundle, export_zip, import_zip, read_zip
from ._drafts import (
    TEMPLATE_PREFIX,
    TEXT_KEYS,
    Draft,
    add_form,
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
from ._problems import DraftInvalid, Problem, as_dict
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
    "FileDiff", "Problem", "VersionRow", "WorkspaceRow", "add_form", "as_dict", "can_edit", "can_view", "check_draft",
    "choices", "create_service", "difference", "draft_of", "export_zip", "import_zip", "publish", "publish_files",
    "read_zip", "rollback", "save_file", "save_settings", "set_archived", "shipped_models", "state_of", "version_of",
    "versions", "workspace",
]
