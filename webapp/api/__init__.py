"""The REST API, compatible with OpenCity's: /<tenant>/api/..."""

from webapp.api import (
    openapi,
    routes_admin,
    routes_applications,
    routes_auth,
    routes_backoffice,
    routes_calendars,
    routes_payments,
    routes_services,
    routes_settings,
    routes_tasks,
)
from webapp.api.blueprint import bp

__all__ = ["bp", "openapi", "routes_admin", "routes_applications", "routes_auth", "routes_backoffice",
           "routes_calendars", "routes_payments", "routes_services", "routes_settings", "routes_tasks"]
