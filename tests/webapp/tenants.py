"""A second tenant, with its own citizen and operator, for isolation and versioning tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from flask import Flask

from webapp.config import REPO_ROOT
from webapp.extensions import db
from webapp.models import CITIZEN, OPERATOR, Service, Tenant, User
from webapp.services.catalogue import publish_service
from webapp.services.common.uow import unit_of_work
from webapp.services.people import hash_password

WORKFLOWS = REPO_ROOT / "workflows"


def make_tenant(app: Flask, slug: str, folders: list[Path] | None = None) -> None:
    """Tenant `slug` with citizen RSSMRA80A01H501U (same person, other ente) and operator `op-<slug>`."""
    with app.app_context(), unit_of_work():
        tenant = Tenant(slug=slug, name=f"Comune di {slug.title()}")
        db.session.add(tenant)
        db.session.flush()
        for folder in folders or [WORKFLOWS / "contributo"]:
            publish_service(tenant, folder)
        services = list(db.session.scalars(db.select(Service).where(Service.tenant_id == tenant.id)))
        db.session.add(User(tenant_id=tenant.id, role=CITIZEN, fiscal_code="RSSMRA80A01H501U", name="Mario",
                            family_name="Rossi", password_hash=hash_password("demo"), email="mario.rossi@example.it"))
        db.session.add(User(tenant_id=tenant.id, role=OPERATOR, username=f"op-{slug}", name="Ottavio",
                            family_name=slug.title(), password_hash=hash_password("demo"), services=services))


def with_options(folder: Path, **options: object) -> Path:
    """Add or change `options` entries of a copied service's manifest."""
    import yaml

    manifest = folder / "service.yaml"
    data = yaml.safe_load(manifest.read_text())
    data["options"].update(options)
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return folder


def service_copy(tmp_path: Path, slug: str, version: int, *, drop_reject: bool = False) -> Path:
    """A copy of a shipped service with another version number (and optionally a changed process)."""
    root = tmp_path / f"v{version}"
    for shared in ("_lifecycle", "_fragments"):
        shutil.copytree(WORKFLOWS / shared, root / shared)
    shutil.copytree(WORKFLOWS / slug, root / slug)
    manifest = root / slug / "service.yaml"
    manifest.write_text(re.sub(r"^version: \d+$", f"version: {version}", manifest.read_text(), count=1, flags=re.M))
    if drop_reject:
        bpmn = root / "_lifecycle" / "lifecycle.bpmn"
        bpmn.write_text(bpmn.read_text().replace('value="accept,reject,request-integration"',
                                                 'value="accept,request-integration"'))
    return root / slug
