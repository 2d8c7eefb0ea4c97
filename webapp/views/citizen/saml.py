"""SPID and CIE through SAML2: the SP's metadata, the identity provider choice (the SPID button), the
AuthnRequest, the assertion consumer service and single logout, under /<tenant>/spid|cie/."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, render_template, request
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common.errors import DomainError, NotFound
from webapp.views.citizen._common import safe_next
from webapp.views.citizen.auth import complete_login, finish_logout
from webapp.views.citizen.blueprint import bp
from webapp.views.web import csrf

saml = people.saml


def _require_saml(method: str) -> None:
    if not saml.saml_configured(current_app) or method not in people.METHODS:
        abort(404)


@bp.get("/<any(spid, cie):method>/metadata")
def saml_metadata(method: str) -> Response:
    _require_saml(method)
    return Response(saml.metadata(g.tenant, method), mimetype="application/samlmetadata+xml")


@bp.get("/<any(spid, cie):method>/scegli")
def saml_choose(method: str) -> str:
    """The identity providers to choose from: the SPID button's list (CIE has one provider)."""
    _require_saml(method)
    next_url = safe_next(request.args.get("next"), "")
    return render_template("citizen/saml_choose.html", method=method, next_url=next_url,
                           idps=saml.trusted_idps(method), method_label=people.METHOD_LABELS[method])


@bp.get("/<any(spid, cie):method>/login")
def saml_login(method: str) -> Response:
    _require_saml(method)
    next_url = safe_next(request.args.get("next"), "")
    try:
        level = int(request.args.get("level") or 0) or None
    except ValueError:
        abort(400)
    try:
        target = saml.begin_login(g.tenant, method, request.args.get("idp", ""), next_url, level)
    except NotFound:
        abort(404)
    return redirect(target)


@bp.post("/<any(spid, cie):method>/acs")
@csrf.exempt
def saml_acs(method: str) -> Response | tuple[str, int]:
    """The identity provider's cross-site POST: no CSRF token, the stored request is the proof."""
    _require_saml(method)
    try:
        identity, next_url = saml.complete_login(g.tenant, method, request.form.get("SAMLResponse", ""),
                                                 request.form.get("RelayState", ""))
        return complete_login(identity, next_url or None)
    except DomainError as error:
        current_app.logger.info("SAML login refused: %s", error.description)
        return render_template("citizen/saml_error.html", message=error.description, method=method), 403


@bp.route("/<any(spid, cie):method>/slo", methods=["GET"])
def saml_slo(method: str) -> Response | tuple[str, int]:
    """The IdP's LogoutRequest (we close the session and answer) or LogoutResponse (logout done)."""
    _require_saml(method)
    try:
        answer = saml.logout_message(g.tenant, method, dict(request.args), request.query_string.decode("latin-1"))
    except DomainError as error:
        return render_template("citizen/saml_error.html", message=error.description, method=method), 400
    return finish_logout(answer)
