"""A REST protocol register client (the contract the protocol simulator speaks; a vendor
adapter implements the same `ProtocolRegister` protocol over its own API).

    POST /registrations            Idempotency-Key required; 201, or 200 on a replay
    GET  /registrations/{id}
    POST /folders/{code}/documents {"document_id"}
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, Self

from connectors._http import HttpClient
from connectors._plugins import require
from connectors._time import parse_dt
from connectors.errors import ValidationError
from connectors.protocol.base import Direction, DocumentFile, Folder, ProtocolDocument, ProtocolReceipt
from connectors.protocol.registry import register


def fingerprint(content: bytes) -> str:
    """The document's *impronta* (art. 53): SHA-256, hex."""
    return hashlib.sha256(content).hexdigest()


def _file_json(f: DocumentFile) -> dict[str, str]:
    return {"filename": f.filename, "mime_type": f.mime_type,
            "content_base64": base64.b64encode(f.content).decode(), "sha256": fingerprint(f.content)}


def _folder_json(f: Folder | None) -> dict[str, str | None] | None:
    return None if f is None else {"number": f.number, "code": f.code}


def document_json(doc: ProtocolDocument, direction: Direction, folder: Folder | None) -> dict[str, Any]:
    if not doc.subject.strip():
        raise ValidationError("a protocol registration needs a subject")
    c = doc.correspondent
    return {
        "direction": str(direction), "kind": doc.kind, "subject": doc.subject,
        "correspondent": {"name": c.name, "fiscal_code": c.fiscal_code, "email": c.email},
        "document": _file_json(doc.main), "attachments": [_file_json(a) for a in doc.attachments],
        "classification": doc.classification, "office": doc.office,
        "folder": _folder_json(folder or doc.folder), "create_folder": doc.create_folder,
    }


def receipt_from_json(data: Mapping[str, Any]) -> ProtocolReceipt:
    folder = data.get("folder")
    registered_at = parse_dt(data.get("registered_at"))
    if registered_at is None:
        raise ValidationError("registration without a date")
    return ProtocolReceipt(
        protocol_number=str(data["protocol_number"]), year=int(data["year"]), registered_at=registered_at,
        document_id=str(data["document_id"]), direction=Direction(data["direction"]),
        fingerprint=str(data["fingerprint"]),
        folder=Folder(number=folder.get("number"), code=folder.get("code")) if folder else None)


@register("rest")
class RestProtocolClient:
    """`ProtocolRegister` over the REST contract above."""

    def __init__(self, *, base_url: str, token: str = "", timeout: float = 15.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = HttpClient(base_url, headers=headers, timeout=timeout)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Self:
        """PROTOCOL_URL, and PROTOCOL_TOKEN when the register wants one."""
        [base_url] = require(config, "PROTOCOL_URL", plugin="rest")
        return cls(base_url=base_url, token=str(config.get("PROTOCOL_TOKEN") or ""))

    @classmethod
    def for_simulator(cls, url: str, *, token: str = "demo") -> Self:  # noqa: S107 (demo)
        return cls(base_url=f"{url.rstrip('/')}/api/v1", token=token)

    def _register(self, doc: ProtocolDocument, direction: Direction, folder: Folder | None,
                  key: str) -> ProtocolReceipt:
        body = document_json(doc, direction, folder)
        resp = self._http.request("POST", "/registrations", json_body=body, idempotency_key=key, ok=(200, 201))
        return receipt_from_json(resp.json())

    def register_inbound(self, doc: ProtocolDocument, *, idempotency_key: str) -> ProtocolReceipt:
        return self._register(doc, Direction.INBOUND, None, idempotency_key)

    def register_outbound(self, doc: ProtocolDocument, *, idempotency_key: str,
                          in_folder: Folder | None = None) -> ProtocolReceipt:
        return self._register(doc, Direction.OUTBOUND, in_folder, idempotency_key)

    def get_registration(self, document_id: str) -> ProtocolReceipt:
        return receipt_from_json(self._http.request("GET", f"/registrations/{document_id}").json())

    def add_to_folder(self, document_id: str, folder: Folder, *, idempotency_key: str) -> None:
        if not folder.code:
            raise ValidationError("adding to a folder needs its code")
        self._http.request("POST", f"/folders/{folder.code}/documents", json_body={"document_id": document_id},
                           idempotency_key=idempotency_key)
