"""Gestione servizi: the administrators' workshop (managers look): the services with their state, a new
service, its texts and options, publishing, versions with their differences, rollback, archiving, zip
export and import. The modeller, the form editor and the sandbox have their own pages."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import workshop
from webapp.services.common.errors import DomainError, Forbidden
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import download
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice._confirm import Confirmation, confirmation_page, confirmed
from webapp.views.backoffice.blueprint import bp
from webapp.views.backoffice.workshop_settings import SettingsForm, settings_values

SECTION = "workshop"


def require(edit: bool = False) -> None:
    """Operators are not told the workshop exists (404); managers may look but not change (403)."""
    if not workshop.can_view(staff(), tenant()):
        abort(404)
    if edit and not workshop.can_edit(staff(), tenant()):
        abort(403)


def _service_url(slug: str) -> str:
    return url_for("backoffice.workshop_service", slug=slug)


@bp.get("/gestione-servizi/", endpoint="workshop")
def workshop_list() -> str:
    require()
    return render_template("backoffice/workshop/index.html", section=SECTION,
                           rows=workshop.workspace(tenant(), staff()),
                           can_edit=workshop.can_edit(staff(), tenant()))


@bp.route("/gestione-servizi/nuovo", methods=["GET", "POST"], endpoint="workshop_new")
def workshop_new() -> Any:
    require(edit=True)
    values = request.form.to_dict() if request.method == "POST" else {"start": "blank"}
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        start = values.get("start", "blank")
        copy_of = {"copy": values.get("copy_of"), "model": f"{workshop.TEMPLATE_PREFIX}{values.get('model', '')}"}.get(
            start)
        try:
            with unit_of_work():
                draft = workshop.create_service(tenant(), staff(), values.get("slug", ""), values.get("title", ""),
                                                category=(values.get("category") or "").strip() or None,
                                                copy_of=copy_of)
        except DomainError as exc:
            errors = [(str(exc.extra.get("field") or ""), exc.description)]
        else:
            flash(_("Servizio «%(name)s» creato come bozza.", name=draft.title), "success")
            return redirect(_service_url(draft.slug))
    own = [(row.slug, row.name) for row in workshop.workspace(tenant(), staff())]
    return render_template("backoffice/workshop/new.html", section=SECTION, values=values, errors=errors,
                           own=own, models=workshop.shipped_models()), 400 if errors else 200


@bp.route("/gestione-servizi/<slug>/", methods=["GET", "POST"], endpoint="workshop_service")
def workshop_service(slug: str) -> Any:
    require()
    draft = workshop.draft_of(tenant(), slug)
    form = SettingsForm.from_draft(draft)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        require(edit=True)
        form = SettingsForm.from_request(request.form, draft)
        errors = form.errors
        if not errors:
            try:
                with unit_of_work():
                    draft = workshop.save_settings(tenant(), staff(), slug, title=form.title, category=form.category,
                                                   texts=form.texts, options=form.options,
                                                   revision=form.revision)
            except DomainError as exc:
                errors = [(str(exc.extra.get("field") or ""), exc.description)]
            else:
                flash(_("Testi e opzioni salvati nella bozza."), "success")
                return redirect(_service_url(slug))
    with unit_of_work():  # the first visit makes the draft from the published version
        problems = workshop.check_draft(tenant(), slug)
        draft = workshop.draft_of(tenant(), slug)
    return render_template(
        "backoffice/workshop/service.html", section=SECTION, draft=draft, form=form, errors=errors,
        problems=problems, versions=workshop.versions(tenant(), slug), values=settings_values(),
        can_edit=workshop.can_edit(staff(), tenant()), confirmations=_confirmations(draft),
    ), 400 if errors else 200


@bp.post("/gestione-servizi/<slug>/moduli", endpoint="workshop_form_new")
def workshop_form_new(slug: str) -> Any:
    require(edit=True)
    revision = request.form.get("revision", "")
    try:
        with unit_of_work():
            workshop.add_form(tenant(), staff(), slug, request.form.get("form_ref", ""),
                              request.form.get("form_title", ""),
                              revision=int(revision) if revision.isdigit() else None)
    except DomainError as exc:
        flash(exc.description, "error")
        return redirect(_service_url(slug) + "#forms-title")
    ref = request.form.get("form_ref", "").strip()
    flash(_("Modulo «%(ref)s» aggiunto alla bozza.", ref=ref), "success")
    return redirect(url_for("backoffice.workshop_form", slug=slug, ref=ref))


def _confirmations(draft: workshop.Draft) -> dict[str, Confirmation]:
    slug, back = draft.slug, _service_url(draft.slug)
    publish_text = _("La bozza diventa la versione %(n)d: le nuove domande partiranno da questa; quelle già "
                     "presentate restano sulla loro versione. Una versione pubblicata non si modifica più.",
                     n=(draft.current_version or 0) + 1)
    archived = draft.state == "archived"
    return {
        "publish": Confirmation(title=_("Pubblica «%(name)s»", name=draft.title), text=publish_text,
                                submit=_("Pubblica"), action=url_for("backoffice.workshop_publish", slug=slug),
                                page=url_for("backoffice.workshop_publish", slug=slug), back=back, danger=False),
        "archive": Confirmation(
            title=(_("Riattiva «%(name)s»", name=draft.title) if archived
                   else _("Archivia «%(name)s»", name=draft.title)),
            text=_("Il servizio torna nel catalogo e accetta nuove domande.") if archived else _(
                "Il servizio esce dal catalogo e non accetta nuove domande; le pratiche in corso proseguono."),
            submit=_("Riattiva") if archived else _("Archivia"),
            action=url_for("backoffice.workshop_archive", slug=slug),
            page=url_for("backoffice.workshop_archive", slug=slug, archived="0" if archived else "1"), back=back,
            fields={"archived": "0" if archived else "1"}, danger=not archived),
    }


def rollback_confirmation(slug: str, number: int) -> Confirmation:
    return Confirmation(
        title=_("Ripristina la versione %(n)d", n=number),
        text=_("Il contenuto della versione %(n)d viene pubblicato di nuovo come nuova versione e diventa anche la "
               "bozza: le modifiche non pubblicate della bozza si perdono.", n=number),
        submit=_("Ripristina"), action=url_for("backoffice.workshop_rollback", slug=slug, number=number),
        page=url_for("backoffice.workshop_rollback", slug=slug, number=number), back=_service_url(slug))


@bp.route("/gestione-servizi/<slug>/pubblica", methods=["GET", "POST"], endpoint="workshop_publish")
def workshop_publish(slug: str) -> Any:
    require(edit=True)
    draft = workshop.draft_of(tenant(), slug)
    if not confirmed():
        return confirmation_page(_confirmations(draft)["publish"], SECTION)
    try:
        with unit_of_work():
            version = workshop.publish(tenant(), staff(), slug)
            number = version.version
    except workshop.DraftInvalid as exc:
        flash(_("Non pubblicato: la bozza ha %(n)d errori, elencati qui sotto.", n=len(exc.problems)), "error")
    except DomainError as exc:
        flash(exc.description, "error")
    else:
        flash(_("Pubblicata la versione %(n)d.", n=number), "success")
    return redirect(_service_url(slug))


@bp.route("/gestione-servizi/<slug>/archivio", methods=["GET", "POST"], endpoint="workshop_archive")
def workshop_archive(slug: str) -> Any:
    require(edit=True)
    draft = workshop.draft_of(tenant(), slug)
    if not confirmed():
        return confirmation_page(_confirmations(draft)["archive"], SECTION)
    archived = request.form.get("archived") == "1"
    try:
        with unit_of_work():
            workshop.set_archived(tenant(), staff(), slug, archived)
    except DomainError as exc:
        flash(exc.description, "error")
    else:
        flash(_("Servizio archiviato.") if archived else _("Servizio riattivato."), "success")
    return redirect(_service_url(slug))


@bp.route("/gestione-servizi/<slug>/versioni/<int:number>/ripristina", methods=["GET", "POST"],
          endpoint="workshop_rollback")
def workshop_rollback(slug: str, number: int) -> Any:
    require(edit=True)
    workshop.version_of(tenant(), slug, number)
    if not confirmed():
        return confirmation_page(rollback_confirmation(slug, number), SECTION)
    try:
        with unit_of_work():
            version = workshop.rollback(tenant(), staff(), slug, number)
            new = version.version
    except DomainError as exc:
        flash(exc.description, "error")
    else:
        flash(_("La versione %(old)d è stata ripubblicata come versione %(new)d.", old=number, new=new), "success")
    return redirect(_service_url(slug))


@bp.get("/gestione-servizi/<slug>/versioni/<int:number>", endpoint="workshop_version")
def workshop_version(slug: str, number: int) -> str:
    require()
    draft = workshop.draft_of(tenant(), slug)
    return render_template("backoffice/workshop/version.html", section=SECTION, draft=draft,
                           diff=workshop.difference(tenant(), slug, number),
                           can_edit=workshop.can_edit(staff(), tenant()),
                           rollback=rollback_confirmation(slug, number))


@bp.get("/gestione-servizi/<slug>/esporta", endpoint="workshop_export")
def workshop_export(slug: str) -> Response:
    require()
    raw = request.args.get("version", "")
    name, content = workshop.export_zip(tenant(), slug, int(raw) if raw.isdigit() else None)
    return download(content, "application/zip", name)


@bp.post("/gestione-servizi/importa", endpoint="workshop_import")
def workshop_import() -> Any:
    require(edit=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Scegli un file zip da importare."), "error")
        return redirect(url_for("backoffice.workshop"))
    try:
        with unit_of_work():
            draft = workshop.import_zip(tenant(), staff(), upload.read(workshop.MAX_ZIP_BYTES + 1))
    except workshop.DraftInvalid as exc:
        return render_template("backoffice/workshop/import_failed.html", section=SECTION,
                               problems=exc.problems, name=upload.filename), 422
    except Forbidden:
        abort(403)
    except DomainError as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.workshop"))
    flash(_("Importato «%(name)s» come bozza: controllalo e pubblicalo.", name=draft.title), "success")
    return redirect(_service_url(draft.slug))
