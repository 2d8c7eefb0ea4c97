"""Pratiche: the list with filters, and one application's detail in tabs."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from webapp.services import screens
from webapp.services.common import policy, uploads
from webapp.services.common.options import options_of
from webapp.services.people import assignable, list_offices
from webapp.views.backoffice._common import staff, tenant, viewer_available
from webapp.views.backoffice.blueprint import bp

TABS = {"dati": "Dati", "documenti": "Documenti", "messaggi": "Messaggi", "iter": "Iter",
        "protocollo": "Protocollo", "pagamenti": "Pagamenti", "appuntamenti": "Appuntamenti"}


@bp.get("/")
def home() -> BaseResponse:
    return redirect(url_for("backoffice.applications"))


@bp.get("/pratiche")
def applications() -> str:
    query = screens.parse_query(request.args, current_app.config["BACKOFFICE_PAGE_SIZE"])
    page = screens.list_page(tenant(), staff(), query)
    service = screens.find_service(tenant(), staff(), query.service)
    version = service.current_version if service else None
    return render_template(
        "backoffice/list.html", section="applications", page=page, query=query, service=service,
        service_options=screens.service_choices(tenant(), staff()),
        status_options=screens.status_options(version),
        export_fields=screens.exportable_fields(version) if version else [],
        handling=screens.HANDLING, periods=screens.PERIODS,
    )


def _tabs(sections: screens.Sections) -> list[str]:
    hidden = {"protocollo": not sections.protocol, "pagamenti": not sections.payments,
              "appuntamenti": not sections.appointments}
    return [tab for tab in TABS if not hidden.get(tab, False)]


@bp.get("/pratiche/<app_id>", defaults={"tab": "dati"})
@bp.get("/pratiche/<app_id>/<tab>")
def application(app_id: str, tab: str) -> str | tuple[str, int]:
    user = staff()
    app = policy.get_application(user, tenant(), app_id)
    sections = screens.sections(app)
    tabs = _tabs(sections)
    if tab not in tabs:
        return render_template("error.html", code=404, title="Risorsa non trovata", text=None), 404
    files = screens.attachments(tenant(), app)
    actions = policy.available_actions(user, app)
    return render_template(
        "backoffice/detail.html", section="applications", app=app, tab=tab, tabs=tabs, tab_labels=TABS,
        sections=sections, related=screens.related(app), task_forms=screens.task_forms(tenant(), user, app.id),
        actions=actions, files=files, file_index=screens.attachment_names(files),
        form_sections=screens.form_sections(app) if tab == "dati" else [],
        messages=screens.messages(tenant(), app) if tab == "messaggi" else [],
        history=screens.history(tenant(), app),
        recent=screens.recent_applications(tenant(), user, app),
        operator_options=[(u.id, u.full_name) for u in assignable(tenant(), app)] if "assign" in actions else [],
        office_options=[(o.id, o.name) for o in list_offices(tenant())] if "assign" in actions else [],
        allow_partial=options_of(app.service_version).allow_partial_approval,
        diagram=screens.process_diagram(app) if tab == "iter" else None,
        registrations=screens.application_registrations(app) if tab == "protocollo" else [],
        protocol_labels=screens.REGISTRATION_LABELS,
        viewer=viewer_available(),
    )


@bp.get("/pratiche/<app_id>/processo.bpmn")
def application_bpmn(app_id: str) -> Response:
    """The BPMN of the version the application runs on, for the read-only viewer."""
    app = policy.get_application(staff(), tenant(), app_id)
    diagram = screens.process_diagram(app)
    if diagram is None or diagram.bpmn is None:
        abort(404)
    return current_app.response_class(diagram.bpmn, mimetype="application/xml")


@bp.get("/pratiche/<app_id>/allegati/<attachment_id>")
def download(app_id: str, attachment_id: str) -> Response:
    app = policy.get_application(staff(), tenant(), app_id)
    attachment, stored = uploads.read_attachment(tenant(), app, attachment_id)
    return uploads.stream_download(stored, attachment.mime_type, attachment.original_filename)
