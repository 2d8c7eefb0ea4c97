"""The lean path of the HTTP benchmark (see http_submissions.py).

What a submission cannot do without, as lean as it goes, for the ceiling the targets leave: the same
contributo process and form as the app's, psycopg-pool, one row per application, nothing else (no
authentication, tenant, policy, history, tasks, service calls, messages, notifications or response body).
create: the draft's validation, the engine started to its first wait, the state inserted;
submit: the row locked, the full validation, the engine restored, its submit task completed, the state stored.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from uuid import UUID

from flask import Flask, request
from psycopg_pool import ConnectionPool

import engine
import forms

app = Flask(__name__)
pool = ConnectionPool(os.environ["FLOOR_DSN"], min_size=1, max_size=int(os.environ.get("WEB_THREADS", "1")),
                      open=True)
SERVICE = engine.load_service(Path(os.environ["LEAN_SERVICE"]))
FORM = forms.form_from_document("domanda", SERVICE.forms["domanda"])
START = json.loads(Path(os.environ["LEAN_START"]).read_text())
TOLERATED = {"required", "dependentRequired"}


@app.post("/lean/applications")
def create() -> tuple[dict[str, str], int]:
    data = request.get_json()["data"]
    if [e for e in FORM.validate(data) if e.code not in TOLERATED]:
        return {"error": "invalid"}, 400
    instance, wait = engine.start_instance(SERVICE.process, {**copy.deepcopy(START), "domanda": data})
    task = next(t.task_id for t in wait.user_tasks if "submit" in t.actions)
    with pool.connection() as conn:
        row = conn.execute("INSERT INTO lean_applications (status, task_id, data, engine_state) "
                           "VALUES (%s, %s, %s, %s) RETURNING id",
                           (wait.status, task, json.dumps(data), instance.dump())).fetchone()
    assert row is not None  # RETURNING of the row just inserted
    return {"id": str(row[0])}, 201


@app.post("/lean/applications/<uuid:app_id>/transition/submit")
def submit(app_id: UUID) -> tuple[dict[str, str] | str, int]:
    with pool.connection() as conn:
        row = conn.execute("SELECT data, task_id, engine_state FROM lean_applications WHERE id = %s FOR UPDATE",
                           (app_id,)).fetchone()
        if row is None:
            return {"error": "not found"}, 404
        data, task, state = row
        if FORM.validate(data):
            return {"error": "invalid"}, 400
        instance = engine.restore_instance(SERVICE.process, state)
        wait = instance.complete_user_task(task, {"action": "submit", "domanda": data})
        conn.execute("UPDATE lean_applications SET status = %s, engine_state = %s WHERE id = %s",
                     (wait.status, instance.dump(), app_id))
    return "", 204


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
