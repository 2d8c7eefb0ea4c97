"""`flask publish-service PATH --tenant SLUG`: check a folder, publish a new immutable version when it changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.webapp.tenants import service_copy
from tests.workshop.helpers import zip_of
from webapp.extensions import db
from webapp.models import Service, ServiceVersion, Tenant


def _changed(folder: Path, old: str, new: str) -> Path:
    manifest = folder / "service.yaml"
    manifest.write_text(manifest.read_text().replace(old, new, 1))
    return folder


def _publish(flask_app: Flask, folder: Path, tenant: str = "demo") -> Any:
    return flask_app.test_cli_runner().invoke(args=["publish-service", str(folder), "--tenant", tenant])


def _versions(flask_app: Flask, slug: str) -> list[int]:
    with flask_app.app_context():
        return list(db.session.scalars(
            db.select(ServiceVersion.version).join(Service, Service.id == ServiceVersion.service_id)
            .join(Tenant, Tenant.id == Service.tenant_id)
            .where(Service.slug == slug, Tenant.slug == "demo").order_by(ServiceVersion.version)))


def test_a_changed_folder_becomes_a_new_version_and_an_unchanged_one_does_not(app: Flask, tmp_path: Path):
    same = _publish(app, service_copy(tmp_path / "same", "accesso-atti", 4))
    assert same.output == "accesso-atti: nessuna modifica, resta la versione 1\n"  # only the number differs
    folder = _changed(service_copy(tmp_path, "accesso-atti", 5), "allow_partial_approval: true",
                      "allow_partial_approval: false")
    result = _publish(app, folder)
    assert result.exit_code == 0, result.output
    assert result.output == "accesso-atti: pubblicata la versione 5\n"
    again = _publish(app, folder)
    assert (again.exit_code, again.output) == (0, "accesso-atti: nessuna modifica, resta la versione 5\n")
    changed = _publish(app, _changed(folder, "title: Richiesta di accesso agli atti",
                                     "title: Accesso agli atti amministrativi"))
    assert changed.exit_code == 0, changed.output
    assert "pubblicata la versione 6 (la 5, già pubblicata con un altro contenuto, non si modifica)" in changed.output
    assert _versions(app, "accesso-atti")[-2:] == [5, 6]
    with app.app_context():
        service = db.session.scalar(db.select(Service).join(Tenant).where(
            Service.slug == "accesso-atti", Tenant.slug == "demo"))
        assert (service.current_version.version, service.name) == (6, "Accesso agli atti amministrativi")


def test_errors_name_the_element_exit_1_and_store_nothing(app: Flask, tmp_path: Path):
    folder = service_copy(tmp_path, "cdu", 8)
    bpmn = folder.parent / "_lifecycle" / "lifecycle.bpmn"
    bpmn.write_text(bpmn.read_text().replace('<spiffworkflow:property name="form" value="esito" />', "", 1))
    before = _versions(app, "cdu")
    result = _publish(app, folder)
    assert result.exit_code == 1
    assert "ut_review" in result.output and "form" in result.output
    assert _versions(app, "cdu") == before


def test_an_unknown_tenant_or_folder_is_refused(app: Flask, tmp_path: Path):
    result = _publish(app, service_copy(tmp_path, "contributo", 9), tenant="nessuno")
    assert result.exit_code == 1 and "Ente non trovato" in result.output
    missing = _publish(app, tmp_path / "non-esiste")
    assert missing.exit_code != 0 and "non-esiste" in missing.output


def test_it_works_in_the_production_configuration(make_app: Any, tmp_path: Path):
    production = make_app(SEED_DEMO_DATA=False, ALLOW_DEMO_CONNECTORS=False)
    folder = _changed(service_copy(tmp_path, "contributo", 11), "category:", "category: Sostegno -")
    result = _publish(production, folder)
    assert result.exit_code == 0, result.output
    assert result.output == "contributo: pubblicata la versione 11\n"


def test_a_zip_export_publishes_like_its_folder(app: Flask, tmp_path: Path):
    folder = _changed(service_copy(tmp_path, "accesso-atti", 7), "allow_partial_approval: true",
                      "allow_partial_approval: false")
    files = {f"accesso-atti/{p.relative_to(folder)}": p.read_text() for p in folder.rglob("*") if p.is_file()}
    archive = tmp_path / "accesso-atti.zip"
    archive.write_bytes(zip_of(files))
    result = _publish(app, archive)
    assert (result.exit_code, result.output) == (0, "accesso-atti: pubblicata la versione 7\n")
    again = _publish(app, archive)
    assert (again.exit_code, again.output) == (0, "accesso-atti: nessuna modifica, resta la versione 7\n")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(zip_of({**files, "accesso-atti/forms/domanda.json": "{not json"}))
    failed = _publish(app, broken)
    assert failed.exit_code == 1 and "forms/domanda.json" in failed.output
    assert _publish(app, tmp_path / "missing.zip").exit_code == 2  # click: the path does not exist
