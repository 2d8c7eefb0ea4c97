"""Uffici (managers and administrators): list, create, rename, operators and services, close."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import people
from webapp.services.common.errors import Conflict, ValidationFailed
from webapp.views.backoffice._common import field_errors, staff, tenant
from webapp.views.backoffice.blueprint import bp


def _form() -> dict[str, Any]:
    return {**request.form.to_dict(), "services": request.form.getlist("services"),
            "members": request.form.getlist("members")}


def _render(office: Any, values: dict[str, Any], errors: list[tuple[str, str]], status: int = 200) -> Any:
    return render_template("backoffice/office_form.html", section="offices", office=office, values=values,
                           errors=errors, services=people.list_services(tenant()),
                           accounts=people.staff_accounts(tenant())), status


@bp.get("/uffici", endpoint="offices")
def offices_list() -> str:
    people.require_manager(staff())
    rows = people.list_offices(tenant(), closed=True)
    members = {office.id: people.office_members(tenant(), office) for office in rows}
    return render_template("backoffice/offices.html", section="offices", rows=rows, members=members)


@bp.route("/uffici/nuovo", methods=["GET", "POST"])
def office_new() -> Any:
    people.require_manager(staff())
    if request.method == "GET":
        return _render(None, {"services": [], "members": []}, [])
    try:
        office = people.create_office(tenant(), staff(), _form())
    except ValidationFailed as exc:
        return _render(None, _form(), field_errors(exc), 400)
    flash(_("Ufficio %(name)s creato.", name=office.name), "success")
    return redirect(url_for("backoffice.office_edit", office_id=office.id))


@bp.route("/uffici/<office_id>", methods=["GET", "POST"])
def office_edit(office_id: str) -> Any:
    office = people.get_office(tenant(), staff(), office_id)
    if request.method == "GET":
        values = {"name": office.name, "email": office.email or "", "services": [str(s.id) for s in office.services],
                  "members": [str(u.id) for u in people.office_members(tenant(), office)]}
        return _render(office, values, [])
    try:
        people.update_office(tenant(), staff(), office_id, _form())
    except ValidationFailed as exc:
        return _render(office, _form(), field_errors(exc), 400)
    except Conflict as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.offices"))
    flash(_("Modifiche salvate."), "success")
    return redirect(url_for("backoffice.offices"))


@bp.post("/uffici/<office_id>/chiudi")
def office_close(office_id: str) -> Response:
    try:
        office = people.close_office(tenant(), staff(), office_id)
    except Conflict as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.offices"))
    flash(_("Ufficio %(name)s chiuso.", name=office.name), "success")
    return redirect(url_for("backoffice.offices"))
