"""A multi-instance user task through the API: one opinion from each office the application names
(tests/webapp/processes/pareri_uffici), each instance a task of its own office only."""

from __future__ import annotations

from typing import Any

from tests.webapp.helpers import MARIO, act, create, status
from tests.webapp.process_tasks import complete, tasks

OPINION = {"esito": "favorevole", "motivazione": "Nulla osta"}


def _submitted(api: Any, offices: list[str]) -> str:
    app_id = str(create(api, "pareri-uffici", {"privacy": True, "nome": "Mario", "uffici": offices})["id"])
    act(api, app_id, "submit", MARIO)
    return app_id


def test_one_task_per_named_office_each_for_that_office_only(app, api, pareri_uffici):
    app_id = _submitted(api, ["tecnico", "polizia-locale"])
    assert status(api, app_id, "manager") == 4600
    every = tasks(api, app_id, "manager")
    assert [t["name"] for t in every] == ["ut_parere", "ut_parere"]
    assert sorted(t["candidate"] for t in every) == ["ufficio:polizia-locale", "ufficio:tecnico"]
    [technical] = tasks(api, app_id, "tecnico")
    [police] = tasks(api, app_id, "vigile")
    assert technical["candidate"] == "ufficio:tecnico" and police["candidate"] == "ufficio:polizia-locale"
    assert {technical["id"], police["id"]} == {t["id"] for t in every}
    assert tasks(api, app_id, "operatore") == []  # the URP is enabled for the service but was not named
    assert complete(api, app_id, police["id"], "tecnico", OPINION).status_code == 404
    assert complete(api, app_id, technical["id"], "vigile", OPINION).status_code == 404
    assert complete(api, app_id, technical["id"], "operatore", OPINION).status_code == 404
    assert [t["id"] for t in tasks(api, app_id, "manager")] == [t["id"] for t in every]  # nothing moved


def test_the_process_goes_on_once_every_office_answered(app, api, pareri_uffici):
    app_id = _submitted(api, ["tecnico", "polizia-locale", "urp"])
    mine = {user: tasks(api, app_id, user) for user in ("tecnico", "vigile", "operatore")}
    assert all(len(found) == 1 and found[0]["name"] == "ut_parere" for found in mine.values())
    for n, user in enumerate(("vigile", "operatore")):
        assert complete(api, app_id, mine[user][0]["id"], user, OPINION).status_code == 204
        assert tasks(api, app_id, user) == []  # done, and the office has nothing else here
        assert status(api, app_id, "manager") == 4600  # still waiting for the others
        assert len(tasks(api, app_id, "manager")) == 2 - n
    again = complete(api, app_id, mine["vigile"][0]["id"], "vigile", OPINION)
    assert again.status_code == 409  # that instance is done: no longer a task to complete
    assert complete(api, app_id, mine["tecnico"][0]["id"], "tecnico",
                    {"esito": "contrario", "motivazione": "Area vincolata"}).status_code == 204
    assert status(api, app_id, "manager") == 4700
    [decision] = tasks(api, app_id, "operatore")
    assert decision["name"] == "ut_decisione" and decision["actions"] == ["approva", "respingi"]
    assert complete(api, app_id, decision["id"], "operatore", {}, action="approva").status_code == 204
    assert status(api, app_id, "manager") == 7000


def test_a_single_named_office(app, api, pareri_uffici):
    app_id = _submitted(api, ["polizia-locale"])
    assert tasks(api, app_id, "tecnico") == []
    [task] = tasks(api, app_id, "vigile")
    assert complete(api, app_id, task["id"], "vigile", OPINION).status_code == 204
    assert [t["name"] for t in tasks(api, app_id, "operatore")] == ["ut_decisione"]
