"""Applications (*pratiche*): drafts and the citizen's form steps, the process that moves them
(transitions, saving process state), automatic assignment, messages, payment events."""

from webapp.models import INTERNAL, Application
from webapp.services.common.process_start import start_options

from ._call_results import call_failed, complete_call
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
from ._commands import (
    Action,
    Assign,
    Command,
    IntegrationDecision,
    IntegrationRequest,
    NewMessage,
    Outcome,
    PaymentRegistration,
    Registration,
    StampRequest,
    Submit,
    TaskAction,
    Withdrawal,
    command_for,
    message_for,
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
from ._messages import MAX_MESSAGE_CHARS, latest_integration_request, list_messages, post_message
from ._payment_events import provide_stamp, receive_receipt
from ._process import DISPATCHER, dispatch, persist, process_failed, restore, set_dispatcher
from ._protocol import (
    EXTERNAL,
    STAGES,
    ProtocolRegistration,
    handler_of,
    registration_for_call,
    render_document,
    stage_of,
)
from ._protocol_reports import StageReport, list_registrations, report_stage
from ._tasks import InboxFilters, TaskView, complete_task, inbox, list_tasks
from ._transitions import transition

__all__ = [
    "DISPATCHER", "DRAFT_TOLERATED", "EXTERNAL", "INTERNAL", "MAX_MESSAGE_CHARS", "STAGES", "SUMMARY", "Action",
    "Application", "Assign", "Command", "InboxFilters", "IntegrationDecision", "IntegrationRequest", "ListFilters",
    "NewMessage", "Outcome", "PaymentRegistration", "ProtocolRegistration", "Registration", "StageReport",
    "StampRequest", "StepPage", "Submit", "SummaryGroup", "TaskAction", "TaskView", "Withdrawal", "call_failed",
    "command_for", "complete_call", "complete_task", "create_application", "data_groups", "dispatch",
    "get_application", "get_draft", "handler_of", "history", "inbox", "is_reachable", "latest_integration_request",
    "list_applications", "list_messages", "list_registrations", "list_tasks", "message_for", "new_application_page",
    "persist", "post_message", "prefill", "preview_step", "process_failed", "provide_stamp", "receive_receipt",
    "registration_for_call", "render_document", "report_stage", "restore", "resume_target", "save_step",
    "sent_page", "set_dispatcher", "stage_of", "start_application", "start_options", "step_page", "submit",
    "summary", "transition", "update_draft"
]
