"""Service zips and another ente with its own administrator, for the workshop's tests."""

from __future__ import annotations

import io
import zipfile

from flask import Flask

from tests.webapp.tenants import WORKFLOWS, make_tenant
from webapp.extensions import db
from webapp.models import ADMIN, MANAGER, Tenant, User
from webapp.services.common.uow import unit_of_work
from webapp.services.people import hash_password


def zip_of(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def other_ente(app: Flask, slug: str = "altrove") -> None:
    """Ente `slug` offering cdu, with the demo's citizen, operator `op-<slug>`, and `admin-<slug>`,
    `manager-<slug>`."""
    make_tenant(app, slug, [WORKFLOWS / "cdu"])
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
        for role, username in ((ADMIN, f"admin-{slug}"), (MANAGER, f"manager-{slug}")):
            db.session.add(User(tenant_id=tenant.id, role=role, username=username, name="Ada",
                                family_name=slug.title(), password_hash=hash_password("demo")))
