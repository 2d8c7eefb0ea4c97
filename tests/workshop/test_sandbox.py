"""The sandbox: a draft walked through the real engine with nothing sent anywhere and no application."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import Application, OutboxMessage, Payment, SandboxRun, ServiceCallRow, Tenant, User
from webapp.services import workshop
from webapp.services.common.errors import Conflict, Forbidden, NotFound
from webapp.services.common.uow import unit_of_work

SLUG = "prova-sandbox"


def _who(name: str) -> tuple[Tenant, User]:
    tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
    user = db.session.scalar(db.select(User).where(User.tenant_id == tenant.id, User.username == name))
    return tenant, user


def _blank() -> tuple[Tenant, User]:
    tenant, admin = _who("admin")
    with unit_of_work():
        workshop.create_service(tenant, admin, SLUG, "Servizio di prova")
    return tenant, admin


def _start(tenant: Tenant, admin: User, **fields: str) -> Any:
    return workshop.sandbox_start(tenant, admin, SLUG, MultiDict(fields), MultiDict())


def _nothing_went_out() -> None:
    for model in (Application, OutboxMessage, Payment, ServiceCallRow):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0, model


def _walk_to(tenant: Tenant, admin: User, action: str) -> workshop.RunView:
    run_id, page = _start(tenant, admin, privacy="true", richiesta="Vorrei un certificato.")
    assert page is None and run_id
    run = workshop.sandbox_run(tenant, admin, run_id)
    assert [t.bpmn_id for t in run.tasks] == ["ut_outcome"]
    task = run.tasks[0]
    assert task.who == "L'ufficio a cui è assegnata la pratica"
    assert (task.status, task.status_label) == (4000, "Presa in carico")
    assert task.actions == ("accolta", "respinta")
    assert [f.name for f in task.fields] == ["motivazione"]
    done = workshop.sandbox_complete_task(tenant, admin, run_id, task.task_id,
                                          MultiDict({"action": action, "motivazione": "Va bene."}), MultiDict())
    assert done is None
    return workshop.sandbox_run(tenant, admin, run_id)


def test_the_blank_service_walks_to_accolta_with_the_receipt_simulated(app):
    with app.app_context():
        tenant, admin = _blank()
        run = _walk_to(tenant, admin, "accolta")
        assert run.completed and (run.status, run.status_label) == (7000, "Approvata")
        assert run.tasks == []
        log = run.steps
        assert [s["element"] for s in log] == ["ut_compile", "st_receipt", "ut_outcome", ""]
        receipt = log[1]
        assert receipt["who"] == "Sistema (simulato)" and "simulato" in receipt["summary"]
        assert receipt["label"] == "Generazione della ricevuta della domanda"
        assert log[2]["summary"] == "Completata con «Accolta»."
        assert log[-1]["status_label"] == "Approvata"
        assert "end_accepted" in run.trail.completed and "end_rejected" not in run.trail.completed
        assert "ca_receipt/st_receipt" in run.trail.completed
        names = [item.label for item in run.trail_items]
        assert names[:2] == ["Nuova domanda", "Compila la domanda"] and names[-1] == "Accolta"
        assert run.bpmn is not None and 'id="ut_outcome"' in run.bpmn
        stored = db.session.scalar(db.select(SandboxRun))
        assert stored.data["domanda"] == {"privacy": True, "richiesta": "Vorrei un certificato."}
        assert stored.data["esito"] == {"motivazione": "Va bene."}
        assert stored.files_hash == workshop.files_hash(workshop.draft_of(tenant, SLUG).files)
        _nothing_went_out()


def test_the_blank_service_walks_to_respinta(app):
    with app.app_context():
        tenant, admin = _blank()
        run = _walk_to(tenant, admin, "respinta")
        assert (run.status, run.status_label) == (9000, "Rifiutata")
        assert "end_rejected" in run.trail.completed and "end_accepted" not in run.trail.completed
        _nothing_went_out()


def test_the_main_form_has_the_citizens_field_errors_and_starts_nothing(app):
    with app.app_context():
        tenant, admin = _blank()
        page = workshop.sandbox_form(tenant, admin, SLUG)
        assert page.problems == []
        assert [f.name for _step, fields in page.steps for f in fields] == ["privacy", "richiesta"]
        run_id, page = _start(tenant, admin, richiesta="")
        assert run_id is None and page is not None
        assert set(page.errors) == {"/privacy", "/richiesta"}
        assert all(message and "required" not in message for message in page.errors.values())  # Italian words
        assert db.session.scalar(db.select(db.func.count()).select_from(SandboxRun)) == 0


def test_a_task_posted_without_its_choice_is_refused_with_the_error(app):
    with app.app_context():
        tenant, admin = _blank()
        run_id, _page = _start(tenant, admin, privacy="true", richiesta="x")
        task = workshop.sandbox_run(tenant, admin, run_id).tasks[0]
        again = workshop.sandbox_complete_task(tenant, admin, run_id, task.task_id, MultiDict({"motivazione": "x"}),
                                               MultiDict())
        assert again is not None and "/action" in again.tasks[0].errors
        assert again.tasks[0].fields[0].value == "x"
        assert workshop.sandbox_run(tenant, admin, run_id).tasks[0].task_id == task.task_id


def test_a_broken_draft_is_refused_with_its_problems(app):
    with app.app_context():
        tenant, admin = _blank()
        draft = workshop.draft_of(tenant, SLUG)
        with unit_of_work():
            workshop.save_file(tenant, admin, SLUG, "process.bpmn",
                               draft.files["process.bpmn"].replace('targetRef="ut_outcome"', 'targetRef="nowhere"'),
                               revision=draft.revision)
        page = workshop.sandbox_form(tenant, admin, SLUG)
        assert page.problems and page.steps == []
        run_id, page = _start(tenant, admin, privacy="true", richiesta="x")
        assert run_id is None and page is not None and page.problems
        assert db.session.scalar(db.select(db.func.count()).select_from(SandboxRun)) == 0


def test_managers_may_look_operators_not(app):
    with app.app_context():
        tenant, admin = _blank()
        run_id, _page = _start(tenant, admin, privacy="true", richiesta="x")
        _tenant, manager = _who("manager")
        assert workshop.sandbox_run(tenant, manager, run_id).id == run_id
        with pytest.raises(Forbidden):
            workshop.sandbox_discard(tenant, manager, run_id)
        _tenant, operator = _who("operatore")
        with pytest.raises(Forbidden):
            workshop.sandbox_run(tenant, operator, run_id)
        assert workshop.sandbox_discard(tenant, admin, run_id) == SLUG
        with pytest.raises(NotFound):
            workshop.sandbox_run(tenant, admin, run_id)


def test_a_timer_made_to_expire_takes_its_path_and_a_notification_is_only_logged(app):
    """Segnalazione's SLA: three days on the intervention, then the manager's task (4800)."""
    with app.app_context():
        tenant, admin = _who("admin")
        with unit_of_work():
            workshop.create_service(tenant, admin, SLUG, "Segnalazione di prova", copy_of="modello:segnalazione")
        run_id, page = _start(tenant, admin, privacy="true", categoria="buca_stradale",
                              descrizione="Una buca profonda", luogo="Via Roma 1")
        assert page is None, page
        run = workshop.sandbox_run(tenant, admin, run_id)
        [take] = run.tasks
        assert take.bpmn_id == "ut_take_charge" and take.who == "Ufficio: Ufficio Manutenzioni"
        workshop.sandbox_complete_task(tenant, admin, run_id, take.task_id, MultiDict({"action": "assign"}),
                                       MultiDict())
        run = workshop.sandbox_run(tenant, admin, run_id)
        assert [t.bpmn_id for t in run.tasks] == ["ut_handle"]
        assert any("non inviata" in step["summary"] for step in run.steps)  # the take-in-charge notice
        workshop.sandbox_fire_timers(tenant, admin, run_id)
        run = workshop.sandbox_run(tenant, admin, run_id)
        [escalated] = run.tasks
        assert (escalated.bpmn_id, escalated.status) == ("ut_escalation", 4800)
        assert escalated.who == "Un responsabile"
        with pytest.raises(Conflict, match="Nessun termine"):
            workshop.sandbox_fire_timers(tenant, admin, run_id)
        _nothing_went_out()
