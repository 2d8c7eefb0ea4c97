"""Handling actions from the pages: state machine, version check, explanations, messages and notes."""

from __future__ import annotations

import base64
import io

from tests.backoffice.conftest import SOCIAL, act, logged_in
from tests.webapp.helpers import MARIO, status, submitted
from tests.webapp.helpers import act as api_act
from webapp.extensions import db
from webapp.models import Attachment, Message

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DETAIL = "/demo/backoffice/pratiche/{}"


def _page(client, app_id: str, tab: str = "dati") -> str:
    suffix = "" if tab == "dati" else f"/{tab}"
    return client.get(DETAIL.format(app_id) + suffix).get_data(as_text=True)


def test_full_handling_through_the_pages(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "operatore")
    html = _page(client, app_id)
    assert "Prendi in carico" in html and "Approva" not in html  # presa in carico obbligatoria
    assert "IBAN del conto per l&#39;accredito" in html and "IT60X0542811101000000123456" in html
    assert act(client, app_id, "take").status_code == 302
    assert status(api, app_id) == 4000
    assert "Pratica presa in carico." in _page(client, app_id)
    response = act(client, app_id, "request-integration", {
        "message": "Allegare l'ISEE aggiornato", "attachments": (io.BytesIO(PDF), "richiesta.pdf")})
    assert response.status_code == 302 and status(api, app_id) == 4200
    answer = {"message": "Ecco l'ISEE", "attachments": [
        {"name": "isee.pdf", "mime_type": "application/pdf", "file": base64.b64encode(PDF).decode()}]}
    assert api.post(f"/applications/{app_id}/messages", MARIO, json=answer).status_code == 201
    act(client, app_id, "accept-integration")
    assert status(api, app_id) in (4000, 4500)
    act(client, app_id, "accept", {"message": "Contributo concesso", "partial": "1",
                                   "response": (io.BytesIO(PDF), "esito.pdf")})
    assert status(api, app_id) == 7100
    history = [h["event"] for h in api.get(f"/applications/{app_id}/history", "operatore").get_json()]
    assert "integration_requested" in history and "integration_accepted" in history
    assert history[-1] == "partially_approved"
    documents = _page(client, app_id, "documenti")
    assert "esito.pdf" in documents and "isee.pdf" in documents and "richiesta.pdf" in documents
    with app.app_context():
        attachment = db.session.scalar(db.select(Attachment).where(Attachment.original_filename == "esito.pdf"))
    download = client.get(DETAIL.format(app_id) + f"/allegati/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "Iter" in _page(client, app_id, "iter") and "Approvazione parziale" in _page(client, app_id, "iter")


def test_stale_version_tells_who_did_what(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "operatore")
    old_version = int(api.get(f"/applications/{app_id}", "operatore").get_json()["version"])
    api_act(api, app_id, "assign", "manager")
    response = act(client, app_id, "take", version=old_version)
    assert response.status_code == 302
    html = _page(client, app_id)
    assert "Maria Manager ha eseguito «presa in carico»" in html
    assert "Subentra a Maria Manager" in html and "Traceback" not in html


def test_reject_requires_a_message_and_take_over(app, api):
    app_id = submitted(api, "contributo")
    api_act(api, app_id, "assign", "manager")
    client = logged_in(app, "operatore")
    act(client, app_id, "take-over")
    assert api.get(f"/applications/{app_id}", "admin").get_json()["operator"] == "Olivia Operatrice"
    act(client, app_id, "reject", {"message": "  "})
    assert "La motivazione è obbligatoria." in _page(client, app_id)
    assert status(api, app_id) == 4000
    act(client, app_id, "reject", {"message": "Requisiti ISEE non soddisfatti"})
    assert status(api, app_id) == 9000
    assert "Rigetta" not in _page(client, app_id).split("nav-tabs")[0].split("bo-actions")[1]


def test_assign_to_an_office_only(app, api, other_staff):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "manager")
    html = _page(client, app_id)
    office_id = html.split(f">{SOCIAL}<")[0].rsplit('value="', 1)[1].split('"')[0]
    act(client, app_id, "assign", {"office_id": office_id})
    detail = api.get(f"/applications/{app_id}", "admin").get_json()
    assert detail["status"] == "4000" and detail["office"] == SOCIAL and detail["operator"] is None
    act(logged_in(app, "operatore"), app_id, "take")
    assert api.get(f"/applications/{app_id}", "admin").get_json()["operator"] is None  # not their office
    act(logged_in(app, "sociale"), app_id, "take")
    assert api.get(f"/applications/{app_id}", "admin").get_json()["operator"] == "Sociale Test"


def test_messages_and_private_notes(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "operatore")
    html = _page(client, app_id, "messaggi")
    token = html.split('name="csrf_token" value="')[1].split('"')[0]
    url = DETAIL.format(app_id) + "/messaggi"
    client.post(url, data={"csrf_token": token, "message": "Buongiorno, serve altro?", "kind": "message",
                           "attachments": (io.BytesIO(PDF), "info.pdf")}, content_type="multipart/form-data")
    client.post(url, data={"csrf_token": token, "message": "Controllare ISEE con l'INPS", "kind": "note"})
    html = _page(client, app_id, "messaggi")
    assert "Buongiorno, serve altro?" in html and "info.pdf" in html and "Nota privata" in html
    seen = [m["message"] for m in api.get(f"/applications/{app_id}/messages", MARIO).get_json()]
    # the ente's acknowledgement of the submission (C.SE.1.2) first, then the operator's message; no note
    assert len(seen) == 2 and seen[0].startswith("Abbiamo ricevuto la tua domanda")
    assert seen[1] == "Buongiorno, serve altro?"
    notes = api.get(f"/applications/{app_id}/notes", "operatore").get_json()
    assert [n["message"] for n in notes] == ["Controllare ISEE con l'INPS"]
    assert api.post(f"/applications/{app_id}/notes", "operatore", json={"message": "Seconda"}).status_code == 201
    assert api.get(f"/applications/{app_id}/notes", MARIO).status_code == 403
    assert api.post(f"/applications/{app_id}/notes", MARIO, json={"message": "x"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Message)
                                 .where(Message.visibility == "internal")) == 2


def test_unknown_action_and_missing_csrf(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "operatore")
    assert act(client, app_id, "explode").status_code == 404
    response = client.post(DETAIL.format(app_id) + "/azioni/take", data={"version": "1"})
    assert response.status_code == 400
    assert status(api, app_id) == 2000
