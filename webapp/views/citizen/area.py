"""The Area personale: tabs (Pratiche, Messaggi, Pagamenti, Appuntamenti, Documenti, Profilo) and each pratica."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import applications, appointments, screens
from webapp.services.common import statuses, uploads
from webapp.services.common.errors import ValidationFailed
from webapp.services.common.statuses import N_
from webapp.services.common.uploads import Upload
from webapp.services.people import identity_locked_fields
from webapp.views.citizen._common import citizen_required, me, posted_files, posted_version, problems_by_field
from webapp.views.citizen.blueprint import bp


@bp.get("/area-personale")
@citizen_required
def personal_area() -> str:
    service = request.args.get("servizio") or None
    group = request.args.get("stato") or None
    page = request.args.get("pagina", "1")
    rows, total = screens.citizen_applications(g.tenant, me(), service, group,
                                                      int(page) if page.isdigit() else 1)
    return render_template("citizen/area/pratiche.html", tab="pratiche", rows=rows, total=total,
                           services=screens.citizen_services(g.tenant), service=service, group=group,
                           groups=screens.STATUS_GROUPS, tasks=screens.own_tasks(g.tenant, me()))


@bp.get("/area-personale/messaggi")
@citizen_required
def personal_messages() -> str:
    return render_template("citizen/area/messaggi.html", tab="messaggi",
                           rows=screens.all_messages(g.tenant, me()))


@bp.get("/area-personale/appuntamenti")
@citizen_required
def personal_appointments() -> str:
    return render_template("citizen/area/appuntamenti.html", tab="appuntamenti",
                           rows=appointments.of_citizen(g.tenant, me()), labels=appointments.STATUS_LABELS)


@bp.get("/area-personale/documenti")
@citizen_required
def personal_documents() -> str:
    return render_template("citizen/area/documenti.html", tab="documenti",
                           rows=screens.all_documents(g.tenant, me()))


@bp.route("/area-personale/profilo", methods=["GET", "POST"])
@citizen_required
def profile() -> tuple[str, int] | Response:
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            screens.update_profile(g.tenant, me(), request.form)
        except ValidationFailed as exc:
            errors = problems_by_field(exc.errors)
        else:
            flash(_("Profilo aggiornato."), "success")
            return redirect(url_for("citizen.profile"))
    return render_template("citizen/area/profilo.html", tab="profilo", user=me(), errors=errors,
                           locked=identity_locked_fields(me()), form=request.form if errors else None,
                           held=applications.provenance(me())), (
        422 if errors else 200)


@bp.get("/pratiche/<app_id>")
@citizen_required
def application(app_id: str) -> str | Response:
    detail = screens.detail(g.tenant, me(), app_id)
    if detail.app.status == statuses.DRAFT:
        return redirect(url_for("citizen.resume", app_id=detail.app.id))
    return render_template("citizen/detail.html", d=detail, message_error=None)


def _files_not_sent(message: str, chosen: list[Upload]) -> str:
    """A refused page never keeps the files chosen (a browser cannot put them back): say so."""
    if not chosen:
        return message
    note = _("I file scelti non sono stati inviati: sceglili di nuovo.")
    return f"{message} {note}".strip()


@bp.post("/pratiche/<app_id>/messaggi")
@citizen_required
def post_message(app_id: str) -> tuple[str, int] | Response:
    uploads = posted_files("allegati")
    try:
        screens.send_message(g.tenant, me(), app_id, request.form.get("message", ""), uploads)
    except ValidationFailed as exc:
        return _detail_with_error(app_id, _files_not_sent("; ".join(p.message for p in exc.errors), uploads), 422)
    except screens.UploadRefused as exc:
        return _detail_with_error(app_id, _files_not_sent(exc.description, uploads), exc.status)
    flash(_("Messaggio inviato all'ufficio."), "success")
    return redirect(url_for("citizen.application", app_id=app_id, _anchor="messaggi"))


def _detail_with_error(app_id: str, message: str, status: int) -> tuple[str, int]:
    detail = screens.detail(g.tenant, me(), app_id)
    return render_template("citizen/detail.html", d=detail, message_error=message,
                           message_text=request.form.get("message", "")), status


@bp.route("/pratiche/<app_id>/ritira", methods=["GET", "POST"])
@citizen_required
def withdraw(app_id: str) -> str | Response:
    detail = screens.detail(g.tenant, me(), app_id)
    if request.method == "GET":
        return render_template("citizen/withdraw.html", d=detail)
    screens.withdraw(g.tenant, me(), app_id, posted_version())
    return redirect(url_for("citizen.flow_done", app_id=app_id, flow="ritiro"))


@bp.route("/pratiche/<app_id>/integrazioni", methods=["GET", "POST"])
@citizen_required
def integration(app_id: str) -> tuple[str, int] | Response:
    errors: dict[str, str] = {}
    error_text = None
    if request.method == "POST":
        uploads = posted_files("allegati")
        try:
            screens.answer_integration(g.tenant, me(), app_id, request.form, uploads, posted_version())
        except ValidationFailed as exc:
            errors = problems_by_field(exc.errors)
            error_text = _files_not_sent("", uploads) or None
        except screens.UploadRefused as exc:
            error_text = _files_not_sent(exc.description, uploads)
        else:
            return redirect(url_for("citizen.flow_done", app_id=app_id, flow="integrazione"))
    data = screens.posted_data(g.tenant, me(), app_id, request.form) if errors else None
    app, fields = screens.integration_fields(g.tenant, me(), app_id, data, errors)
    status = 422 if errors or error_text else 200
    return render_template("citizen/integration.html", app=app, fields=fields, errors=errors,
                           error_text=error_text, message_text=request.form.get("message", ""),
                           office_request=applications.latest_integration_request(app)), status


# The flows on an existing pratica that end on a page of their own, with the rating (C.SE.1.7):
# flow -> (heading, text, whether the pratica's state still shows it happened).
DONE_PAGES: dict[str, tuple[str, str, Callable[[int], bool]]] = {
    "integrazione": (N_("Integrazioni inviate"),
                     N_("Integrazioni inviate all'ufficio. L'ufficio riprenderà l'esame della pratica %(number)s: "
                        "potrai seguirne l'iter dalla tua area personale."),
                     lambda status: status != statuses.DRAFT_FOR_INTEGRATION),
    "ritiro": (N_("Pratica ritirata"),
               N_("La pratica è stata ritirata. L'ufficio non esaminerà più la pratica %(number)s."),
               lambda status: status == statuses.WITHDRAW),
    "attivita": (N_("Attività completata"),
                 N_("Fatto: l'ufficio riceverà quanto hai inviato. Pratica %(number)s."),
                 lambda status: True),
}


@bp.get("/pratiche/<app_id>/fatto/<flow>")
@citizen_required
def flow_done(app_id: str, flow: str) -> str | Response:
    if flow not in DONE_PAGES:
        abort(404)
    detail = screens.detail(g.tenant, me(), app_id)  # another citizen's pratica: 404
    heading, text, happened = DONE_PAGES[flow]
    if not happened(detail.app.status):
        return redirect(url_for("citizen.application", app_id=app_id))
    return render_template("citizen/done.html", app=detail.app, flow=flow, heading=_(heading),
                           text=_(text, number=detail.app.id))


@bp.post("/pratiche/<app_id>/seguito/<kind>")
@citizen_required
def follow_up(app_id: str, kind: str) -> Response:
    new = screens.start_follow_up(g.tenant, me(), app_id, kind)
    return redirect(url_for("citizen.resume", app_id=new.id))


@bp.get("/pratiche/<app_id>/allegati/<attachment_id>")
@citizen_required
def attachment(app_id: str, attachment_id: str) -> Response:
    row, stored = screens.download(g.tenant, me(), app_id, attachment_id)
    return uploads.stream_download(stored, row.mime_type, row.original_filename)
