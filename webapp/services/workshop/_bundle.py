"""A service as a zip of the folder format of `workflows/<slug>/`, to move it between enti.

The zip holds `<slug>/` (service.yaml, process, forms) and the shared-library files it names
(`_fragments/...`, `_lifecycle/...`), so it also loads on its own with `flask publish-service`. On
import the platform's own shared library is used: the service's files are what is imported.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from webapp.extensions import db
from webapp.models import Service, Tenant, User
from webapp.services.common import policy
from webapp.services.common.errors import BadRequest, PayloadTooLarge, UnsupportedMedia
from webapp.services.common.tenancy import scoped

from . import _drafts, _files, _versions
from ._problems import DraftInvalid, Problem

MAX_ZIP_BYTES = 4 * 1024 * 1024
MAX_ENTRIES = 200


def export_zip(tenant: Tenant, slug: str, version: int | None = None) -> tuple[str, bytes]:
    """(file name, zip) of version `version`, else of the current version, else (never published) the draft."""
    service = _drafts.find_service(tenant, slug)
    if version is not None:
        row = _versions.version_of(tenant, slug, version)
        if not row.files:
            raise BadRequest(f"I file della versione {version} non sono disponibili.")
        files, label = dict(row.files), f"v{version}"
    elif service.current_version is not None:
        files, label = _drafts.published_files(service), f"v{service.current_version.version}"
    else:
        files, label = dict(_drafts.draft_row(tenant, service).files), "bozza"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(f"{slug}/{path}", files[path])
        for shared in sorted({p for p in _files.referenced_paths(_files.read_manifest(files)) if _files.is_shared(p)}):
            text = _files.shared_file(shared)
            if text is not None:
                archive.writestr(str(PurePosixPath(*PurePosixPath(shared).parts[1:])), text)
    return f"{slug}-{label}.zip", buffer.getvalue()


@dataclass(frozen=True)
class Bundle:
    slug: str
    files: dict[str, str]


def read_zip(data: bytes) -> Bundle:
    """The service folder in a zip: exactly one service.yaml outside the shared library. Refuses what is
    not a zip, too large (also once unpacked), paths that leave the folder, and files that are not text."""
    if len(data) > MAX_ZIP_BYTES:
        raise PayloadTooLarge(f"Il file zip supera {MAX_ZIP_BYTES // (1024 * 1024)} MB.")
    if not data.startswith(b"PK\x03\x04"):
        raise UnsupportedMedia("Il file non è un archivio zip.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedMedia("Il file non è un archivio zip leggibile.") from None
    if len(entries) > MAX_ENTRIES:
        raise PayloadTooLarge(f"L'archivio contiene più di {MAX_ENTRIES} file.")
    if sum(i.file_size for i in entries) > _files.MAX_DRAFT_BYTES:
        raise PayloadTooLarge("L'archivio, una volta estratto, è troppo grande.")
    manifests = [i.filename for i in entries if PurePosixPath(i.filename).name == "service.yaml"
                 and not any(part.startswith("_") for part in PurePosixPath(i.filename).parts[:-1])]
    if len(manifests) != 1:
        raise BadRequest("L'archivio deve contenere un solo servizio (una sola cartella con service.yaml).")
    prefix = str(PurePosixPath(manifests[0]).parent)
    prefix = "" if prefix == "." else prefix + "/"
    files: dict[str, str] = {}
    for info in entries:
        name = info.filename
        relative = name[len(prefix):]
        if not name.startswith(prefix) or (not prefix and relative.startswith("_")):
            continue  # beside the folder: the shared library, for which the platform's own is used
        try:
            path = _files.clean_path(relative)
        except BadRequest:
            raise BadRequest(f"File non ammesso nell'archivio: '{name[:120]}'.") from None
        if info.file_size > _files.MAX_FILE_BYTES:
            raise PayloadTooLarge(f"Il file '{name[:120]}' è troppo grande.")
        try:
            files[path] = archive.read(info).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest(f"Il file '{name[:120]}' non è testo UTF-8.") from None
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):  # encrypted, bad CRC...
            raise UnsupportedMedia(f"Il file '{name[:120]}' dell'archivio non si legge.") from None
    slug = _files.read_manifest(files).get("slug")
    if not isinstance(slug, str) or not _files.SLUG.match(slug):
        raise DraftInvalid([Problem("service.yaml", None, "manca uno slug valido (lettere minuscole, cifre, "
                                                          "trattini)")])
    return Bundle(slug=slug, files=files)


def import_zip(tenant: Tenant, user: User, data: bytes) -> _drafts.Draft:
    """The zip's service as the draft of the service with its slug (created when new). Nothing is stored
    unless it loads: DraftInvalid lists the problems."""
    policy.require_workshop(user, tenant, edit=True)
    bundle = read_zip(data)
    problems = _drafts.problems_in(bundle.slug, bundle.files)
    if problems:
        raise DraftInvalid(problems)
    exists = db.session.scalar(scoped(Service, tenant).where(Service.slug == bundle.slug)) is not None
    if not exists:
        title = str(_files.read_manifest(bundle.files).get("title") or bundle.slug)
        _drafts.create_service(tenant, user, bundle.slug, title[:200])
    return _drafts.replace_files(tenant, user, bundle.slug, bundle.files)
