"""Attachments: size and type checked by content, stored outside the database row."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import unicodedata
import uuid
from typing import Any
from urllib.parse import quote

import filetype
from flask import Response, current_app

from forms import Upload
from webapp.extensions import db
from webapp.models import Application, Attachment, Tenant, User
from webapp.services.common.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMedia
from webapp.services.common.storage import MissingObject, StoredObject, storage
from webapp.services.common.tenancy import get_scoped
from webapp.services.common.uow import after_commit, after_rollback

# What an office accepts, by the type the content really has (never by the name alone).
ALLOWED_TYPES = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/pkcs7-mime": (".p7m",),
}


DEFAULT_NAME = "allegato"
MAX_NAME_LENGTH = 200


def _visible(char: str) -> str:
    """Whitespace (CR/LF, tabs...) becomes a space; control, format and unassigned characters go."""
    if char.isspace():
        return " "
    return "" if unicodedata.category(char) in _INVISIBLE else char


_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def clean_filename(raw: str | None) -> str:
    """A file's name as people gave it (accents, typographic apostrophes kept), but safe to store, show
    and send back: no folders, no control or invisible characters (CR/LF, NUL, right-to-left overrides
    that disguise an extension), no double quotes, not too long (the extension is kept)."""
    text = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = " ".join("".join(_visible(char) for char in text).replace('"', "'").split()).strip(" .")
    if len(text) > MAX_NAME_LENGTH:
        _stem, dot, extension = text.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        text = text[:MAX_NAME_LENGTH - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return text or DEFAULT_NAME


def content_disposition(name: str) -> str:
    """The one way to name a download (RFC 6266, with RFC 5987's UTF-8 form when the name is not
    plain ASCII, as werkzeug writes it): the header can neither break nor carry anything injected."""
    name = clean_filename(name)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    value = f'attachment; filename="{fallback or DEFAULT_NAME}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def download(content: bytes, mimetype: str, name: str) -> Response:
    """A file the browser saves, under its name, never sniffed into something else."""
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": content_disposition(name),
                                                          "X-Content-Type-Options": "nosniff"})


def stream_download(stored: StoredObject, mimetype: str, name: str) -> Response:
    """A stored file sent in chunks as the store yields them: a large attachment never sits whole in a
    web process's memory."""
    response = Response(stored.chunks, mimetype=mimetype, direct_passthrough=True, headers={
        "Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff"})
    response.content_length = stored.size
    response.call_on_close(stored.close)
    return response


def decode_upload(item: Any) -> Upload:
    """An API attachment `{name, mime_type, file}` with the file in base64."""
    if not isinstance(item, dict) or not isinstance(item.get("file"), str) or not item.get("name"):
        raise BadRequest("Ogni allegato deve avere 'name' e 'file' (contenuto in base64).")
    try:
        content = base64.b64decode(item["file"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(f"L'allegato '{item['name']}' non è codificato in base64.") from exc
    return Upload(name=str(item["name"]), content=content, declared_type=item.get("mime_type"))


def sniff_type(upload: Upload) -> str:
    """The real type of the content, refused when not allowed or when the name disguises it."""
    name = clean_filename(upload.name)
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if len(upload.content) > limit:
        raise PayloadTooLarge(
            f"L'allegato «{name}» supera la dimensione massima di {limit // (1024 * 1024)} MB."
        )
    if not upload.content:
        raise BadRequest(f"L'allegato «{name}» è vuoto.")
    mime = _detect(upload.content)
    if mime not in ALLOWED_TYPES:
        raise UnsupportedMedia(
            f"Il file «{name}» non è di un tipo ammesso (PDF, PNG, JPEG, P7M)."
        )
    extension = os.path.splitext(name.lower())[1]
    if extension not in ALLOWED_TYPES[mime]:
        raise UnsupportedMedia(
            f"Il contenuto del file «{name}» non corrisponde all'estensione del nome."
        )
    return mime


def _detect(content: bytes) -> str | None:
    kind = filetype.guess(content)
    if kind is not None:
        return str(kind.mime)
    if content[:2] == b"\x30\x82" or content[:2] == b"\x30\x80":  # DER SEQUENCE: a CAdES .p7m envelope
        return "application/pkcs7-mime"
    return None


def store_attachment(app: Application, upload: Upload, owner: User | None, kind: str,
                     message_id: uuid.UUID | None = None) -> Attachment:
    mime = sniff_type(upload)
    key = uuid.uuid4().hex  # random: the store never sees a name or a fiscal code
    store = storage()
    store.put(key, upload.content)
    after_rollback(lambda: store.delete(key))  # a refused step (409, 400...) keeps no file
    attachment = Attachment(
        tenant_id=app.tenant_id, application_id=app.id, message_id=message_id,
        owner_id=owner.id if owner else None, kind=kind, original_filename=clean_filename(upload.name),
        mime_type=mime, size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
        storage_key=key,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def discard_attachment(attachment: Attachment) -> None:
    """Delete the row now and its content once the deletion is committed (a rollback keeps both)."""
    key, store = attachment.storage_key, storage()
    db.session.delete(attachment)
    after_commit(lambda: store.delete(key))


def find_attachment(tenant: Tenant, app: Application, attachment_id: Any) -> Attachment:
    attachment = get_scoped(Attachment, tenant, attachment_id)
    if attachment.application_id != app.id:
        raise NotFound()
    return attachment


def open_attachment(attachment: Attachment) -> StoredObject:
    """The attachment's content as a stream; a row whose file is gone is a 404, not a server error."""
    try:
        return storage().open(attachment.storage_key)
    except MissingObject as exc:
        raise NotFound("Il file dell'allegato non è disponibile.") from exc


def read_attachment(tenant: Tenant, app: Application, attachment_id: Any) -> tuple[Attachment, StoredObject]:
    attachment = find_attachment(tenant, app, attachment_id)
    return attachment, open_attachment(attachment)


def read_stored(key: str) -> bytes:
    """A stored file's whole content (for a worker that sends it on, e.g. to the protocol register)."""
    return storage().get(key)
