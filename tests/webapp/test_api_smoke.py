from __future__ import annotations

from tests.webapp.helpers import act, history, status, submitted


def test_submit_and_approve_without_protocol(api):
    app_id = submitted(api, "contributo")
    assert status(api, app_id) == 2000
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Contributo concesso"})
    assert status(api, app_id) == 7000
    assert [s for s, _ in history(api, app_id)] == [1000, 1900, 2000, 4000, 7000]
    assert history(api, app_id)[0][1] == "Mario Rossi"
