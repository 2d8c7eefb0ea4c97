"""Attachments and generated documents in an S3-compatible bucket, over HTTP: moto's standalone server
runs as its own process on a loopback port and the app talks to it through boto3 as it would to
AWS, MinIO or a cloud provider's object storage (nothing patched)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Api
from tests.connectors.helpers import free_port
from tests.webapp.helpers import MARIO, act, contributo_data, create
from webapp.extensions import db
from webapp.models import Attachment
from webapp.services.common import storage as storage_module

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "eu-south-1"}


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONWARNINGS": ""})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def s3_app(app: Flask, make_app: Any, s3_server: str) -> Iterator[Flask]:
    bucket = f"servizi-{uuid.uuid4().hex[:12]}"
    settings = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": s3_server, "S3_BUCKET": bucket, **CREDENTIALS}
    flask_app = make_app(**settings, MAX_ATTACHMENT_BYTES=10 * 1024 * 1024, MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    store = storage_module.build_storage(flask_app.config)
    assert isinstance(store, storage_module.S3Storage)
    store.client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-south-1"})
    flask_app.extensions["bucket"] = store
    yield flask_app
    with flask_app.app_context():
        used = storage_module.storage()
        if isinstance(used, storage_module.S3Storage):
            used.close()
    store.close()


def _bucket(flask_app: Flask) -> storage_module.S3Storage:
    return flask_app.extensions["bucket"]  # type: ignore[no-any-return]


def _keys(flask_app: Flask) -> list[str]:
    store = _bucket(flask_app)
    listing = store.client.list_objects_v2(Bucket=store.bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


def _upload(api: Api, app_id: str, name: str, content: bytes) -> dict[str, Any]:
    response = api.post(f"/applications/{app_id}/attachments", MARIO,
                        json={"name": name, "file": base64.b64encode(content).decode()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _files_on_disk(flask_app: Flask) -> set[Path]:
    return {path for path in Path(flask_app.config["STORAGE_DIR"]).rglob("*") if path.is_file()}


def test_an_attachment_goes_to_the_bucket_under_an_opaque_key_and_comes_back(s3_app: Flask) -> None:
    api = Api(s3_app)
    on_disk = _files_on_disk(s3_app)
    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, "Carta d’identità di Mario Rossi.pdf", PDF)
    with s3_app.app_context():
        key = db.session.get(Attachment, uuid.UUID(stored["id"])).storage_key
    assert key in _keys(s3_app) and _bucket(s3_app).get(key) == PDF
    assert re.fullmatch(r"[0-9a-f]{32}", key)  # no name, no fiscal code in the bucket's listing
    assert _files_on_disk(s3_app) == on_disk  # nothing written to the local folder
    response = api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Length"] == str(len(PDF))


def test_the_generated_receipt_is_stored_in_the_bucket(s3_app: Flask) -> None:
    api = Api(s3_app)
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    with s3_app.app_context():
        receipt = db.session.scalars(db.select(Attachment).where(
            Attachment.application_id == uuid.UUID(app_id), Attachment.kind == "compiled_form_pdf")).one()
        receipt_id, key = receipt.id, receipt.storage_key
    assert key in _keys(s3_app)
    response = api.get(f"/applications/{app_id}/attachments/{receipt_id}", MARIO)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.data == _bucket(s3_app).get(key)


def test_a_missing_object_is_a_404_not_a_server_error(s3_app: Flask) -> None:
    api = Api(s3_app)
    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, "documento.pdf", PDF)
    [key] = _keys(s3_app)
    _bucket(s3_app).client.delete_object(Bucket=_bucket(s3_app).bucket, Key=key)
    response = api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO)
    assert response.status_code == 404, response.data[:200]


def test_a_large_file_is_streamed_in_chunks(s3_app: Flask) -> None:
    api = Api(s3_app)
    app_id = create(api, "contributo", contributo_data())["id"]
    content = PDF[:9] + os.urandom(8 * 1024 * 1024)
    stored = _upload(api, app_id, "planimetria.pdf", content)
    response = api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO, buffered=False)
    try:
        assert response.status_code == 200 and response.is_streamed
        assert response.headers["Content-Length"] == str(len(content))
        sizes, digest = [], hashlib.sha256()
        for chunk in response.response:
            sizes.append(len(chunk))
            digest.update(chunk)
    finally:
        response.close()
    # Never the whole file at once: chunks of the store's size, as the bucket sends them.
    assert len(sizes) > 100 and max(sizes) <= storage_module.CHUNK
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest()


def test_a_local_file_gone_missing_is_a_404_too(app: Flask, api: Api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, "documento.pdf", PDF)
    with app.app_context():
        key = db.session.get(Attachment, uuid.UUID(stored["id"])).storage_key
    (Path(app.config["STORAGE_DIR"]) / key[:2] / key).unlink()
    assert api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO).status_code == 404


def test_keys_cannot_name_folders_or_people() -> None:
    for bad in ("../etc/passwd", "RSSMRA80A01H501U", "a/b", "nome.pdf", ""):
        with pytest.raises(ValueError):
            storage_module.check_key(bad)
