"""Back-office login (with the second step where the account has TOTP or the ente requires it), logout
and password reset."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common.errors import BadRequest, Conflict, Unauthorized, ValidationFailed
from webapp.services.common.tenancy import Tenant
from webapp.views.backoffice._common import field_errors, safe_next, staff, tenant
from webapp.views.backoffice.blueprint import bp
from webapp.views.web import sign_in, sign_out

# Between a right password and the second step the browser holds only this (in the signed session): who,
# since when and where to go. It signs nobody in; it lasts PENDING_SECONDS.
PENDING_KEY = "staff_pending_login"
PENDING_SECONDS = 300


def _finish(user: people.User) -> Response:
    sign_in(user)  # a new session on login: no fixation (the pending state goes with the old one)
    people.record_login(user)
    flash(_("Benvenuta/o, %(name)s.", name=user.full_name), "success")
    return redirect(safe_next(request.args.get("next"), url_for("backoffice.applications")))


def _pending(owner: Tenant) -> people.User | None:
    state: dict[str, Any] = session.get(PENDING_KEY) or {}
    if state.get("tenant") != owner.slug or time.time() - float(state.get("at", 0)) > PENDING_SECONDS:
        return None
    return people.pending_user(owner, state.get("uid"))


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
    step = people.second_step(tenant(), user)
    if step is None:
        return _finish(user)
    session[PENDING_KEY] = {"tenant": tenant().slug, "uid": str(user.id), "at": time.time()}
    target = "backoffice.login_code" if step == "code" else "backoffice.login_enrol"
    return redirect(url_for(target, next=request.args.get("next")))


def _expired() -> Response:
    session.pop(PENDING_KEY, None)
    flash(_("L'accesso non è stato completato in tempo: inserisci di nuovo nome utente e password."), "error")
    return redirect(url_for("backoffice.login"))


@bp.route("/login/codice", methods=["GET", "POST"])
def login_code() -> str | Response | tuple[str, int]:
    """The second step: a code of the authenticator app, or a recovery code."""
    user = _pending(tenant())
    if user is None or not user.has_totp:
        return _expired()
    if request.method == "GET":
        return render_template("backoffice/login_code.html", errors=[])
    try:
        people.verify_code(tenant(), user, request.form.get("code", "")[:40], request.remote_addr or "")
    except (Unauthorized, people.LoginThrottled) as exc:
        status = 429 if isinstance(exc, people.LoginThrottled) else 401
        return render_template("backoffice/login_code.html", errors=[("code", exc.description)]), status
    return _finish(user)


@bp.route("/login/attiva-verifica", methods=["GET", "POST"])
def login_enrol() -> str | Response | tuple[str, int]:
    """The ente requires the second factor and this account has none yet: enrol before going on."""
    user = _pending(tenant())
    if user is None or user.has_totp:
        return _expired()
    if not user.totp_secret:  # a reload keeps the secret already shown (it may be scanned already)
        people.begin_enrolment(user)
    if request.method == "GET":
        return _enrol_page(user, [], action=url_for("backoffice.login_enrol", next=request.args.get("next")))
    try:
        codes = people.confirm_enrolment(tenant(), user, request.form.get("code", "")[:40], request.remote_addr or "")
    except ValidationFailed as exc:
        return _enrol_page(user, field_errors(exc), action=request.full_path, status=400)
    except Conflict:
        return _expired()
    session.pop(PENDING_KEY, None)
    sign_in(user)
    people.record_login(user)
    return render_template("backoffice/recovery_codes.html", codes=codes,
                           next=safe_next(request.args.get("next"), url_for("backoffice.applications")))


def _enrol_page(user: people.User, errors: list[tuple[str, str]], action: str, status: int = 200) -> Any:
    uri = people.provisioning_uri(tenant(), user)
    return render_template("backoffice/totp_enrol.html", errors=errors, qr=people.qr_data_uri(uri),
                           secret=user.totp_secret, action=action, section="account",
                           at_login=request.endpoint == "backoffice.login_enrol"), status


@bp.post("/logout")
def logout() -> Response:
    people.record_logout(staff())
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
