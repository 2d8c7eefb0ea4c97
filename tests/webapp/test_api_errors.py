"""Bad input gets a clear 4xx in the API error shape, and nothing is saved."""

from __future__ import annotations

import base64

import pytest

from tests.conftest import Api
from tests.webapp.helpers import GIUSEPPINA, MARIO, accesso_atti_data, act, contributo_data, create, submitted
from tests.webapp.tenants import make_tenant, service_copy


def _count(api, user="admin"):
    return api.get("/applications", user).get_json()["meta"]["count"]


def _shape(response, status, type_="error"):
    body = response.get_json()
    assert response.status_code == status, body
    assert body["type"] == type_ and body["status"] == status and body["title"]
    return body


def test_unknown_service(api):
    _shape(api.post("/applications", MARIO, json={"service": "non-esiste", "data": {}}), 404)
    _shape(api.get("/services/non-esiste"), 404)
    assert _count(api) == 0


def test_form_errors_are_field_level_with_json_pointers(api):
    bad = contributo_data(codice_fiscale="RSSMRA80A01H501X", iban="IT00", isee=-1, intruso="x")
    body = _shape(api.post("/applications", MARIO, json={"service": "contributo", "data": bad}), 400,
                  "validation_error")
    pointers = {e["pointer"]: e["message"] for e in body["errors"]}
    assert {"/codice_fiscale", "/iban", "/isee", "/intruso"} <= set(pointers)
    assert "fiscale" in pointers["/codice_fiscale"].lower()
    assert _count(api) == 0


def test_draft_may_be_incomplete_but_submit_needs_everything(api):
    app_id = create(api, "contributo", {"privacy": True})["id"]
    body = _shape(api.post(f"/applications/{app_id}/transition/submit", MARIO, json={}), 400, "validation_error")
    assert "/iban" in {e["pointer"] for e in body["errors"]}
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "1000"


def test_transition_not_allowed_names_the_status(api):
    app_id = create(api, "contributo", contributo_data())["id"]
    body = _shape(api.post(f"/applications/{app_id}/transition/accept", "operatore", json={}), 404)
    del body  # a draft is invisible to operators
    act(api, app_id, "submit", MARIO)
    body = _shape(api.post(f"/applications/{app_id}/transition/submit", MARIO, json={}), 409)
    assert "Acquisita" in body["description"] and "2000" in body["description"]
    _shape(api.post(f"/applications/{app_id}/transition/fly", MARIO, json={}), 404)


def test_stale_version_is_refused(api):
    created = create(api, "contributo", {"privacy": True})
    app_id, version = created["id"], created["version"]
    ok = api.patch(f"/applications/{app_id}", MARIO, json={"data": contributo_data(), "version": version})
    assert ok.status_code == 200 and ok.get_json()["version"] == version + 1
    stale = api.patch(f"/applications/{app_id}", MARIO, json={"data": {"privacy": True}, "version": version})
    _shape(stale, 409)
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["data"] == contributo_data()
    _shape(api.post(f"/applications/{app_id}/transition/submit", MARIO, json={},
                    headers={"If-Match": str(version)}), 409)


def test_an_empty_if_match_is_refused_not_ignored(api):
    created = create(api, "contributo", {"privacy": True})
    refused = api.patch(f"/applications/{created['id']}", MARIO, json={"data": contributo_data()},
                        headers={"If-Match": ""})
    _shape(refused, 400)
    assert api.get(f"/applications/{created['id']}", MARIO).get_json()["version"] == created["version"]


def test_other_citizens_and_malformed_ids_get_404(api):
    app_id = submitted(api, "contributo")
    for path in (f"/applications/{app_id}", f"/applications/{app_id}/history",
                 f"/applications/{app_id}/messages", "/applications/not-a-uuid"):
        _shape(api.get(path, GIUSEPPINA), 404)
    _shape(api.patch(f"/applications/{app_id}", GIUSEPPINA, json={"data": {}}), 404)
    _shape(api.post(f"/applications/{app_id}/messages", GIUSEPPINA, json={"message": "ciao"}), 404)
    assert api.get("/applications", GIUSEPPINA).get_json()["meta"]["count"] == 0


def test_malformed_json_and_missing_token(api):
    response = api.post("/applications", MARIO, data="{not json", content_type="application/json")
    _shape(response, 400)
    _shape(api.post("/applications", MARIO, data="[1, 2]", content_type="application/json"), 400)
    _shape(api.get("/applications"), 401)
    _shape(api.get("/applications", headers={"Authorization": "Bearer nonsense"}), 401)
    _shape(api.post("/auth", json={"username": "operatore", "password": "sbagliata"}), 401)
    _shape(api.post("/auth", json={"username": "operatore"}), 400, "validation_error")


def test_oversized_body_is_413(api):
    app_id = create(api, "contributo", {"privacy": True})["id"]
    huge = {"name": "a.pdf", "file": base64.b64encode(b"%PDF-" + b"0" * 3 * 1024 * 1024).decode()}
    _shape(api.post(f"/applications/{app_id}/attachments", MARIO, json=huge), 413)


@pytest.mark.parametrize(("name", "content", "status"), [
    ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, 415),    # an executable named .pdf
    ("foto.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415),             # a PNG disguised as a PDF
    ("delega.pdf", b"%PDF-1.4" + b"0" * (1024 * 1024), 413),             # over the attachment limit
])
def test_bad_uploads_are_refused_and_nothing_is_stored(api, name, content, status):
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    body = _shape(api.post(f"/applications/{app_id}/attachments", MARIO,
                           json={"name": name, "file": base64.b64encode(content).decode()}), status)
    assert name in body["description"]
    data = accesso_atti_data(in_qualita_di="delegato", documento_delega="7d5bbf0e-6a53-4b4e-9a55-4d0c7fb7e2a1",
                             delegante={"nome": "Anna", "cognome": "Bianchi", "codice_fiscale": GIUSEPPINA})
    foreign = _shape(api.patch(f"/applications/{app_id}", MARIO, json={"data": data}), 400, "validation_error")
    assert "Allegato" in foreign["errors"][0]["message"]


def test_list_limits_and_filters(api):
    _shape(api.get("/applications?limit=101", "admin"), 400, "validation_error")
    _shape(api.get("/applications?createdAt[after]=ieri", "admin"), 400, "validation_error")
    first = submitted(api, "contributo")
    submitted(api, "accesso-atti")
    create(api, "contributo", {"privacy": True}, GIUSEPPINA)
    page = api.get("/applications?limit=1", "admin").get_json()
    assert page["meta"]["count"] == 3 and len(page["data"]) == 1 and page["links"]["next"]
    assert page["links"]["prev"] is None
    only = api.get("/applications?service=contributo&status=2000", "operatore").get_json()
    assert [a["id"] for a in only["data"]] == [first]
    future = api.get("/applications?createdAt[after]=2999-01-01", "admin").get_json()
    assert future["meta"]["count"] == 0
    mine = api.get("/applications", GIUSEPPINA).get_json()
    assert mine["meta"]["count"] == 1 and mine["data"][0]["status"] == "1000"


def test_transition_bodies_are_typed(api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    body = _shape(api.post(f"/applications/{app_id}/transition/accept", "operatore",
                           json={"partial": "forse", "colore": "blu"}), 400, "validation_error")
    assert {e["pointer"] for e in body["errors"]} == {"/partial", "/colore"}
    assert api.get(f"/applications/{app_id}", "operatore").get_json()["status"] == "4000"


def test_a_broken_process_expression_is_a_clear_error_and_saves_nothing(app, tmp_path):
    # A service whose approval gateway names a variable nobody sets: the engine fails at run time.
    folder = service_copy(tmp_path, "accesso-atti", 1)
    bpmn = folder.parent / "_lifecycle" / "lifecycle.bpmn"
    bpmn.write_text(bpmn.read_text().replace("partial and allow_partial_approval", "partial and soglia_inesistente"))
    make_tenant(app, "rotto", [folder])
    api = Api(app, "rotto")
    app_id = submitted(api, "accesso-atti")
    act(api, app_id, "assign", "op-rotto")
    body = _shape(api.post(f"/applications/{app_id}/transition/accept", "op-rotto", json={"partial": True}), 422)
    assert "Nessuna modifica" in body["description"]
    detail = api.get(f"/applications/{app_id}", "op-rotto").get_json()
    assert detail["status"] == "4000" and detail["outcome"] is None
    assert [h["status_code"] for h in api.get(f"/applications/{app_id}/history", "op-rotto").get_json()][-1] == "4000"
    act(api, app_id, "reject", "op-rotto", {"message": "Il resto del processo funziona"})
