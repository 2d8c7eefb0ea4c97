"""Registro attività (administrators only): the staff security audit log, filtered and paged, CSV export;
and the ente's rule that every staff member uses the second factor. Others get 404."""

from __future__ import annotations

from typing import Any

from flask import Response as FlaskResponse
from flask import flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common import localtime
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp


@bp.get("/registro-attivita", endpoint="audit")
def audit_log() -> Any:
    filters = people.AuditFilters.parse(request.args)
    page = people.list_audit(tenant(), staff(), filters)
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}
    return render_template("backoffice/audit.html", section="audit", page=page, filters=filters, args=args,
                           events=sorted(people.AUDIT_EVENTS.items(), key=lambda kv: _(kv[1])),
                           labels=people.AUDIT_EVENTS, local=localtime.local, required=people.totp_required(tenant()))


@bp.get("/registro-attivita.csv")
def audit_export() -> FlaskResponse:
    filters = people.AuditFilters.parse(request.args)
    chunks = people.audit_csv(tenant(), staff(), filters)
    name = f"registro-attivita-{tenant().slug}-{localtime.today().isoformat()}.csv"
    return FlaskResponse(stream_with_context(chunks), mimetype="text/csv",
                         headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/registro-attivita/verifica-obbligatoria")
def audit_totp_required() -> Response:
    required = request.form.get("required") == "1"
    people.set_totp_required(tenant(), staff(), required)
    flash(_("Ora la verifica in due passaggi è obbligatoria per tutto il personale.") if required else
          _("La verifica in due passaggi ora è facoltativa."), "success")
    return redirect(url_for("backoffice.audit"))
