"""Impostazioni dell'ente (administrators only): identity, contacts, legal texts, links, mail, App IO, logo,
and the e-mail texts with their preview."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import catalogue, outbound, settings
from webapp.services.common.errors import DomainError, Forbidden, NotFound, ValidationFailed
from webapp.services.common.uow import unit_of_work
from webapp.views.backoffice._common import field_errors, staff, tenant
from webapp.views.backoffice._confirm import Confirmation, confirmation_page, confirmed
from webapp.views.backoffice.blueprint import bp

SECTION = "settings"


def _admin() -> None:
    try:
        settings.require_admin(staff(), tenant())
    except (Forbidden, NotFound):
        abort(403)


def _page(values: dict[str, Any], errors: list[tuple[str, str]], status: int = 200) -> tuple[str, int]:
    return render_template("backoffice/settings.html", section=SECTION, values=values, errors=errors,
                           services=catalogue.list_services(tenant())), status


def _changes() -> dict[str, Any]:
    """The page's fields as the service takes them; secrets only when typed (empty keeps the stored one)."""
    form = request.form
    changes: dict[str, Any] = {key: form.get(key, "") for key in settings.PLAIN}
    smtp: dict[str, Any] = {key: form.get(f"smtp-{key}", "") for key in ("host", "port", "username", "security")}
    if form.get("smtp-password"):
        smtp["password"] = form["smtp-password"]
    elif form.get("smtp-password-clear"):
        smtp["password"] = None
    changes["smtp"] = smtp
    slugs = [service.slug for service in catalogue.list_services(tenant())]
    keys: dict[str, str | None] = {slug: form[f"app_io_keys-{slug}"] for slug in slugs
                                   if form.get(f"app_io_keys-{slug}")}
    keys.update({slug: None for slug in form.getlist("app_io_clear")})
    changes["app_io_keys"] = keys
    return changes


@bp.route("/impostazioni", methods=["GET", "POST"], endpoint="settings")
def settings_page() -> Any:
    _admin()
    if request.method == "GET":
        return _page(settings.public_view(tenant()), [])
    try:
        with unit_of_work():
            settings.update_settings(tenant(), staff(), _changes())
    except ValidationFailed as exc:
        values = {**settings.public_view(tenant()), **{k: request.form.get(k) for k in settings.PLAIN}}
        return _page(values, field_errors(exc), 400)
    flash(_("Impostazioni salvate."), "success")
    return redirect(url_for("backoffice.settings"))


@bp.post("/impostazioni/prova-email", endpoint="settings_test_email")
def settings_test_email() -> Response:
    _admin()
    try:
        with unit_of_work():
            outcome = settings.send_test_email(tenant(), staff(), request.form.get("recipient", ""))
    except DomainError as exc:
        flash(_("E-mail di prova non inviata: %(problem)s", problem=exc.description), "danger")
        return redirect(url_for("backoffice.settings", _anchor="posta"))
    flash(_("E-mail di prova inviata.") if outcome == "sent"
          else _("E-mail di prova registrata: in questa installazione la posta non esce, si legge nella pagina "
                 "della posta di prova."), "success")
    return redirect(url_for("backoffice.settings", _anchor="posta"))


@bp.post("/impostazioni/logo", endpoint="settings_logo")
def settings_logo() -> Any:
    _admin()
    upload = request.files.get("logo")
    if upload is None or not upload.filename:
        flash(_("Scegli un file PNG o JPEG da caricare."), "danger")
        return redirect(url_for("backoffice.settings", _anchor="logo"))
    try:
        with unit_of_work():
            settings.set_logo(tenant(), staff(), upload.read())
    except DomainError as exc:
        flash(_("Logo non caricato: %(problem)s", problem=exc.description), "danger")
        return redirect(url_for("backoffice.settings", _anchor="logo"))
    flash(_("Logo aggiornato."), "success")
    return redirect(url_for("backoffice.settings", _anchor="logo"))


def logo_removal() -> Confirmation:
    return Confirmation(title=_("Rimuovi il logo"), text=_("Il logo dell'ente non comparirà più nelle pagine. Per "
                                                           "rimetterlo andrà caricato di nuovo."),
                        submit=_("Rimuovi il logo"), action=url_for("backoffice.settings_logo_remove"),
                        page=url_for("backoffice.settings_logo_remove"), back=url_for("backoffice.settings"))


@bp.route("/impostazioni/logo/rimuovi", methods=["GET", "POST"], endpoint="settings_logo_remove")
def settings_logo_remove() -> Any:
    _admin()
    if not confirmed():
        return confirmation_page(logo_removal(), SECTION)
    with unit_of_work():
        settings.remove_logo(tenant(), staff())
    flash(_("Logo rimosso."), "success")
    return redirect(url_for("backoffice.settings"))


@bp.route("/impostazioni/email", methods=["GET", "POST"], endpoint="settings_emails")
def settings_emails() -> Any:
    """The ente's e-mail texts, one per template and language; "Anteprima" shows one as it would be sent."""
    _admin()
    own = settings.public_view(tenant())["email_templates"]
    values = {key: request.form.get(f"t-{key}", "") for key in _keys()} if request.method == "POST" else own
    errors: list[tuple[str, str]] = []
    shown: tuple[str, tuple[str, str] | None] | None = None
    status = 200
    if request.method == "POST" and (target := request.form.get("preview")):
        template, _dot, language = target.partition(".")
        try:
            shown = (target, settings.preview(tenant(), staff(), template, values.get(target), language))
        except DomainError as exc:
            errors, status = [(f"t-{target}", exc.description)], 400
    elif request.method == "POST":
        try:
            with unit_of_work():
                settings.update_settings(tenant(), staff(), {"email_templates": values})
        except ValidationFailed as exc:
            errors = [(f"t-{key.removeprefix('email_templates-')}", message) for key, message in field_errors(exc)]
            status = 400
        else:
            flash(_("Testi delle e-mail salvati."), "success")
            return redirect(url_for("backoffice.settings_emails"))
    return render_template("backoffice/settings_emails.html", section=SECTION, values=values, errors=errors,
                           keys=_keys(), shown=shown), status


def _keys() -> list[str]:
    return [f"{template}.{language}" for template in outbound.EMAIL_TEMPLATES for language in ("it", "en")]
