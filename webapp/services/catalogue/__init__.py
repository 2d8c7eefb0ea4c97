"""The catalogue of services: published versions, their forms and processes, public pages, ratings."""

from webapp.models import Service

from ._public import search, service_page, structured_data
from ._ratings import RATING_FLOWS, parse_score, record, summary
from ._services import (
    Publication,
    checked_definition,
    declared_actions,
    form_for,
    get_service,
    list_services,
    own_files,
    process_for,
    publish_folder,
    publish_service,
    refuse_archived,
    with_version,
)

__all__ = [
    "RATING_FLOWS", "Publication", "Service", "checked_definition", "declared_actions", "form_for", "get_service",
    "list_services", "own_files", "parse_score", "process_for", "publish_folder", "publish_service", "record",
    "refuse_archived", "search", "service_page", "structured_data", "summary", "with_version",
]
