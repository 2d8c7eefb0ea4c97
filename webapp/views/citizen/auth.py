"""Login through the identity providers (SPID, CIE), the test identity provider, logout."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.views.citizen._common import safe_next
from webapp.views.citizen.blueprint import bp
from webapp.views.web import sign_in, sign_out


def _next() -> str:
    return safe_next(request.values.get("next"), url_for("citizen.personal_area"))


@bp.get("/accedi")
def login() -> str:
    return render_template("citizen/login.html", next_url=_next(),
                           methods=[m for m in people.METHODS if _has_provider(m)])


def _has_provider(method: str) -> bool:
    return any(method in p.methods for p in people.providers())


@bp.get("/accedi/<method>")
def login_with(method: str) -> Response:
    provider = people.provider_for(method)
    return redirect(provider.begin(method, _next()))


@bp.route("/accedi/prova/<method>", methods=["GET", "POST"])
def test_idp(method: str) -> str | Response:
    """The test identity provider's page: demo and test configuration only."""
    if not current_app.config["TEST_IDENTITY_PROVIDER"] or method not in people.METHODS:
        abort(404)
    if request.method == "GET":
        return render_template("citizen/test_idp.html", method=method, next_url=_next(),
                               identities=people.TestIdentityProvider.identities(),
                               method_label=people.METHOD_LABELS[method])
    asserted = people.TestIdentityProvider.assert_identity(request.form.get("fiscal_code", ""), method)
    return complete_login(asserted)


def complete_login(asserted: people.Identity, next_url: str | None = None) -> Response:
    """Sign the citizen in with what the identity provider asserted; on to `next_url` (or ?next=)."""
    user = people.login_identity(g.tenant, asserted)
    target = safe_next(next_url, url_for("citizen.personal_area")) if next_url else _next()
    sign_in(user)
    flash(_("Accesso effettuato con %(method)s.", method=people.METHOD_LABELS[asserted.method]), "success")
    return redirect(target)


@bp.post("/esci")
def logout() -> Response:
    """Ends our session; after a SAML login the IdP's session too (single logout), which comes back
    to the SP's SLO endpoint."""
    identity = (current_user.identity or {}) if current_user.is_authenticated else {}
    slo = people.saml.begin_logout(g.tenant, identity) if people.saml.saml_configured(current_app) else None
    return finish_logout(slo)


def finish_logout(then: str | None = None) -> Response:
    """Close the session; on to `then` (the IdP's single logout) or the home page."""
    sign_out()
    if then:
        return redirect(then)
    flash(_("Sei uscito dall'area personale."), "success")
    return redirect(url_for("views.tenant_home", tenant=g.tenant.slug))
