"""The workshop's BPMN modeller: /gestione-servizi/<slug>/processo for a service's draft.

Administrators edit (the page saves the XML with PUT and gets back the server's check, which is the
authority); managers see the same page read-only; anyone else gets 404, so the section is not
advertised. The modeller itself is JavaScript (webapp/static/src, bundled into vendor/bpmn).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from webapp.services import workshop
from webapp.services.common.errors import DomainError, NotFound
from webapp.services.common.uow import unit_of_work
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp

MAX_XML_BYTES = 2 * 1024 * 1024  # a process far larger than any the engine would load


def _viewable_draft(slug: str) -> workshop.Draft:
    if not workshop.can_view(staff(), tenant()):
        abort(404)
    try:
        with unit_of_work():  # the first look makes the draft from the published version: keep it
            return workshop.draft_of(tenant(), slug)
    except NotFound:
        abort(404)


def _problems(slug: str) -> list[dict[str, Any]]:
    return [workshop.as_dict(problem) for problem in workshop.check_draft(tenant(), slug)]


@bp.get("/gestione-servizi/<slug>/processo", endpoint="workshop_process")
def process_page(slug: str) -> str:
    draft = _viewable_draft(slug)
    editable = workshop.can_edit(staff(), tenant())
    return render_template(
        "backoffice/workshop/process.html", section="workshop", draft=draft, editable=editable,
        choices=json.dumps(workshop.choices(tenant(), slug), ensure_ascii=False),
        problems=json.dumps(_problems(slug), ensure_ascii=False),
        xml_url=url_for("backoffice.workshop_process_xml", slug=slug),
        filename=(draft.process_path or "process.bpmn").rsplit("/", 1)[-1],
        workspace_url=url_for("backoffice.workshop"), service_url=url_for("backoffice.workshop_service", slug=slug))


@bp.get("/gestione-servizi/<slug>/processo/bpmn", endpoint="workshop_process_xml")
def process_xml(slug: str) -> Response:
    draft = _viewable_draft(slug)
    if draft.process_path is None:
        abort(404)
    response = Response(draft.files.get(draft.process_path, ""), mimetype="application/xml")
    response.headers["ETag"] = f'"{draft.revision}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _revision(body: dict[str, Any]) -> int | None:
    """The revision the editor started from: If-Match ("3", quotes optional), else the body's."""
    raw = (request.headers.get("If-Match") or "").strip().removeprefix("W/").strip('"')
    if raw.isdigit():
        return int(raw)
    value = body.get("revision")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@bp.put("/gestione-servizi/<slug>/processo/bpmn", endpoint="workshop_process_save")
def process_save(slug: str) -> tuple[Response, int]:
    draft = _viewable_draft(slug)
    if not workshop.can_edit(staff(), tenant()):
        return jsonify(message=_("Solo un amministratore può modificare il processo.")), 403
    if draft.process_path is None:
        return jsonify(message=_("Questo servizio usa solo il procedimento standard: non ha un processo proprio.")), 409
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("xml"), str) or not body["xml"].strip():
        return jsonify(message=_("Manca il file BPMN.")), 400
    if len(body["xml"].encode()) > MAX_XML_BYTES:
        return jsonify(message=_("Il file BPMN è troppo grande.")), 413
    revision = _revision(body)
    if revision is None:
        return jsonify(message=_("Manca la revisione da cui parte la modifica.")), 428
    try:
        with unit_of_work():
            saved = workshop.save_file(tenant(), staff(), slug, draft.process_path, body["xml"], revision=revision)
    except DomainError as error:
        return jsonify(message=error.description), error.status
    response = jsonify(revision=saved.revision, problems=_problems(slug))
    response.headers["ETag"] = f'"{saved.revision}"'
    return response, 200
