"""A service with its own process, through the API: data-routed gateways, tasks for two offices, field
errors that change nothing, racing completions, the inbox, actions the process declares, its own statuses
and the notifications its send tasks ask for."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.webapp.helpers import MARIO
from tests.webapp.process_tasks import complete as _complete
from tests.webapp.process_tasks import submitted as _submitted
from tests.webapp.process_tasks import tasks as _tasks
from webapp.extensions import db
from webapp.models import OutboxMessage, ProcessTask, StatusChange


def _status(api: Any, app_id: str) -> tuple[int, str]:
    body = api.get(f"/applications/{app_id}", "admin").get_json()
    return int(body["status"]), body["status_name"]


def test_the_area_decides_which_offices_give_an_opinion(app, api, pareri):
    small, large = _submitted(api, 20), _submitted(api, 80)
    assert [t["name"] for t in _tasks(api, small, "manager")] == ["ut_parere"]
    assert sorted(t["name"] for t in _tasks(api, large, "manager")) == ["ut_parere", "ut_sopralluogo"]
    assert _status(api, large) == (4600, "In attesa di pareri")  # the service's own status and label
    [task] = _tasks(api, small, "tecnico")
    assert task["label"] == "Parere tecnico" and task["candidate"] == "ufficio:tecnico"
    assert task["status"] == "ready" and task["form"]["properties"]["esito"]["enum"] == ["favorevole", "contrario"]


def test_each_opinion_is_only_for_its_own_office(app, api, pareri):
    app_id = _submitted(api, 80)
    by_name = {t["name"]: t["id"] for t in _tasks(api, app_id, "manager")}
    assert [t["name"] for t in _tasks(api, app_id, "tecnico")] == ["ut_parere"]
    assert [t["name"] for t in _tasks(api, app_id, "vigile")] == ["ut_sopralluogo"]
    assert _tasks(api, app_id, "operatore") == []  # enabled for the service, but of another office
    refused = _complete(api, app_id, by_name["ut_sopralluogo"], "tecnico",
                        {"data_sopralluogo": "2027-01-10", "esito": "nulla osta"})
    assert refused.status_code == 404
    assert _complete(api, app_id, by_name["ut_parere"], "vigile",
                     {"esito": "favorevole", "motivazione": "Nessun ostacolo"}).status_code == 404
    assert api.get(f"/applications/{app_id}/tasks", MARIO).get_json() == []  # the citizen has none now


def test_bad_data_gets_field_errors_and_changes_nothing(app, api, pareri):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    before = api.get(f"/applications/{app_id}", "admin").get_json()["version"]
    response = _complete(api, app_id, task["id"], "tecnico", {"esito": "forse", "motivazione": "no"})
    assert response.status_code == 400
    pointers = {e["pointer"] for e in response.get_json()["errors"]}
    assert pointers == {"/esito", "/motivazione"}
    assert api.get(f"/applications/{app_id}", "admin").get_json()["version"] == before
    assert [t["id"] for t in _tasks(api, app_id, "tecnico")] == [task["id"]]


def test_both_opinions_then_the_decision_through_the_process_action(app, api, pareri):
    app_id = _submitted(api, 80)
    by_name = {t["name"]: t["id"] for t in _tasks(api, app_id, "manager")}
    assert _complete(api, app_id, by_name["ut_parere"], "tecnico",
                     {"esito": "favorevole", "motivazione": "Conforme al regolamento"}).status_code == 204
    assert _status(api, app_id)[0] == 4600  # the police has not spoken yet
    assert _complete(api, app_id, by_name["ut_sopralluogo"], "vigile",
                     {"data_sopralluogo": "2027-01-10", "esito": "nulla osta"}).status_code == 204
    assert _status(api, app_id) == (4700, "In decisione")
    early = api.post(f"/applications/{app_id}/transition/approva", MARIO, json={})
    assert early.status_code == 404  # the citizen may not decide: not a task of theirs
    unknown = api.post(f"/applications/{app_id}/transition/inesistente", "operatore", json={})
    assert unknown.status_code == 404
    assert api.post(f"/applications/{app_id}/transition/approva", "operatore", json={}).status_code == 204
    assert _status(api, app_id)[0] == 7000
    again = api.post(f"/applications/{app_id}/transition/approva", "operatore", json={})
    assert again.status_code == 409  # the process declares it, no task waits for it now
    with app.app_context():
        rows = db.session.execute(db.select(StatusChange.event, StatusChange.note, StatusChange.actor_name).where(
            StatusChange.application_id == uuid.UUID(app_id)).order_by(StatusChange.id)).all()
    assert ("task_completed", "Parere tecnico", "Tommaso Tecnico") in rows
    assert ("task_completed", "Sopralluogo della Polizia Locale", "Vittoria Vigile") in rows


def test_a_contrary_opinion_routes_to_rejection(app, api, pareri):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    assert _complete(api, app_id, task["id"], "tecnico",
                     {"esito": "contrario", "motivazione": "Area pedonale"}).status_code == 204
    [decision] = _tasks(api, app_id, "operatore")
    assert decision["actions"] == ["approva", "respingi"]
    missing = _complete(api, app_id, decision["id"], "operatore", {})
    assert missing.status_code == 400 and missing.get_json()["errors"][0]["pointer"] == "/action"
    assert _complete(api, app_id, decision["id"], "operatore", {}, action="approva").status_code == 204
    assert _status(api, app_id)[0] == 9000  # approved by the office, but the opinion was contrary


def test_the_citizen_hears_only_what_the_send_tasks_say(app, api, pareri):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    _complete(api, app_id, task["id"], "tecnico", {"esito": "favorevole", "motivazione": "Tutto in regola"})
    api.post(f"/applications/{app_id}/transition/approva", "operatore", json={})
    with app.app_context():
        subjects = sorted(db.session.scalars(db.select(OutboxMessage.subject).where(
            OutboxMessage.application_id == uuid.UUID(app_id),
            OutboxMessage.recipient == "mario.rossi@example.it")))
    assert subjects == ["Domanda ricevuta: Prova dei pareri", "Esito della domanda: Prova dei pareri"]


def test_two_racing_completions_one_wins(app, api, pareri, live_server):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    tokens = [api.token("tecnico"), api.token("manager")]
    url = f"{live_server}/demo/api/applications/{app_id}/tasks/{task['id']}"
    body = json.dumps({"data": {"esito": "favorevole", "motivazione": "Conforme"}}).encode()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def post(token: str) -> None:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as exc:
            with exc:
                codes.append(exc.code)

    threads = [threading.Thread(target=post, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [204, 409]
    with app.app_context():
        row = db.session.get(ProcessTask, uuid.UUID(task["id"]))
        assert row.state == "completed"


def test_the_inbox_pages_and_filters(app, api, pareri):
    first, second = _submitted(api, 20), _submitted(api, 80)
    inbox = api.get("/tasks", "tecnico", query_string={"limit": 1}).get_json()
    assert inbox["meta"]["count"] == 2 and len(inbox["data"]) == 1 and inbox["links"]["next"]
    assert inbox["data"][0]["application_id"] == first
    assert api.get("/tasks", "vigile").get_json()["meta"]["count"] == 1
    police = api.get("/tasks", "manager", query_string={"office": "polizia-locale"}).get_json()
    assert [t["application_id"] for t in police["data"]] == [second]
    assert api.get("/tasks", "manager", query_string={"service": "contributo"}).get_json()["meta"]["count"] == 0
    assert api.get("/tasks", "manager", query_string={"office": "nessuno"}).status_code == 404
    assert api.get("/tasks", MARIO).get_json()["meta"]["count"] == 0


def test_a_reminder_fires_after_ten_days_even_after_a_restart(app, api, pareri):
    from webapp.services.jobs import sweep

    app_id = _submitted(api, 20)
    with app.app_context():
        sweep(datetime.now(UTC) + timedelta(days=11))
        mails = list(db.session.scalars(db.select(OutboxMessage.recipient).where(
            OutboxMessage.application_id == uuid.UUID(app_id), OutboxMessage.subject.like("Parere da dare%"))))
    assert mails == ["tecnico@demo.example.it"]
    assert [t["name"] for t in _tasks(api, app_id, "tecnico")] == ["ut_parere"]  # a reminder, not an escalation


def test_bad_requests_to_a_task_get_clear_answers_and_change_nothing(app, api, pareri):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    url = f"/applications/{app_id}/tasks/{task['id']}"
    version = api.get(f"/applications/{app_id}", "admin").get_json()["version"]
    assert api.post(url, "tecnico", json={"data": "favorevole"}).status_code == 400  # wrong type
    assert api.post(url, "tecnico", json={}).status_code == 400  # no data
    good = {"data": {"esito": "favorevole", "motivazione": "Conforme"}}
    assert api.post(url, "tecnico", json={**good, "version": version - 1}).status_code == 409  # stale
    assert api.post(f"/applications/{app_id}/tasks/not-a-task", "tecnico", json=good).status_code == 404
    assert api.post(url, "VRDGPP85M41F205X", json=good).status_code == 404  # another citizen
    assert api.get(f"/applications/{app_id}/tasks", "VRDGPP85M41F205X").status_code == 404
    assert api.get(f"/applications/{app_id}", "admin").get_json()["version"] == version
    assert [t["id"] for t in _tasks(api, app_id, "tecnico")] == [task["id"]]
