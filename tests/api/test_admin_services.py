"""The administrators' API for modelled services: export, import, publish, versions, and who may call it."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import Api
from tests.webapp.helpers import MARIO, contributo_data, create
from tests.workshop.helpers import other_ente, unzip, zip_of
from webapp.extensions import db
from webapp.models import Service, ServiceDraft, Tenant


def _import(api: Any, user: str | None, data: bytes, name: str = "servizio.zip") -> Any:
    return api.post("/admin/services/import", user, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def _exported(api: Any, slug: str = "contributo", **query: Any) -> dict[str, str]:
    response = api.get(f"/admin/services/{slug}/export", "admin", query_string=query)
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return unzip(response.data)


def test_export_holds_the_folder_and_the_shared_files_it_names(app, api):
    files = _exported(api)
    assert {"contributo/service.yaml", "contributo/process.bpmn", "contributo/forms/domanda.json",
            "contributo/forms/cofirma.json", "_lifecycle/forms/esito.json"} <= set(files)
    assert "version: 2" in files["contributo/service.yaml"]
    assert _exported(api, version=2) == files
    lifecycle = _exported(api, "cdu")  # a service on the standard lifecycle carries it along
    assert "_lifecycle/lifecycle.bpmn" in lifecycle and "cdu/process.bpmn" not in lifecycle
    assert api.get("/admin/services/contributo/export", "admin", query_string={"version": 9}).status_code == 404
    assert api.get("/admin/services/contributo/export", "admin", query_string={"version": "x"}).status_code == 400


def test_an_export_imported_into_another_ente_publishes_the_same_service(app, api):
    other_ente(app)
    there = Api(app, "altrove")
    zipped = zip_of(_exported(api))
    response = _import(there, "admin-altrove", zipped)
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert (draft["slug"], draft["state"], draft["current_version"]) == ("contributo", "draft", None)
    assert draft["changed"] is True and "process.bpmn" in draft["files"]
    published = there.post("/admin/services/contributo/publish", "admin-altrove")
    assert published.status_code == 201, published.get_json()
    assert published.get_json() == {"version": 2}  # the number the file says, free in this ente
    assert there.post("/admin/services/contributo/publish", "admin-altrove").status_code == 409  # nothing changed
    versions = there.get("/admin/services/contributo/versions", "admin-altrove").get_json()
    assert [(v["version"], v["current"]) for v in versions] == [(2, True)]
    assert versions[0]["published_by"] == "Ada Altrove"
    theirs = unzip(there.get("/admin/services/contributo/export", "admin-altrove").data)
    ours = _exported(api)
    assert theirs == ours  # the same service, file for file
    app_id = create(there, "contributo", contributo_data())["id"]
    assert there.get(f"/applications/{app_id}", MARIO).get_json()["service_version"] == 2


def test_a_new_service_from_a_zip_is_a_draft_until_published(app, api):
    files = {f"nuovo/{k.split('/', 1)[1]}": v for k, v in _exported(api).items() if k.startswith("contributo/")}
    files["nuovo/service.yaml"] = files["nuovo/service.yaml"].replace("slug: contributo", "slug: nuovo-contributo")
    response = _import(api, "admin", zip_of(files))
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["state"], response.get_json()["current_version"]) == ("draft", None)
    assert "nuovo-contributo" not in {s["slug"] for s in api.get("/services").get_json()}  # citizens don't see it
    assert api.post("/admin/services/nuovo-contributo/publish", "admin").get_json() == {"version": 2}
    assert "nuovo-contributo" in {s["slug"] for s in api.get("/services").get_json()}


def _broken_zip(api: Any) -> bytes:
    files = _exported(api)
    files["contributo/process.bpmn"] = files["contributo/process.bpmn"].replace(
        '<spiffworkflow:property name="form" value="cofirma"/>', "", 1)
    assert files["contributo/process.bpmn"].count('value="cofirma"') == 0
    return zip_of(files)


def test_a_broken_import_lists_its_problems_at_their_elements_and_stores_nothing(app, api):
    with app.app_context():
        drafts_before = db.session.scalar(db.select(db.func.count()).select_from(ServiceDraft))
    response = _import(api, "admin", _broken_zip(api))
    assert response.status_code == 422
    body = response.get_json()
    assert body["type"] == "definition_error" and body["status"] == 422
    [problem] = [p for p in body["errors"] if p["element"]]
    assert problem["file"].endswith("process.bpmn") and problem["element"].startswith("ut_")
    assert "form" in problem["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ServiceDraft)) == drafts_before


@pytest.mark.parametrize(("name", "content", "status"), [
    ("servizio.zip", b"%PDF-1.7 not a zip", 415),
    ("servizio.zip", b"PK\x03\x04 truncated", 415),
    ("servizio.zip", "traversal", 400),
    ("servizio.zip", "two services", 400),
    ("servizio.zip", "binary", 400),
    ("servizio.zip", "huge", 413),
])
def test_bad_uploads_are_refused_with_a_clear_4xx(app, api, name, content, status):
    if content == "traversal":
        content = zip_of({"contributo/service.yaml": "slug: contributo", "contributo/../../etc/passwd.json": "{}"})
    elif content == "two services":
        content = zip_of({"a/service.yaml": "slug: a", "b/service.yaml": "slug: b"})
    elif content == "binary":
        content = zip_of({"contributo/service.yaml": "slug: contributo", "contributo/forms/x.json": b"\xff\xfe\x00"})
    elif content == "huge":
        content = zip_of({"contributo/service.yaml": "slug: contributo",
                          "contributo/forms/x.json": "{" + " " * (9 * 1024 * 1024) + "}"})
    response = _import(api, "admin", content, name)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["description"]


def test_a_missing_file_field_is_a_400(app, api):
    response = api.post("/admin/services/import", "admin", data={}, content_type="multipart/form-data")
    assert response.status_code == 400


CALLS = [("POST", "/admin/services/import"), ("POST", "/admin/services/contributo/publish"),
         ("GET", "/admin/services/contributo/versions"), ("GET", "/admin/services/contributo/export")]


@pytest.mark.parametrize(("method", "path"), CALLS)
def test_only_administrators_may_call_it(app, api, method, path):
    kwargs: dict[str, Any] = {}
    if path.endswith("import"):
        kwargs = {"data": {"file": (io.BytesIO(zip_of({"x/service.yaml": "slug: x"})), "x.zip")},
                  "content_type": "multipart/form-data"}
    for user, status in (("operatore", 403), ("manager", 403), (MARIO, 404), (None, 401)):
        response = api.call(method, path, user, **dict(kwargs, data=dict(kwargs["data"])) if kwargs else {})
        assert response.status_code == status, (user, response.get_json())
        if kwargs:  # the upload stream was read: give the next caller a fresh one
            kwargs["data"]["file"] = (io.BytesIO(zip_of({"x/service.yaml": "slug: x"})), "x.zip")


def test_another_entes_administrator_neither_sees_nor_reaches_our_services(app, api):
    other_ente(app)
    there = Api(app, "altrove")
    assert there.get("/admin/services/occupazione-suolo/versions", "admin-altrove").status_code == 404
    assert there.get("/admin/services/occupazione-suolo/export", "admin-altrove").status_code == 404
    ours = api.get("/admin/services/contributo/versions",
                   headers={"Authorization": f"Bearer {there.token('admin-altrove')}"})
    assert ours.status_code == 401  # a token is good for its own ente only
    with app.app_context():
        demo = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        assert db.session.scalar(db.select(Service).where(Service.tenant_id == demo.id,
                                                          Service.slug == "occupazione-suolo")) is not None


def test_unknown_service_is_a_404_for_administrators(app, api):
    assert api.post("/admin/services/nessuno/publish", "admin").status_code == 404
    assert api.get("/admin/services/nessuno/versions", "admin").status_code == 404
