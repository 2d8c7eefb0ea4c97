"""Applications (*pratiche*): drafts and the citizen's form steps, the process that moves them
(transitions, saving process state), automatic assignment, messages, payment events."""

from webapp.models import INTERNAL, Application

from ._call_results import complete_call
from ._citizen_steps import (
    SUMMARY,
    StepPage,
    SummaryGroup,
    data_groups,
    get_draft,
    is_reachable,
    new_application_page,
    prefill,
    preview_step,
    resume_target,
    save_step,
    sent_page,
    start_application,
    step_page,
    submit,
    summary,
)
from ._drafts import (
    DRAFT_TOLERATED,
    ListFilters,
    create_application,
    get_application,
    history,
    list_applications,
    update_draft,
)
from ._formview import FieldView, attachment_names, build_fields, parse_step, required_fields
from ._messages import MAX_MESSAGE_CHARS, latest_integration_request, list_messages, post_message
from ._payment_events import provide_stamp, receive_receipt
from ._process import DISPATCHER, dispatch, persist, process_failed, restore, set_dispatcher, start_options
from ._transitions import transition

__all__ = [
    "DISPATCHER", "DRAFT_TOLERATED", "INTERNAL", "MAX_MESSAGE_CHARS", "SUMMARY", "Application", "FieldView",
    "ListFilters", "StepPage", "SummaryGroup", "attachment_names", "build_fields", "complete_call",
    "create_application", "data_groups", "dispatch", "get_application", "get_draft", "history", "is_reachable",
    "latest_integration_request", "list_applications", "list_messages", "new_application_page", "parse_step",
    "persist", "post_message", "prefill", "preview_step", "process_failed", "provide_stamp", "receive_receipt",
    "required_fields", "restore", "resume_target", "save_step", "sent_page", "set_dispatcher",
    "start_application", "start_options", "step_page", "submit", "summary", "transition", "update_draft",
]
