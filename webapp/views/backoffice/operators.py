"""Operatori (managers only): list with search, create, edit services and office, role, delete."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import appointments, people
from webapp.services.common import policy
from webapp.services.common.errors import Conflict, Forbidden, ValidationFailed
from webapp.services.people import User
from webapp.views.backoffice._common import field_errors, staff, tenant
from webapp.views.backoffice._confirm import Confirmation, confirmation_page, confirmed
from webapp.views.backoffice.blueprint import bp


def _form() -> dict[str, Any]:
    return {**request.form.to_dict(), "services": request.form.getlist("services"),
            "calendars": request.form.getlist("calendars")}


def _render(operator: Any, values: dict[str, Any], errors: list[tuple[str, str]], status: int = 200) -> Any:
    return render_template(
        "backoffice/operator_form.html", section="operators", operator=operator, values=values, errors=errors,
        offices=people.list_offices(tenant()), services=people.list_services(tenant()),
        roles=people.creatable_roles(staff()),
        calendars=appointments.list_calendars(tenant()),
    ), status


@bp.get("/operatori", endpoint="operators")
def operators_list() -> str:
    search = (request.args.get("q") or "")[:100]
    rows = people.list_operators(tenant(), staff(), search)
    offices = {office.id: office.name for office in people.list_offices(tenant())}
    return render_template("backoffice/operators.html", section="operators", rows=rows, q=search,
                           offices_by_id=offices, role_confirmation=role_confirmation)


@bp.route("/operatori/nuovo", methods=["GET", "POST"])
def operator_new() -> Any:
    people.require_manager(staff())
    if request.method == "GET":
        return _render(None, {"services": [], "calendars": []}, [])
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    try:
        created = people.create_operator(
            tenant(), staff(), _form(), lambda token: base + url_for("backoffice.reset_password", token=token))
    except ValidationFailed as exc:
        return _render(None, _form(), field_errors(exc), 400)
    except Forbidden as exc:
        return _render(None, _form(), [("role", exc.description)], 403)
    flash(_("Operatore %(name)s creato: riceverà un'e-mail per scegliere la password.", name=created.full_name),
          "success")
    return redirect(url_for("backoffice.operators"))


@bp.route("/operatori/<operator_id>", methods=["GET", "POST"])
def operator_edit(operator_id: str) -> Any:
    operator = people.get_operator(tenant(), staff(), operator_id)
    if request.method == "GET":
        values = {"name": operator.name, "family_name": operator.family_name, "email": operator.email,
                  "office_id": str(operator.office_id or ""), "services": [str(s.id) for s in operator.services],
                  "calendars": [str(c.id) for c in operator.calendars]}
        return _render(operator, values, [])
    try:
        people.update_operator(tenant(), staff(), operator_id, _form())
    except ValidationFailed as exc:
        return _render(operator, _form(), field_errors(exc), 400)
    flash(_("Modifiche salvate."), "success")
    return redirect(url_for("backoffice.operators"))


def role_confirmation(operator: User, manager: bool) -> Confirmation:
    """Rendi manager / Rendi operatore: what the account may do afterwards."""
    name = operator.full_name
    if manager:
        title = _("Rendi manager %(name)s", name=name)
        text = _("%(name)s potrà gestire gli operatori e i loro servizi e vedrà le pratiche di tutti i servizi.",
                 name=name)
    else:
        title = _("Rendi operatore %(name)s", name=name)
        text = _("%(name)s non potrà più gestire gli operatori e vedrà solo le pratiche dei servizi per cui è "
                 "abilitata/o.", name=name)
    value = "1" if manager else "0"
    return Confirmation(
        title=title, text=text, submit=_("Rendi manager") if manager else _("Rendi operatore"),
        action=url_for("backoffice.operator_role", operator_id=operator.id),
        page=url_for("backoffice.operator_role", operator_id=operator.id, manager=value),
        back=url_for("backoffice.operators"), fields={"manager": value}, danger=False)


@bp.route("/operatori/<operator_id>/ruolo", methods=["GET", "POST"])
def operator_role(operator_id: str) -> Any:
    manager = request.values.get("manager") == "1"
    if not confirmed():
        operator = people.get_operator(tenant(), staff(), operator_id)
        if not policy.can_change_role(staff(), operator):
            flash(_("Non puoi cambiare il ruolo di questo account."), "error")
            return redirect(url_for("backoffice.operators"))
        return confirmation_page(role_confirmation(operator, manager), "operators")
    try:
        operator = people.set_manager(tenant(), staff(), operator_id, manager)
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.operators"))
    message = _("%(name)s ora è manager.", name=operator.full_name) if manager else _(
        "%(name)s ora è operatore.", name=operator.full_name)
    flash(message, "success")
    return redirect(url_for("backoffice.operators"))


@bp.post("/operatori/<operator_id>/elimina")
def operator_delete(operator_id: str) -> Response:
    try:
        name = people.delete_operator(tenant(), staff(), operator_id)
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.operators"))
    flash(_("Operatore %(name)s eliminato.", name=name), "success")
    return redirect(url_for("backoffice.operators"))
