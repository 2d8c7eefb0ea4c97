"""The back office for operators and managers: /<tenant>/backoffice/..."""

from webapp.views.backoffice import (
    account,
    actions,
    applications,
    audit,
    auth,
    calendars,
    exports,
    offices,
    operators,
    services,
    settings,
    statistics,
    tasks,
    workshop,
    workshop_forms,
    workshop_process,
    workshop_sandbox,
)
from webapp.views.backoffice.blueprint import bp

__all__ = [
    "account",
    "actions",
    "applications",
    "audit",
    "auth",
    "bp",
    "calendars",
    "exports",
    "offices",
    "operators",
    "services",
    "settings",
    "statistics",
    "tasks",
    "workshop",
    "workshop_forms",
    "workshop_process",
    "workshop_sandbox",
]
