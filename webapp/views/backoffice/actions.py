"""Handling actions: each a POST from a confirmation modal, with the version the operator saw."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from webapp.services import screens
from webapp.services.common.errors import DomainError, NotFound, ValidationFailed
from webapp.views.backoffice._common import staff, tenant, uploads, version
from webapp.views.backoffice.blueprint import bp

DONE = {
    "take": _l("Pratica presa in carico."),
    "take-over": _l("Sei subentrata/o nella gestione della pratica."),
    "assign": _l("Pratica assegnata."),
    "accept": _l("Pratica approvata."),
    "reject": _l("Pratica rigettata."),
    "request-integration": _l("Richiesta di integrazioni inviata."),
    "accept-integration": _l("Integrazioni accettate."),
    "cancel-integration": _l("Integrazioni rifiutate."),
    "complete-payment": _l("Pagamento registrato."),
}


def _back(app_id: str, tab: str = "dati") -> Response:
    return redirect(url_for("backoffice.application", app_id=app_id, tab=tab))


def _refused(app_id: str, error: DomainError) -> None:
    if isinstance(error, NotFound):
        raise error
    if isinstance(error, ValidationFailed):
        flash(" ".join(problem.message for problem in error.errors), "error")
        return
    flash(screens.explain(tenant(), staff(), app_id, error), "error")


@bp.post("/pratiche/<app_id>/azioni/<action>")
def act(app_id: str, action: str) -> Response:
    if action not in screens.ACTIONS:
        abort(404)
    files = uploads("response") + uploads("attachments")
    try:
        screens.run(tenant(), staff(), app_id, action, request.form, files, version())
    except DomainError as error:
        _refused(app_id, error)
        return _back(app_id)
    flash(str(DONE[action]), "success")
    return _back(app_id)


@bp.post("/pratiche/<app_id>/incidenti/<call_id>/riprova")
def retry_incident(app_id: str, call_id: str) -> Response:
    try:
        screens.retry_incident(tenant(), staff(), app_id, call_id)
    except DomainError as error:
        _refused(app_id, error)
        return _back(app_id)
    flash(_("Operazione rimessa in coda: l'esito comparirà nell'iter della pratica."), "success")
    return _back(app_id)


@bp.post("/pratiche/<app_id>/messaggi")
def post_message(app_id: str) -> Response:
    private = request.form.get("kind") == "note"
    try:
        screens.post(tenant(), staff(), app_id, request.form, uploads("attachments"), private=private)
    except DomainError as error:
        _refused(app_id, error)
        return _back(app_id, "messaggi")
    flash(_("Nota privata aggiunta.") if private else _("Messaggio inviato."), "success")
    return _back(app_id, "messaggi")
