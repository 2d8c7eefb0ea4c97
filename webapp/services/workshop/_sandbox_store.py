"""The sandbox's runs as stored: one row per run with the draft's files, process spec and engine state as
they were when it started (saving the draft meanwhile does not break a run)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import engine
from webapp.extensions import db
from webapp.models import SandboxRun, Tenant, User
from webapp.services.common import policy
from webapp.services.common.errors import NotFound
from webapp.services.common.tenancy import parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _files


def files_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def find_run(tenant: Tenant, user: User, run_id: Any, *, edit: bool, lock: bool = False) -> SandboxRun:
    policy.require_workshop(user, tenant, edit=edit)
    key = parse_uuid(run_id)
    query = scoped(SandboxRun, tenant).where(SandboxRun.id == key)
    run = db.session.scalar(query.with_for_update(of=SandboxRun) if lock else query) if key else None
    if run is None:
        raise NotFound("Prova non trovata.")
    return run


def restored(run: SandboxRun) -> engine.Instance:
    return engine.restore_instance(engine.load_process_spec(run.spec_blob), run.engine_state)


def manifest_of(run: SandboxRun) -> dict[str, Any]:
    return _files.read_manifest(run.files)


def store_step(run: SandboxRun, instance: engine.Instance, wait: engine.WaitState, log: list[dict[str, Any]],
           answers: dict[str, Any] | None = None) -> None:
    run.engine_state = instance.dump()
    run.data = {**run.data, **(answers or {})}
    run.steps = [*run.steps, *log]
    run.status = wait.status
    run.completed = wait.completed
    run.updated_at = datetime.now(UTC)


def sandbox_discard(tenant: Tenant, user: User, run_id: Any) -> str:
    """Delete a run; returns its service's slug."""
    with unit_of_work():
        run = find_run(tenant, user, run_id, edit=True, lock=True)
        slug = run.service.slug
        db.session.delete(run)
    return slug
