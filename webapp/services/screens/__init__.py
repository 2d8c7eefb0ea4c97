"""What the citizen's and the back office's pages show: lists, details, actions, exports, statistics."""

from ._citizen_area import (
    STATUS_GROUPS,
    UploadRefused,
    all_documents,
    all_messages,
    answer_integration,
    citizen_applications,
    citizen_services,
    detail,
    download,
    integration_fields,
    posted_data,
    send_message,
    start_follow_up,
    update_profile,
    withdraw,
)
from ._exports import csv_stream, xlsx_stream
from ._office_actions import ACTIONS, explain, page_command, post, retry_incident, run
from ._office_detail import (
    Related,
    Sections,
    attachment_names,
    attachments,
    exportable_fields,
    form_sections,
    history,
    messages,
    recent_applications,
    related,
    sections,
)
from ._office_list import (
    HANDLING,
    PERIODS,
    SORTABLE,
    ListQuery,
    find_service,
    list_page,
    parse_query,
    period_bounds,
    services_for,
    status_options,
)
from ._office_services import enabled_services
from ._process_diagram import Diagram, process_diagram
from ._statistics import TREND_PERIODS, active_services, per_year, trend
from ._tasks import TaskForm, own_tasks, posted_task, submit_task, task_forms, task_page

__all__ = [
    "ACTIONS", "HANDLING", "PERIODS", "SORTABLE", "STATUS_GROUPS", "TREND_PERIODS", "Diagram", "ListQuery", "Related",
    "Sections", "TaskForm", "UploadRefused", "active_services", "all_documents", "all_messages",
    "answer_integration", "attachment_names", "attachments", "citizen_applications", "citizen_services",
    "csv_stream", "detail", "download", "enabled_services", "explain", "exportable_fields", "find_service",
    "form_sections", "history", "integration_fields", "list_page", "messages", "own_tasks", "page_command",
    "parse_query", "per_year", "period_bounds", "post", "posted_data", "posted_task", "process_diagram",
    "recent_applications",
    "related", "retry_incident", "run", "sections", "send_message", "services_for", "start_follow_up",
    "status_options", "submit_task", "task_forms", "task_page", "trend", "update_profile", "withdraw",
    "xlsx_stream",
]
