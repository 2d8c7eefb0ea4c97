"""Back-office login, logout and password reset."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common.errors import BadRequest, Unauthorized, ValidationFailed
from webapp.views.backoffice._common import field_errors, safe_next, tenant
from webapp.views.backoffice.blueprint import bp
from webapp.views.web import sign_in, sign_out


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("backoffice/login.html", errors=[], username="")
    username = request.form.get("username", "")[:200]
    try:
        user = people.login(tenant(), username, request.form.get("password", "")[:200],
                                request.remote_addr or "")
    except (Unauthorized, people.LoginThrottled) as exc:
        status = 429 if isinstance(exc, people.LoginThrottled) else 401
        return render_template("backoffice/login.html", errors=[("", exc.description)], username=username), status
    sign_in(user)  # a new session on login: no fixation
    flash(_("Benvenuta/o, %(name)s.", name=user.full_name), "success")
    return redirect(safe_next(request.args.get("next"), url_for("backoffice.applications")))


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    flash(_("Sei uscita/o dal back office."), "info")
    return redirect(url_for("backoffice.login"))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
def forgot_password() -> str | Response:
    if request.method == "GET":
        return render_template("backoffice/forgot.html")
    base = current_app.config["PUBLIC_URL"].rstrip("/")

    def link(token: str) -> str:
        return base + url_for("backoffice.reset_password", token=token)

    people.request_password_reset(tenant(), request.form.get("login", "")[:254], link)
    flash(_("Se il nome utente o l'indirizzo corrisponde a un account, riceverai un'e-mail con il "
            "collegamento per reimpostare la password."), "info")
    return redirect(url_for("backoffice.login"))


@bp.route("/reimposta-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    try:
        if request.method == "GET":
            people.check_reset_token(tenant(), token)
            return render_template("backoffice/reset.html", token=token, errors=[], invalid=False)
        people.reset_password(tenant(), token, request.form.get("password", ""),
                                  request.form.get("confirm", ""))
    except ValidationFailed as exc:
        return render_template("backoffice/reset.html", token=token, errors=field_errors(exc), invalid=False), 400
    except BadRequest as exc:
        return render_template("backoffice/reset.html", token=token, errors=[("", exc.description)],
                               invalid=True), 400
    flash(_("Password aggiornata: ora puoi accedere."), "success")
    return redirect(url_for("backoffice.login"))
