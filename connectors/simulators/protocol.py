"""The protocol register simulator: stands for a Comune's external register.

Numbers are progressive, 7 digits, restarting every calendar year (D.P.R. 445/2000 art. 57).
Registrations are idempotent on the Idempotency-Key header (required): a retried call gets the
same number. `stats()["registrations"]` counts real registrations. With `callback_url` set it
also posts a signed `protocol.registered` event, as an external system calling back would.

    POST /api/v1/registrations
    GET  /api/v1/registrations/{document_id}
    POST /api/v1/folders/{code}/documents  {"document_id"}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

from connectors._time import iso
from connectors.simulators._server import (
    DEMO_SECRET,
    HttpProblem,
    Request,
    Response,
    SimulatorApp,
    deliver_signed,
    json_response,
)

API = "/api/v1"


class ProtocolSimulator(SimulatorApp):
    name = "protocol"

    def __init__(self, *, token: str | None = None, callback_url: str | None = None,
                 webhook_secret: str = DEMO_SECRET) -> None:
        super().__init__()
        self.token, self.callback_url, self.webhook_secret = token, callback_url, webhook_secret
        self.registrations: dict[str, dict[str, Any]] = {}
        self.counters: dict[int, int] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        # What each registration carried (document id -> file name and bytes), for tests to open.
        self.documents: dict[str, tuple[str, bytes]] = {}
        self.route("POST", API + "/registrations", lambda r: self.idempotent(r, self._register, required=True))
        self.route("GET", API + "/registrations/{document_id}", self._get)
        self.route("POST", API + "/folders/{code}/documents",
                   lambda r: self.idempotent(r, self._add_to_folder))

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "registrations": len(self.registrations), "folders": len(self.folders)}

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.registrations.clear()
            self.documents.clear()
            self.counters.clear()
            self.folders.clear()

    def _auth(self, req: Request) -> None:
        if self.token and req.header("Authorization") != f"Bearer {self.token}":
            raise HttpProblem(401, "Unauthorized", "missing or wrong token")

    @staticmethod
    def _check_file(f: Any, where: str) -> str:
        try:
            content = base64.b64decode(f["content_base64"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise HttpProblem(400, "Bad Request", f"{where}: content_base64 is required") from None
        digest = hashlib.sha256(content).hexdigest()
        if f.get("sha256") and f["sha256"] != digest:
            raise HttpProblem(400, "Bad Request", f"{where}: sha256 does not match the content")
        return digest

    def _validate(self, data: dict[str, Any]) -> str:
        if data.get("direction") not in ("inbound", "outbound"):
            raise HttpProblem(400, "Bad Request", "direction is inbound or outbound")
        if not str(data.get("subject") or "").strip():
            raise HttpProblem(400, "Bad Request", "subject is required")
        if not (data.get("correspondent") or {}).get("name"):
            raise HttpProblem(400, "Bad Request", "correspondent.name is required")
        for i, a in enumerate(data.get("attachments") or []):
            self._check_file(a, f"attachments[{i}]")
        return self._check_file(data.get("document") or {}, "document")

    def _folder_for(self, data: dict[str, Any], year: int) -> dict[str, Any] | None:
        folder = data.get("folder")
        if folder and folder.get("code"):
            if folder["code"] not in self.folders:
                raise HttpProblem(404, "Not Found", "folder not found")
            return {"number": self.folders[folder["code"]]["number"], "code": folder["code"]}
        if not data.get("create_folder"):
            return None
        n = len(self.folders) + 1
        code = f"F{year}{n:05d}"
        self.folders[code] = {"number": f"{year}/{n}", "documents": []}
        return {"number": f"{year}/{n}", "code": code}

    def _register(self, req: Request) -> Response:
        self._auth(req)
        data = req.json_object()
        fingerprint = self._validate(data)
        now = datetime.now(UTC)
        with self.lock:
            folder = self._folder_for(data, now.year)
            self.counters[now.year] = self.counters.get(now.year, 0) + 1
            record = {"protocol_number": f"{self.counters[now.year]:07d}", "year": now.year,
                      "registered_at": iso(now), "document_id": uuid.uuid4().hex,
                      "direction": data["direction"], "fingerprint": fingerprint, "folder": folder}
            self.registrations[record["document_id"]] = record
            document = data["document"]
            self.documents[record["document_id"]] = (str(document.get("filename") or ""),
                                                     base64.b64decode(document["content_base64"]))
            if folder:
                self.folders[folder["code"]]["documents"].append(record["document_id"])
        self._callback(record, req.header("Idempotency-Key") or "")
        return json_response(201, record)

    def _callback(self, record: dict[str, Any], key: str) -> None:
        if not self.callback_url:
            return
        event = {"event": "protocol.registered", "idempotency_key": key, **record}
        threading.Thread(target=deliver_signed, args=(self.callback_url, event, self.webhook_secret),
                         name="protocol-callback", daemon=True).start()

    def _get(self, req: Request) -> Response:
        self._auth(req)
        record = self.registrations.get(req.params["document_id"])
        if record is None:
            raise HttpProblem(404, "Not Found", "registration not found")
        return json_response(200, record)

    def _add_to_folder(self, req: Request) -> Response:
        self._auth(req)
        document_id = str(req.json_object().get("document_id", ""))
        with self.lock:
            folder = self.folders.get(req.params["code"])
            if folder is None or document_id not in self.registrations:
                raise HttpProblem(404, "Not Found", "folder or document not found")
            if document_id not in folder["documents"]:
                folder["documents"].append(document_id)
        return json_response(200, {"code": req.params["code"], "documents": len(folder["documents"])})
