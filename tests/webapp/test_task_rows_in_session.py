"""A step ends its READY task rows with one UPDATE: the rows the session already holds say what the
database now says (state, when it ended), for the rest of the request."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import select

from tests.webapp.helpers import submitted
from webapp.extensions import db
from webapp.models import ProcessTask, User
from webapp.services import applications
from webapp.services.common.tenancy import get_tenant


def test_a_task_ended_by_a_step_knows_when_it_ended(app: Flask, api) -> None:
    app_id = submitted(api, "contributo")
    with app.test_request_context("/demo/backoffice/"):
        tenant = get_tenant("demo")
        operator = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "operatore"))
        ready = list(db.session.scalars(select(ProcessTask).where(
            ProcessTask.application_id == uuid.UUID(app_id), ProcessTask.state == "ready")))
        assert ready and all(task.ended_at is None for task in ready)
        applications.transition(tenant, operator, app_id, applications.command_for("assign", {}))
        stored = dict(db.session.execute(select(ProcessTask.id, ProcessTask.ended_at).where(
            ProcessTask.id.in_([task.id for task in ready]))).all())
        assert all(stored[task.id] is not None for task in ready)  # the database has the moment
        assert [task.ended_at for task in ready] == [stored[task.id] for task in ready]  # and so does the session
        assert all(task.state != "ready" for task in ready)
