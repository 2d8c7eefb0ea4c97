"""The application lifecycle through the REST API, on PostgreSQL, with every status in the history."""

from __future__ import annotations

import base64

from tests.webapp.helpers import (
    GIUSEPPINA,
    MARIO,
    accesso_atti_data,
    act,
    create,
    history,
    status,
    submitted,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def _links(api, app_id, user):
    return {link["action"] for link in api.get(f"/applications/{app_id}", user).get_json()["links"]}


def test_accesso_atti_with_delegation_integration_and_approval(api):
    # Acting for someone else makes the delegation document required (the manual's example).
    draft = create(api, "accesso-atti", accesso_atti_data(in_qualita_di="delegato"))
    app_id = draft["id"]
    assert draft["status"] == "1000" and draft["status_name"] == "Bozza"
    assert _links(api, app_id, MARIO) == {"submit"}
    refused = api.post(f"/applications/{app_id}/transition/submit", MARIO, json={})
    assert refused.status_code == 400
    pointers = {e["pointer"] for e in refused.get_json()["errors"]}
    assert {"/documento_delega", "/delegante"} <= pointers
    assert status(api, app_id, MARIO) == 1000  # nothing moved

    upload = api.post(f"/applications/{app_id}/attachments", MARIO,
                      json={"name": "delega.pdf", "mime_type": "application/pdf", "file": _b64(PDF)})
    assert upload.status_code == 201, upload.get_json()
    data = accesso_atti_data(in_qualita_di="delegato", documento_delega=upload.get_json()["id"],
                             delegante={"nome": "Anna", "cognome": "Bianchi", "codice_fiscale": GIUSEPPINA})
    patched = api.patch(f"/applications/{app_id}", MARIO, json={"data": data, "version": draft["version"]})
    assert patched.status_code == 200, patched.get_json()
    act(api, app_id, "submit", MARIO)

    # Protocol required: the registration ran as an asynchronous service task after commit.
    app = api.get(f"/applications/{app_id}", "operatore").get_json()
    assert app["status"] == "3000" and app["protocol_number"].startswith("20")
    assert app["submitted_at"] is not None
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Manca la copia del documento"})
    assert status(api, app_id) == 4200
    assert _links(api, app_id, MARIO) == {"submit"}  # no withdraw while integrations are awaited

    act(api, app_id, "submit", MARIO, {"data": data, "message": "Ecco il documento",
                                       "attachments": [{"name": "documento.pdf", "file": _b64(PDF)}]})
    assert status(api, app_id) == 4500
    act(api, app_id, "accept", "operatore", {"message": "Accesso consentito"})

    app = api.get(f"/applications/{app_id}", MARIO).get_json()
    assert (app["status"], app["outcome"], app["outcome_motivation"]) == ("7000", "approved", "Accesso consentito")
    assert len(app["protocol_numbers"]) == 4  # application, request, answer, outcome
    steps = history(api, app_id, MARIO)
    assert [s for s, _ in steps] == [1000, 1900, 2000, 3000, 4000, 4100, 4200, 4300, 4400, 4500, 6000, 7000]
    actors = dict(steps)
    assert actors[1000] == actors[1900] == actors[4300] == "Mario Rossi"
    assert actors[4000] == actors[4100] == actors[6000] == "Olivia Operatrice"
    assert actors[2000] == actors[3000] == actors[7000] == "Sistema"
    texts = [m["message"] for m in api.get(f"/applications/{app_id}/messages", MARIO).get_json()]
    assert texts[0].startswith(f"Abbiamo ricevuto la tua domanda n. {app_id}")  # the ente's acknowledgement
    assert texts[1:] == ["Manca la copia del documento", "Ecco il documento", "Accesso consentito"]


def test_reject_without_protocol(api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    refused = act(api, app_id, "reject", "operatore", {}, expect=400)
    assert refused.get_json()["errors"][0]["pointer"] == "/message"
    act(api, app_id, "reject", "operatore", {"message": "ISEE oltre la soglia"})
    app = api.get(f"/applications/{app_id}", MARIO).get_json()
    assert (app["status"], app["status_name"], app["outcome"]) == ("9000", "Rifiutata", "rejected")
    assert [s for s, _ in history(api, app_id)] == [1000, 1900, 2000, 4000, 9000]
    assert _links(api, app_id, "operatore") == set()


def test_partial_approval_with_and_without_protocol(api):
    plain = submitted(api, "contributo")
    act(api, plain, "assign", "operatore")
    act(api, plain, "accept", "operatore", {"message": "Concessi 200 euro su 300", "partial": True})
    app = api.get(f"/applications/{plain}", MARIO).get_json()
    assert (app["status"], app["status_name"], app["outcome"]) == ("7100", "Parzialmente approvata",
                                                                   "partially_approved")
    protocolled = submitted(api, "accesso-atti")
    act(api, protocolled, "assign", "operatore")
    act(api, protocolled, "accept", "operatore", {"message": "Solo visione", "is_partial": True})
    assert [s for s, _ in history(api, protocolled)][-3:] == [4000, 6000, 7100]


def test_integration_accepted_or_refused_by_the_operator(api):
    for action, note in (("accept-integration", {"messages": None}), ("cancel-integration", {})):
        app_id = submitted(api, "contributo")
        act(api, app_id, "assign", "operatore")
        act(api, app_id, "request-integration", "operatore", {"message": "Allegare l'ISEE aggiornato"})
        assert status(api, app_id) == 4200
        assert "accept-integration" in _links(api, app_id, "operatore")
        act(api, app_id, action, "operatore", note)
        # Without protocol the answer goes straight back to the operator (4300 -> 4000).
        assert [s for s, _ in history(api, app_id)][-4:] == [4100, 4200, 4300, 4000]
        act(api, app_id, "accept", "operatore")
        assert status(api, app_id) == 7000


def test_withdraw_allowed_and_forbidden(api):
    app_id = submitted(api, "contributo")
    assert "withdraw" in _links(api, app_id, MARIO)
    other = act(api, app_id, "withdraw", "operatore", expect=403)
    assert other.get_json()["type"] == "error"
    assert api.post(f"/applications/{app_id}/transition/withdraw", GIUSEPPINA).status_code == 404
    act(api, app_id, "withdraw", MARIO)
    assert status(api, app_id, MARIO) == 20000
    assert [s for s, _ in history(api, app_id, MARIO)] == [1000, 1900, 2000, 20000]

    decided = submitted(api, "contributo")
    act(api, decided, "assign", "operatore")
    assert "withdraw" in _links(api, decided, MARIO)  # 4000 still allows it
    act(api, decided, "accept", "operatore")
    refused = act(api, decided, "withdraw", MARIO, expect=409)
    body = refused.get_json()
    assert body["status"] == 409 and "Approvata" in body["description"]
    assert "withdraw" not in _links(api, decided, MARIO)


def test_operator_must_take_charge_before_deciding(api):
    app_id = submitted(api, "contributo")
    refused = act(api, app_id, "accept", "operatore", expect=409)
    assert "Acquisita" in refused.get_json()["description"]
    act(api, app_id, "assign", "operatore")
    manager_try = act(api, app_id, "accept", "manager", expect=403)
    assert "Olivia Operatrice" in manager_try.get_json()["description"]
    taken = act(api, app_id, "assign", "manager", expect=409)
    assert "Olivia Operatrice" in taken.get_json()["description"]
    act(api, app_id, "assign", "manager", {"take_over": True})
    act(api, app_id, "accept", "manager")
    events = [h["event"] for h in api.get(f"/applications/{app_id}/history", "manager").get_json()]
    assert "take_over" in events
