"""The back office for operators and managers: /<tenant>/backoffice/..."""

from webapp.views.backoffice import (
    actions,
    applications,
    auth,
    calendars,
    exports,
    operators,
    services,
    statistics,
    tasks,
    workshop,
    workshop_forms,
    workshop_process,
    workshop_sandbox,
)
from webapp.views.backoffice.blueprint import bp

__all__ = ["actions", "applications", "auth", "bp", "calendars", "exports", "operators", "services",
           "statistics", "tasks", "workshop", "workshop_forms", "workshop_process", "workshop_sandbox"]
