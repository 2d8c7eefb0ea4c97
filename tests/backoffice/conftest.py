"""Back-office test helpers: session login through the pages, CSRF tokens, extra staff and tenants."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from webapp.config import REPO_ROOT
from webapp.extensions import db
from webapp.models import OPERATOR, Office, Service, Tenant, User
from webapp.services.catalogue import publish_service
from webapp.services.common.uow import unit_of_work
from webapp.services.people import hash_password

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
SOCIAL = "Ufficio Servizi Sociali"


def csrf(client: Any, path: str) -> str:
    page = client.get(path)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, (path, page.status_code)
    return match.group(1)


def login(client: Any, username: str, password: str = "demo", tenant: str = "demo", **environ: Any) -> Any:
    token = csrf(client, f"/{tenant}/backoffice/login")
    return client.post(f"/{tenant}/backoffice/login", data={"username": username, "password": password,
                                                             "csrf_token": token}, environ_base=environ)


def logged_in(app: Flask, username: str, tenant: str = "demo") -> Any:
    client = app.test_client()
    response = login(client, username, tenant=tenant)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def act(client: Any, app_id: str, action: str, data: dict[str, Any] | None = None, version: int | None = None,
        tenant: str = "demo") -> Any:
    page = client.get(f"/{tenant}/backoffice/pratiche/{app_id}")
    html = page.get_data(as_text=True)
    token = TOKEN.search(html).group(1)  # type: ignore[union-attr]
    if version is None:
        found = VERSION.search(html)
        version = int(found.group(1)) if found else 0
    form = {"csrf_token": token, "version": str(version), **(data or {})}
    return client.post(f"/{tenant}/backoffice/pratiche/{app_id}/azioni/{action}", data=form,
                       content_type="multipart/form-data")


def flashes(client: Any, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def add_staff(app: Flask, username: str, *, office: str | None = None, services: list[str] | None = None,
              role: str = OPERATOR, tenant: str = "demo") -> None:
    """A staff account with password "demo", in `office`, enabled for the services with these slugs."""
    with app.app_context(), unit_of_work():
        owner = db.session.scalar(db.select(Tenant).where(Tenant.slug == tenant))
        office_row = db.session.scalar(db.select(Office).where(Office.tenant_id == owner.id, Office.name == office))
        chosen = list(db.session.scalars(db.select(Service).where(Service.tenant_id == owner.id,
                                                                  Service.slug.in_(services or []))))
        db.session.add(User(tenant_id=owner.id, role=role, username=username, name=username.title(),
                            family_name="Test", email=f"{username}@demo.example.it",
                            office_id=office_row.id if office_row else None, services=chosen,
                            password_hash=hash_password("demo")))


def publish_with_rules(app: Flask, tmp_path: Path, rules: list[dict[str, Any]], slug: str = "contributo") -> None:
    """A new version of a shipped service whose manifest carries `options.assignment_rules`."""
    root = tmp_path / "svc"
    for shared in ("_lifecycle", "_fragments"):
        shutil.copytree(REPO_ROOT / "workflows" / shared, root / shared)
    shutil.copytree(REPO_ROOT / "workflows" / slug, root / slug)
    manifest = root / slug / "service.yaml"
    lines = ["  assignment_rules:"] + [
        f"    - {{field: {r['field']}, value: \"{r['value']}\", office: \"{r['office']}\"}}" for r in rules]
    shipped = int(re.search(r"^version: (\d+)$", manifest.read_text(), re.M).group(1))  # type: ignore[union-attr]
    text = re.sub(r"^version: \d+$", f"version: {shipped + 1}", manifest.read_text(), count=1, flags=re.M)
    text = text.replace("  payment: none\n", "  payment: none\n" + "\n".join(lines) + "\n", 1)
    manifest.write_text(text)
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        publish_service(tenant, root / slug)


@pytest.fixture
def other_staff(app: Flask) -> None:
    """`sociale` (operator of the Servizi Sociali office, contributo only) and `atti` (accesso-atti only)."""
    add_staff(app, "sociale", office=SOCIAL, services=["contributo"])
    add_staff(app, "atti", office="Ufficio Relazioni con il Pubblico", services=["accesso-atti"])
