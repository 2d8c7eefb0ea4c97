"""Messages and private notes; registration reported by an external protocol system."""

from __future__ import annotations

import base64

from tests.conftest import Api
from tests.webapp.helpers import (
    GIUSEPPINA,
    MARIO,
    accesso_atti_data,
    act,
    create,
    history,
    messages_after_submission,
    submitted,
)
from tests.webapp.tenants import make_tenant, service_copy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_messages_notes_and_attachments(api):
    app_id = submitted(api, "contributo")
    sent = api.post(f"/applications/{app_id}/messages", MARIO, json={
        "message": "Allego la ricevuta", "attachments": [{"name": "ricevuta.png",
                                                           "file": base64.b64encode(PNG).decode()}]})
    assert sent.status_code == 201, sent.get_json()
    attachment = sent.get_json()["attachments"][0]
    assert (attachment["name"], attachment["mime_type"], attachment["size"]) == ("ricevuta.png", "image/png", len(PNG))
    note = api.post(f"/applications/{app_id}/messages", "operatore",
                    json={"message": "Verificare con l'anagrafe", "visibility": "internal"})
    assert note.status_code == 201
    reply = api.post(f"/applications/{app_id}/messages", "operatore", json={"message": "Ricevuto, grazie"})
    assert reply.status_code == 201

    citizen_view = [m["message"] for m in messages_after_submission(api, app_id)]
    assert citizen_view == ["Allego la ricevuta", "Ricevuto, grazie"]
    office_view = [m["message"] for m in messages_after_submission(api, app_id, "operatore")]
    assert office_view == ["Allego la ricevuta", "Verificare con l'anagrafe", "Ricevuto, grazie"]

    download = api.get(f"/applications/{app_id}/attachments/{attachment['id']}", MARIO)
    assert download.status_code == 200 and download.data == PNG
    assert api.get(f"/applications/{app_id}/attachments/{attachment['id']}", GIUSEPPINA).status_code == 404
    forbidden = api.post(f"/applications/{app_id}/messages", MARIO, json={"message": "x", "visibility": "internal"})
    assert forbidden.status_code == 403
    empty = api.post(f"/applications/{app_id}/messages", MARIO, json={"message": "   "})
    assert empty.status_code == 400 and empty.get_json()["errors"][0]["pointer"] == "/message"


def test_receipt_pdf_is_attached_on_submission(api):
    app_id = submitted(api, "contributo")
    with api.app.app_context():
        from webapp.extensions import db
        from webapp.models import Attachment

        [receipt] = db.session.scalars(db.select(Attachment).where(Attachment.kind == "compiled_form_pdf")).all()
        assert str(receipt.application_id) == app_id and receipt.mime_type == "application/pdf"
    content = api.get(f"/applications/{app_id}/attachments/{receipt.id}", MARIO)
    assert content.status_code == 200 and content.data.startswith(b"%PDF")


def test_external_protocol_system_registers_through_the_api(app, tmp_path):
    folder = service_copy(tmp_path, "accesso-atti", 1)
    manifest = folder / "service.yaml"
    manifest.write_text(manifest.read_text().replace("protocol_required: true",
                                                     "protocol_required: true\n  protocol_handler: external"))
    make_tenant(app, "esterno", [folder])
    api = Api(app, "esterno")
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    waiting = api.get(f"/applications/{app_id}", "op-esterno").get_json()
    assert waiting["status"] == "2000" and waiting["protocol_number"] is None
    assert "assign" not in {link["action"] for link in waiting["links"]}  # not before the number exists
    missing = act(api, app_id, "register", "op-esterno", {}, expect=400)
    assert missing.get_json()["errors"][0]["pointer"] == "/protocol_number"
    act(api, app_id, "register", "op-esterno", {"protocol_number": "2026/0000042", "protocol_document_id": "D-42"})
    registered = api.get(f"/applications/{app_id}", "op-esterno").get_json()
    assert registered["status"] == "3000" and registered["protocol_number"] == "2026/0000042"
    again = act(api, app_id, "register", "op-esterno", {"protocol_number": "2026/0000043"}, expect=409)
    assert again.get_json()["status"] == 409
    assert [s for s, _ in history(api, app_id, "op-esterno")] == [1000, 1900, 2000, 3000]
    act(api, app_id, "register", MARIO, {"protocol_number": "x"}, expect=403)
