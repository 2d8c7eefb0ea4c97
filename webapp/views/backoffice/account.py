"""Il mio account: the staff member's own password and second factor (TOTP)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from webapp.views.backoffice._common import field_errors, staff, tenant
from webapp.views.backoffice.auth import _enrol_page
from webapp.views.backoffice.blueprint import bp
from webapp.views.web import sign_in


def _page(errors: list[tuple[str, str]], status: int = 200) -> Any:
    return render_template("backoffice/account.html", section="account", errors=errors,
                           required=people.totp_required(tenant()),
                           codes_left=people.recovery_codes_left(staff())), status


@bp.get("/account", endpoint="account")
def account() -> Any:
    return _page([])


@bp.post("/account/password")
def account_password() -> Any:
    user = staff()
    try:
        people.change_password(tenant(), user, request.form.get("current_password", "")[:200],
                               request.form.get("new_password", "")[:200], request.form.get("confirm", "")[:200],
                               request.remote_addr or "")
    except ValidationFailed as exc:
        return _page(field_errors(exc), 400)
    except Unauthorized as exc:
        return _page([("current_password", exc.description)], 400)
    except people.LoginThrottled as exc:
        return _page([("current_password", exc.description)], 429)
    sign_in(user)  # every other session has ended; this browser goes on with a new one
    flash(_("Password cambiata: le altre sessioni aperte con il tuo account sono state chiuse."), "success")
    return redirect(url_for("backoffice.account"))


@bp.route("/account/verifica", methods=["GET", "POST"])
def account_totp() -> Any:
    """Enrolment from the account page: GET shows a new secret, POST confirms it with a code."""
    user = staff()
    if user.has_totp:
        return redirect(url_for("backoffice.account"))
    action = url_for("backoffice.account_totp")
    if not user.totp_secret:  # a reload keeps the secret already shown (it may be scanned already)
        people.begin_enrolment(user)
    if request.method == "GET":
        return _enrol_page(user, [], action=action)
    try:
        codes = people.confirm_enrolment(tenant(), user, request.form.get("code", "")[:40], request.remote_addr or "")
    except ValidationFailed as exc:
        return _enrol_page(user, field_errors(exc), action=action, status=400)
    except Conflict:
        return redirect(url_for("backoffice.account"))
    return render_template("backoffice/recovery_codes.html", codes=codes, next=url_for("backoffice.account"),
                           section="account")


@bp.post("/account/verifica/disattiva")
def account_totp_disable() -> Response | Any:
    try:
        people.disable_totp(tenant(), staff(), request.form.get("password", "")[:200], request.remote_addr or "")
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.account"))
    except Unauthorized as exc:
        return _page([("password", exc.description)], 400)
    except people.LoginThrottled as exc:
        return _page([("password", exc.description)], 429)
    flash(_("Verifica in due passaggi disattivata."), "success")
    return redirect(url_for("backoffice.account"))
