"""Services with their own process for the tests (tests/webapp/processes/pareri and pareri_uffici) and the API
calls on their tasks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.webapp.helpers import MARIO, act, create
from webapp.extensions import db
from webapp.models import Service, Tenant, User
from webapp.services.catalogue import publish_service
from webapp.services.common.uow import unit_of_work

PARERI = Path(__file__).resolve().parent / "processes" / "pareri"
PARERI_UFFICI = Path(__file__).resolve().parent / "processes" / "pareri_uffici"


def publish_pareri(app: Flask, folder: Path = PARERI, slug: str = "pareri") -> None:
    """A test service published in the demo, worked by the technical office, the local police and the URP."""
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        publish_service(tenant, folder)
        service = db.session.scalar(db.select(Service).where(Service.tenant_id == tenant.id,
                                                             Service.slug == slug))
        for username in ("tecnico", "vigile", "operatore"):
            user = db.session.scalar(db.select(User).where(User.tenant_id == tenant.id, User.username == username))
            user.services = [*user.services, service]


def submitted(api: Any, area: float) -> str:
    app_id = create(api, "pareri", {"privacy": True, "nome": "Mario", "superficie_mq": area})["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def tasks(api: Any, app_id: str, user: str) -> list[dict[str, Any]]:
    response = api.get(f"/applications/{app_id}/tasks", user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def complete(api: Any, app_id: str, task_id: str, user: str, data: dict[str, Any], **extra: Any) -> Any:
    return api.post(f"/applications/{app_id}/tasks/{task_id}", user, json={"data": data, **extra})
