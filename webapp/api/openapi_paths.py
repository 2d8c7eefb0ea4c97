"""Every operation of the API, as the routes answer it: path parameters, query parameters, bodies and
each status the server can give (openapi_parts.operation adds 401 to secured ones, 400/413 to those with a
body or query)."""

from __future__ import annotations

from typing import Any

from webapp.api import routes_admin, routes_applications, routes_backoffice, routes_calendars, routes_tasks
from webapp.api.openapi_parts import IF_MATCH, answer, array_of, operation, path_param, ref
from webapp.services.applications import STAGES
from webapp.services.common.policy import ALL_ACTIONS
from webapp.services.common.uploads import ALLOWED_TYPES

Paths = dict[str, tuple[list[dict[str, Any]], dict[str, Any]]]

APPLICATION = path_param("id", "The application's id")
PAYMENT = path_param("id", "The payment's id")
CALENDAR = path_param("id", "The calendar's id")
SERVICE = path_param("id", "The service's id or slug", {"type": "string", "minLength": 1})
FORM_RULES = ("`data` is checked against the service's own form (GET /services/{id}/form): its problems are a 400 "
              "listing them in `errors`.")
FILE_RULES = "An attachment whose content is not an admitted type, or does not match its name, is a 415."
PROTOCOL_STAGES = list(STAGES)
FILE = {mime: {"schema": {"type": "string", "format": "binary"}} for mime in ALLOWED_TYPES}


def _catalogue() -> Paths:
    return {
        "/auth": ([], {"post": operation(
            "Get a JWT for a username (or fiscal code) and password",
            {200: answer("The token", ref("Token"))}, (401, 429), body="AuthRequest", public=True,
            description="Failed logins are counted per account and per address: past the limit the answer "
                        "is a 429 with Retry-After. The body may be at most 4 KB.")}),
        "/services": ([], {"get": operation("Published services", {200: answer("The services", array_of("Service"))},
                                            public=True)}),
        "/services/{id}": ([SERVICE], {"get": operation("One service", {200: answer("The service", ref("Service"))},
                                                        (404,), public=True)}),
        "/services/{id}/form": ([SERVICE], {"get": operation(
            "The service's form: JSON Schema and steps", {200: answer("The form", ref("ServiceForm"))}, (404,),
            public=True)}),
        "/openapi.json": ([], {"get": operation("This document", {200: answer("OpenAPI 3", {"type": "object"})},
                                                public=True)}),
    }


def _applications() -> Paths:
    actions = {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,62}$",
               "description": f"The standard lifecycle's: {', '.join(sorted(ALL_ACTIONS))}; a service's process may "
                              "declare others on its user tasks"}
    return {
        "/applications": ([], {
            "get": operation("The caller's applications (operators: of their services), newest first",
                             {200: answer("A page", ref("ApplicationList"))}, (404,),
                             query=routes_applications.LIST_QUERY),
            "post": operation("Create a draft (citizens); `data` may be partial",
                              {201: answer("The draft", ref("Application"), headers=("Location",))},
                              (403, 404, 409, 422), body="ApplicationCreate", description=FORM_RULES),
        }),
        "/applications/{id}": ([APPLICATION], {
            "get": operation("One application", {200: answer("The application", ref("Application"),
                                                              headers=("ETag",))}, (404,)),
            "patch": operation("Replace a draft's data (its applicant)",
                               {200: answer("The draft", ref("Application"))}, (403, 404, 409, 422),
                               body="ApplicationPatch", headers=(IF_MATCH,), description=FORM_RULES),
        }),
        "/applications/{id}/history": ([APPLICATION], {"get": operation(
            "Status history", {200: answer("Oldest first", array_of("History"))}, (404,))}),
        "/applications/{id}/transition/{action}": (
            [APPLICATION, path_param("action", "What to do", actions)],
            {"post": operation(
                "Move the application on: submit and withdraw (its citizen), the others (operators)",
                {204: answer("Done")}, (403, 404, 409, 415, 422), body="Transition", body_required=False,
                headers=(IF_MATCH,),
                description="What an action means comes from the process: the READY user task that declares it. "
                            "An action no service declares is a 404; one no READY task of this application "
                            "declares (or the status does not allow) a 409 with `application_status`; one the "
                            "caller's role may not run a 403. `message` is required to reject and to request "
                            f"an integration (400). On submit, {FORM_RULES} {FILE_RULES}")}),
        "/applications/{id}/protocol": ([APPLICATION], {"get": operation(
            "The protocol registrations (operators): each stage's own document, its number once registered",
            {200: answer("Oldest first", array_of("ProtocolRegistration"))}, (403, 404))}),
        "/applications/{id}/protocol/{stage}": (
            [APPLICATION, path_param("stage", "Which registration", {"type": "string", "enum": PROTOCOL_STAGES})],
            {"post": operation(
                "An external protocol register reports the number of one stage",
                {200: answer("The registration, numbered", ref("ProtocolRegistration"))}, (403, 404, 409, 422),
                body="ProtocolReport",
                description="For services with `protocol_handler: external`, called by operators of the service "
                            "or the register's own staff account: `application` (the receipt), "
                            "`integration_request`, `integration_answer`, `outcome` (the outcome letter) and "
                            "`withdrawal`, each with its own document (GET .../protocol lists them). A stage the "
                            "application does not wait for now is a 409 with `application_status`; a "
                            "`protocol_number` the ente already has in that year (by `registered_at` in Rome) is a "
                            "409 and nothing changes.")}),
        "/applications/{id}/tasks": ([APPLICATION], {"get": operation(
            "The READY user tasks of its process that the caller may complete",
            {200: answer("Oldest first", array_of("Task"))}, (404,))}),
        "/applications/{id}/tasks/{task_id}": (
            [APPLICATION, path_param("task_id", "The task's id")],
            {"post": operation(
                "Complete a user task with its form's data", {204: answer("Done")}, (404, 409, 422),
                body="TaskCompletion", headers=(IF_MATCH,),
                description="`data` is checked against the task's form: its problems are a 400 listing them in "
                            "`errors` and nothing changes. A task the caller may not complete is a 404; one that "
                            "is no longer READY (completed by someone else first) a 409.")}),
        "/applications/{id}/messages": ([APPLICATION], {
            "get": operation("Messages (citizens: not the private ones)",
                             {200: answer("Oldest first", array_of("Message"))}, (404,)),
            "post": operation("Send a message (not on drafts)", {201: answer("The message", ref("Message"))},
                              (403, 404, 409, 415, 422), body="MessageIn", description=FILE_RULES),
        }),
        "/applications/{id}/attachments": ([APPLICATION], {"post": operation(
            "Upload a file for a form field of the caller's draft: put the id in the form data",
            {201: answer("The stored file", ref("Attachment"))}, (403, 404, 409, 415), body="AttachmentIn",
            description=FILE_RULES)}),
        "/applications/{id}/attachments/{attachment_id}": (
            [APPLICATION, path_param("attachment_id", "The file's id")],
            {"get": operation("Download a file of the application",
                              {200: answer("The file, as its stored type", content=FILE,
                                           headers=("Content-Disposition",))}, (404,))}),
    }


def _tasks() -> Paths:
    return {"/tasks": ([], {"get": operation(
        "The caller's inbox: READY user tasks across applications, oldest first",
        {200: answer("A page", ref("TaskList"))}, (404,), query=routes_tasks.INBOX_QUERY)})}


def _payments() -> Paths:
    return {
        "/payments": ([], {"get": operation("The caller's payments and stamps, newest first",
                                            {200: answer("The payments", array_of("Payment"))})}),
        "/applications/{id}/payment": ([APPLICATION], {"get": operation(
            "Payments and stamps of an application", {200: answer("The payments", array_of("Payment"))}, (404,))}),
        "/payments/{id}/notice.pdf": ([PAYMENT], {"get": operation(
            "The pagoPA notice (avviso di pagamento)",
            {200: answer("PDF", content={"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                         headers=("Content-Disposition",))}, (404,))}),
        "/payments/{id}/receipt.pdf": ([PAYMENT], {"get": operation(
            "The payment receipt (ricevuta di pagamento) of a paid pagoPA notice",
            {200: answer("PDF", content={"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                         headers=("Content-Disposition",))}, (404,))}),
        "/payments/checkout": ([], {"post": operation(
            "Open one pagoPA checkout for 1 to 5 of the caller's due notices",
            {200: answer("Where to send the citizen", ref("CheckoutUrl"))}, (404, 409), body="Checkout")}),
        "/payments/{id}/stamp": ([PAYMENT], {"post": operation(
            "Provide a requested marca da bollo", {200: answer("The stamp, paid", ref("Payment"))},
            (404, 409, 422), body="Stamp")}),
        "/applications/{id}/incidents/{call_id}/retry": (
            [APPLICATION, path_param("call_id", "The failed call's id")],
            {"post": operation("Retry a failed background call (operators)", {202: answer("Queued")},
                               (403, 404, 409, 422))}),
    }


def _back_office() -> Paths:
    return {
        "/applications/{id}/notes": ([APPLICATION], {
            "get": operation("Private notes (operators; never shown to the citizen)",
                             {200: answer("Oldest first", array_of("Message"))}, (403, 404)),
            "post": operation("Add a private note", {201: answer("The note", ref("Message"))},
                              (403, 404, 409, 415, 422), body="NoteIn", description=FILE_RULES),
        }),
        "/backoffice/applications": ([], {"get": operation(
            "The back-office list (operators): search, filters and sorting as on the page; never drafts",
            {200: answer("A page", ref("BackofficeList"))}, (403,), query=routes_backoffice.LIST_QUERY)}),
        "/user-groups": ([], {"get": operation("Offices of the ente (operators)",
                                               {200: answer("The offices", array_of("Office"))}, (403,))}),
    }


def _calendars() -> Paths:
    return {
        "/calendars": ([], {"get": operation("Calendars of the ente's offices",
                                             {200: answer("The calendars", array_of("Calendar"))}, public=True)}),
        "/calendars/{id}": ([CALENDAR], {"get": operation("One calendar", {200: answer("It", ref("Calendar"))},
                                                          (404,), public=True)}),
        "/calendars/{id}/opening-hours": ([CALENDAR], {"get": operation(
            "Its opening hours", {200: answer("The opening hours", array_of("OpeningHour"))}, (404,), public=True)}),
        "/calendars/{id}/availabilities": ([CALENDAR], {"get": operation(
            "Days and whether each has a free place",
            {200: answer("The days", array_of("AvailableDay"))}, (404,), query=routes_calendars.DAYS_QUERY,
            public=True, description="to_time before from_time, or more than 366 days in all, is a 400.")}),
        "/calendars/{id}/availabilities/{date}": (
            [CALENDAR, path_param("date", "The day", {"type": "string", "format": "date"})],
            {"get": operation("The slots of a day", {200: answer("The slots", array_of("Slot"))}, (400, 404),
                              query=(routes_calendars.ONLY_FREE,), public=True)}),
    }


ADMIN_RULES = ("For the ente's administrators: other staff get a 403, citizens a 404. A draft that does not load "
               "is a 422 listing its problems, each with the file and the BPMN element it concerns.")


def _admin() -> Paths:
    slug = path_param("slug", "The service's slug", {"type": "string", "minLength": 1, "maxLength": 100})
    problems = answer("The draft does not load: nothing was changed", ref("DefinitionProblems"))
    upload = operation(
        "Import a service folder (a zip in the format of workflows/<slug>/) as the draft of the service with its "
        "slug, created when new", {201: answer("The draft", ref("Draft")), 422: problems}, (400, 403, 404, 413, 415),
        description=f"{ADMIN_RULES} Not a zip (or an unreadable one) is a 415; over 4 MB, or too large unpacked, "
                    "a 413; paths leaving the folder, or more than one service, a 400.")
    upload["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": "the zip"}}}}}}
    return {
        "/admin/services/import": ([], {"post": upload}),
        "/admin/services/{slug}/publish": ([slug], {"post": operation(
            "Check the draft and publish it as a new immutable version",
            {201: answer("The new version", ref("Published")), 422: problems}, (403, 404, 409),
            description=f"{ADMIN_RULES} A draft with nothing changed since the latest version is a 409.")}),
        "/admin/services/{slug}/versions": ([slug], {"get": operation(
            "The published versions, newest first", {200: answer("The versions", array_of("Version"))},
            (403, 404), description=ADMIN_RULES)}),
        "/admin/services/{slug}/export": ([slug], {"get": operation(
            "A version (default: the current one) as a zip of the service folder and the shared files it uses",
            {200: answer("The zip", content={routes_admin.ZIP: {"schema": {"type": "string", "format": "binary"}}},
                         headers=("Content-Disposition",))}, (403, 404), query=routes_admin.EXPORT_QUERY,
            description=ADMIN_RULES)}),
        "/admin/settings": ([], {
            "get": operation("The ente's settings (secrets only say whether they are set)",
                             {200: answer("The settings", ref("EnteSettings"))}, (403, 404),
                             description=SETTINGS_RULES),
            "put": operation("Change the ente's settings: the keys given are replaced, the others kept",
                             {200: answer("The settings now", ref("EnteSettings"))}, (403, 404), body="EnteSettingsIn",
                             description=f"{SETTINGS_RULES} Any refused value is a 400 listing the field problems; "
                                         "then nothing is changed."),
        }),
    }


SETTINGS_RULES = ("For the ente's administrators: other staff get a 403, citizens a 404. The SMTP password and the "
                  "App IO keys are write-only, stored encrypted.")


def paths() -> Paths:
    return {**_catalogue(), **_applications(), **_tasks(), **_payments(), **_back_office(), **_calendars(),
            **_admin()}
