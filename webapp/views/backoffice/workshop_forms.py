"""The form editor of a service's draft: the editor page, its live preview, and saving the document.

The browser edits the document and shows what the server answers; it judges nothing. The preview is
drawn by the citizen's own render model and field macros; saving runs the check publishing runs
(forms.form_from_document) and refuses a broken document before the draft keeps it.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import workshop
from webapp.services.common.errors import Conflict, DomainError
from webapp.services.common.uow import unit_of_work
from webapp.views.backoffice import _form_preview as preview
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp

BASE = "/gestione-servizi/<slug>/moduli/<ref>"


def _viewable() -> None:
    # Operators and others are told nothing exists here: the section is not advertised to them.
    if not workshop.can_view(staff(), tenant()):
        abort(404)


def _form_path(draft: Any, ref: str) -> str:
    path = draft.form_paths.get(ref)
    if path is None or path not in draft.files:
        abort(404)
    return str(path)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, _("La richiesta deve contenere un oggetto JSON."))
    return body


def _kinds() -> list[dict[str, str]]:
    """The field types the visual editor offers (form-editor-model.js builds the schema of each)."""
    return [{"value": value, "label": label} for value, label in (
        ("text", _("Testo breve")), ("textarea", _("Testo lungo")), ("number", _("Numero")),
        ("integer", _("Numero intero")), ("date", _("Data")), ("boolean", _("Sì/No (casella da spuntare)")),
        ("consent", _("Conferma obbligatoria (da spuntare)")), ("radio", _("Scelta singola (pulsanti)")),
        ("select", _("Scelta singola (menu a tendina)")), ("checkboxes", _("Scelta multipla")),
        ("file", _("File allegato")), ("files", _("Più file allegati")), ("group", _("Sezione (gruppo di campi)")),
    )]


def _texts() -> dict[str, str]:
    """The editor's words, translated here so that the static script carries none of its own."""
    return {
        "visual": _("Editor visuale"), "form_title": _("Titolo del modulo"), "step": _("Passo"),
        "single_step": _("Passo unico (il modulo non ha passi dichiarati)"), "step_title": _("Titolo del passo"),
        "step_id": _("Identificativo del passo (compare negli indirizzi)"), "add_step": _("Aggiungi un passo"),
        "new_step": _("Nuovo passo"), "remove_step": _("Rimuovi il passo"),
        "step_removed": _("Passo rimosso: i suoi campi sono passati al passo precedente."),
        "up": _("Su"), "down": _("Giù"), "add_field": _("Aggiungi un campo"),
        "add_section_field": _("Aggiungi un campo alla sezione"), "section_fields": _("Campi della sezione"),
        "remove_field": _("Rimuovi il campo"), "field_removed": _("Campo rimosso"),
        "remove_trigger": _("Questo campo decide quando mostrare altri campi: togli prima quelle condizioni."),
        "key": _("Chiave del campo"),
        "key_help": _("Il nome con cui il dato arriva al processo: lettere minuscole, cifre e trattino basso."),
        "key_taken": _("Chiave non cambiata: è vuota o la usa già un altro campo."),
        "kind": _("Tipo di campo"), "other_kind": _("Altro"),
        "other_help": _("Il tipo di questo campo non ha un editor visuale: modificalo nel JSON."),
        "label": _("Etichetta"), "help": _("Testo di aiuto"), "required": _("Obbligatorio"),
        "format": _("Formato"), "no_format": _("Nessuno (testo libero)"),
        "min_length": _("Lunghezza minima"), "max_length": _("Lunghezza massima"),
        "minimum": _("Valore minimo"), "maximum": _("Valore massimo"), "max_files": _("Numero massimo di file"),
        "choices": _("Scelte"), "choices_help": _("Una scelta per riga."),
        "file_help": _("Formati ammessi e dimensione massima sono quelli della piattaforma."),
        "condition": _("Condizione"), "show_when": _("Mostra il campo"), "always": _("Sempre"),
        "has_value": _("quando il campo scelto vale"), "yes": _("Sì"), "no": _("No"),
        "advanced_condition": _("Questo campo ha una condizione che l'editor visuale non rappresenta: "
                                "modificala nel JSON."),
        "move_to_step": _("Sposta nel passo"), "all_steps": _("Tutti i passi"),
        "bad_json": _("Il JSON non è leggibile: l'editor visuale riprende quando lo correggi. "
                      "L'anteprima mostra il motivo."),
        "not_drawable": _("L'editor visuale non riconosce la struttura di questo documento: correggila nel JSON."),
        "unsaved": _("Modifiche non salvate"), "saved": _("Modulo salvato nella bozza."),
        "save_failed": _("Il salvataggio non è riuscito: riprova."),
        "preview_failed": _("L'anteprima non è disponibile: riprova fra poco."),
    }


def _trail(draft: Any) -> list[tuple[str, str]]:
    """The breadcrumb's links up to the service."""
    return [(_("Gestione servizi"), url_for("backoffice.workshop")),
            (draft.title, url_for("backoffice.workshop_service", slug=draft.slug))]


@bp.get(BASE, endpoint="workshop_form")
def form_page(slug: str, ref: str) -> str:
    _viewable()
    draft = workshop.draft_of(tenant(), slug)
    path = _form_path(draft, ref)
    return render_template("backoffice/workshop/form.html", section="workshop", draft=draft, ref=ref, path=path,
                           text=draft.files[path], can_edit=workshop.can_edit(staff(), tenant()), trail=_trail(draft),
                           formats=preview.format_choices(), kinds=_kinds(), texts=_texts())


@bp.post(BASE + "/anteprima", endpoint="workshop_form_preview")
def form_preview(slug: str, ref: str) -> tuple[str, int]:
    """The document as the citizen would see it (all steps or one); with `validate`, the sample answers'
    errors. A broken document answers 422 with its message: the editor shows it in place of the preview."""
    _viewable()
    _form_path(workshop.draft_of(tenant(), slug), ref)
    body = _body()
    try:
        form = preview.checked_form(ref, body.get("text"))
    except preview.BrokenDocument as exc:
        return render_template("backoffice/workshop/form_preview.html", problem=str(exc)), 422
    step = body.get("step") if isinstance(body.get("step"), str) else None
    page = preview.build_preview(form, step, preview.answers_of(body.get("answers")), body.get("validate") is True)
    return render_template("backoffice/workshop/form_preview.html", page=page, problem=None), 200


@bp.put(BASE, endpoint="workshop_form_save")
def form_save(slug: str, ref: str) -> tuple[Response, int]:
    _viewable()
    draft = workshop.draft_of(tenant(), slug)
    path = _form_path(draft, ref)
    if not workshop.can_edit(staff(), tenant()):
        return jsonify(error=_("Puoi consultare il modulo, ma solo gli amministratori possono modificarlo.")), 403
    body = _body()
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        return jsonify(error=_("Manca la revisione della bozza su cui hai lavorato.")), 400
    text = body.get("text")
    try:
        preview.checked_form(ref, text)
    except preview.BrokenDocument as exc:
        return jsonify(error=_("Il modulo non è stato salvato: %(problem)s", problem=str(exc))), 422
    assert isinstance(text, str)
    try:
        with unit_of_work():
            saved = workshop.save_file(tenant(), staff(), slug, path, text if text.endswith("\n") else text + "\n",
                                       revision=revision)
    except Conflict:
        return jsonify(error=_("Il modulo non è stato salvato: qualcun altro ha salvato la bozza nel frattempo. "
                               "Copia le tue modifiche dal JSON, ricarica la pagina e riapplicale.")), 409
    except DomainError as exc:
        return jsonify(error=exc.description), exc.status
    return jsonify(revision=saved.revision, message=_("Modulo salvato nella bozza.")), 200
