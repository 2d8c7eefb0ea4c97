"""Marca da bollo: entered at submission where the form asks for it, or requested by the office at release."""

from __future__ import annotations

from datetime import date, timedelta

from tests.webapp.helpers import GIUSEPPINA, MARIO, accesso_atti_data, act, contributo_data, create, history

STAMP = {"identificativo": "01234567890123", "data_emissione": (date.today() - timedelta(days=3)).isoformat()}


def _conforme(**stamp: object) -> dict:
    return accesso_atti_data(modalita_accesso="copia conforme", marca_da_bollo=stamp or None)


def test_stamp_at_request_is_validated_and_used_once(api) -> None:
    missing = create(api, "accesso-atti", _conforme())["id"]
    refused = act(api, missing, "submit", MARIO, expect=400)
    assert "/marca_da_bollo" in {e["pointer"] for e in refused.get_json()["errors"]}

    future = create(api, "accesso-atti", _conforme(identificativo="01234567890123",
                                                   data_emissione=(date.today() + timedelta(days=2)).isoformat()))["id"]
    refused = act(api, future, "submit", MARIO, expect=400)
    assert refused.get_json()["errors"][0]["pointer"] == "/marca_da_bollo/data_emissione"

    first = create(api, "accesso-atti", _conforme(**STAMP))["id"]
    act(api, first, "submit", MARIO)
    [stamp] = api.get(f"/applications/{first}/payment", MARIO).get_json()
    assert (stamp["kind"], stamp["status"], stamp["stamp_identifier"]) == ("bollo", "COMPLETE", STAMP["identificativo"])

    again = create(api, "accesso-atti", _conforme(**STAMP), GIUSEPPINA)["id"]
    reused = act(api, again, "submit", GIUSEPPINA, expect=400)
    assert reused.get_json()["errors"][0]["message"] == "Questa marca da bollo è già stata utilizzata."
    assert api.get(f"/applications/{again}", GIUSEPPINA).get_json()["status"] == "1000"  # nothing moved


def test_stamps_requested_at_release(api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "stamps": [{"reason": "Bollo sul rilascio"}]})
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "1500"
    [stamp] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert (stamp["kind"], stamp["status"], stamp["amount"], stamp["notice_number"]) == (
        "bollo", "PAYMENT_PENDING", 1600, None)  # stamps are not pagoPA notices
    bad = api.post(f"/payments/{stamp['id']}/stamp", MARIO,
                   json={"identifier": "123", "issued_on": STAMP["data_emissione"]})
    assert bad.status_code == 400
    assert api.post(f"/payments/{stamp['id']}/stamp", GIUSEPPINA, json={
        "identifier": "99999999999999", "issued_on": STAMP["data_emissione"]}).status_code == 404
    given = api.post(f"/payments/{stamp['id']}/stamp", MARIO, json={"identifier": "99999999999999",
                                                                   "issued_on": STAMP["data_emissione"]})
    assert given.status_code == 200, given.get_json()
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "7000"
    assert [s for s, _ in history(api, app_id, MARIO)][-4:] == [4000, 1500, 1520, 7000]
