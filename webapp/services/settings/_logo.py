"""The ente's logo: PNG or JPEG only (SVG can carry scripts), small, checked by its content, served by us."""

from __future__ import annotations

import hashlib
import io
import uuid

import filetype
from PIL import Image, UnidentifiedImageError

from webapp.extensions import db
from webapp.models import Tenant, User
from webapp.services import people
from webapp.services.common.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMedia
from webapp.services.common.storage import MissingObject, storage
from webapp.services.common.uow import after_commit, after_rollback

from ._values import require_admin

MAX_LOGO_BYTES = 512 * 1024
MAX_SIDE = 2000
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}


def _checked_type(content: bytes) -> str:
    if not content:
        raise BadRequest("Il file del logo è vuoto.")
    if len(content) > MAX_LOGO_BYTES:
        raise PayloadTooLarge(f"Il logo supera la dimensione massima di {MAX_LOGO_BYTES // 1024} KB.")
    kind = filetype.guess(content)
    mime = str(kind.mime) if kind is not None else None
    if mime not in LOGO_TYPES:
        raise UnsupportedMedia("Il logo deve essere un'immagine PNG o JPEG.")
    try:  # the whole image must decode as the format its first bytes claim (a polyglot file does not)
        with Image.open(io.BytesIO(content)) as image:
            if image.format != LOGO_TYPES[mime]:
                raise UnsupportedMedia("Il logo deve essere un'immagine PNG o JPEG.")
            if max(image.size) > MAX_SIDE:
                raise BadRequest(f"Il logo supera i {MAX_SIDE} pixel di lato.")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedMedia("Il file del logo non è un'immagine leggibile.") from exc
    return mime


def set_logo(tenant: Tenant, user: User, content: bytes) -> None:
    require_admin(user, tenant)
    mime = _checked_type(content)
    key, store = f"logo-{uuid.uuid4().hex}", storage()
    store.put(key, content)
    after_rollback(lambda: store.delete(key))
    _forget_after_commit(tenant)
    tenant.settings = {**(tenant.settings or {}),
                       "logo": {"key": key, "mime": mime, "sha256": hashlib.sha256(content).hexdigest()}}
    db.session.flush()
    people.audit(user, "settings_changed", tenant, {"settings": "logo"})


def remove_logo(tenant: Tenant, user: User) -> None:
    require_admin(user, tenant)
    _forget_after_commit(tenant)
    tenant.settings = {k: v for k, v in (tenant.settings or {}).items() if k != "logo"}
    db.session.flush()
    people.audit(user, "settings_changed", tenant, {"settings": "logo (rimosso)"})


def _forget_after_commit(tenant: Tenant) -> None:
    old = (tenant.settings or {}).get("logo")
    if isinstance(old, dict) and old.get("key"):
        old_key, store = str(old["key"]), storage()
        after_commit(lambda: store.delete(old_key))


def read_logo(tenant: Tenant) -> tuple[bytes, str, str]:
    """(content, MIME type, its hash for the ETag), or NotFound."""
    logo = (tenant.settings or {}).get("logo")
    if not isinstance(logo, dict) or logo.get("mime") not in LOGO_TYPES:
        raise NotFound("Logo non trovato.")
    try:
        content = storage().get(str(logo["key"]))
    except MissingObject as exc:
        raise NotFound("Logo non trovato.") from exc
    return content, str(logo["mime"]), str(logo.get("sha256") or "")
