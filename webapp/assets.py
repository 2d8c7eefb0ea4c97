"""Static files with content-hashed names, long cache lifetimes and precompressed bodies.

A citizen on a phone should download Bootstrap Italia once, compressed, and never ask for it again
until it changes. At start-up every file under webapp/static gets a name carrying a hash of its
content (css/app.css -> css/app.1a2b3c4d5e6f.css); url_for('static', ...) hands out that name, and a
request for it is answered with `Cache-Control: immutable` and, when the browser accepts it, the
brotli or gzip body that scripts/precompress_static.py wrote beforehand under static/precompressed
(named after the same hash, so a file edited without re-running the script is simply served
uncompressed instead of stale). We serve these ourselves rather than through a middleware such as
flask-compress (which compresses on every response, costing CPU per request, and knows nothing of
hashed names) or whitenoise (which would need its own manifest step and brotli bindings in Python);
the unhashed names keep working, revalidated on every use, for anything that builds the URL by hand.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request, send_file

PRECOMPRESSED = "precompressed"
# Folders under static/ that are not served as files of their own: the bundle sources, and the
# compressed copies (reached only through their originals' hashed names).
SKIPPED = ("src", PRECOMPRESSED)
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".md")
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))  # preferred first
ONE_YEAR = 365 * 24 * 3600
MANIFEST = "static_manifest"


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the static folder, as the templates name it
    digest: str  # first 12 hex digits of its content's sha256

    @property
    def hashed(self) -> str:
        return hashed_name(self.path, self.digest)


def hashed_name(path: str, digest: str) -> str:
    """css/app.css -> css/app.<digest>.css (a name without a suffix gets .<digest> at the end)."""
    folder, _, name = path.rpartition("/")
    stem, dot, suffix = name.partition(".")
    name = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    return f"{folder}/{name}" if folder else name


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def scan(static: Path) -> list[Asset]:
    """Every servable file under the static folder with its content hash."""
    assets = []
    for path in sorted(static.rglob("*")):
        relative = path.relative_to(static).as_posix()
        if path.is_file() and relative.split("/")[0] not in SKIPPED:
            assets.append(Asset(relative, file_digest(path)))
    return assets


def precompressed_path(static: Path, asset: Asset, suffix: str) -> Path:
    return static / PRECOMPRESSED / (asset.hashed + suffix)


@dataclass
class Manifest:
    static: Path
    by_path: dict[str, Asset]
    by_hashed: dict[str, Asset]

    @classmethod
    def build(cls, static: Path) -> Manifest:
        assets = scan(static)
        return cls(static, {a.path: a for a in assets}, {a.hashed: a for a in assets})


def accepted_encodings(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows (q=0 refuses one); `*` stands for any."""
    accepted = set()
    for item in header.split(","):
        coding, _, params = item.strip().partition(";")
        quality = params.strip()
        if quality.startswith("q="):
            try:
                if float(quality[2:]) == 0:
                    continue
            except ValueError:
                continue
        if coding:
            accepted.add(coding.strip().lower())
    if "*" in accepted:
        accepted |= {name for name, _ in ENCODINGS}
    return accepted


def init_assets(app: Flask) -> None:
    """Hash names in url_for('static') and answer hashed names with immutable, compressed bodies."""
    static = Path(app.static_folder or "")
    manifest = Manifest.build(static)
    app.extensions[MANIFEST] = manifest

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and (asset := manifest.by_path.get(values.get("filename", ""))):
            values["filename"] = asset.hashed

    def serve_static(filename: str) -> Response:
        asset = manifest.by_hashed.get(filename)
        if asset is None:
            # An unhashed name (a URL built by hand, a font named from a stylesheet): the plain
            # file, which the browser revalidates each time since its content may change.
            if filename.split("/")[0] in SKIPPED:
                abort(404)
            return app.send_static_file(filename)
        original = static / asset.path
        mimetype = mimetypes.guess_type(asset.path)[0] or "application/octet-stream"
        encoding, body = None, original
        if asset.path.endswith(COMPRESSIBLE):
            accepted = accepted_encodings(request.headers.get("Accept-Encoding", ""))
            for name, suffix in ENCODINGS:
                candidate = precompressed_path(static, asset, suffix)
                if name in accepted and candidate.is_file():
                    encoding, body = name, candidate
                    break
        response = send_file(body, mimetype=mimetype, conditional=True, etag=f"{asset.digest}-{encoding or 'identity'}",
                             max_age=ONE_YEAR, last_modified=original.stat().st_mtime)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        if asset.path.endswith(COMPRESSIBLE):
            response.vary.add("Accept-Encoding")
        response.cache_control.public = True
        response.cache_control.immutable = True
        return response

    app.view_functions["static"] = serve_static
    app.after_request(compress_page)


# Below this an HTML page fits in the first TCP packets anyway; compressing it gains nothing.
MIN_COMPRESSED_PAGE = 1400
CSRF_FIELD = b'name="csrf_token"'


def compress_page(response: Response) -> Response:
    """gzip an HTML page on its way out (level 6: most of the gain for little CPU; brotli would need
    a Python binding). A page carrying a CSRF token goes uncompressed: compression next to a secret
    and text an attacker can get reflected is what BREACH measures, and such pages are few (the
    steps of a form, the back office) while the catalogue and information pages are most visits."""
    if (response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers or response.status_code != 200):
        return response
    response.vary.add("Accept-Encoding")
    body = response.get_data()
    if len(body) < MIN_COMPRESSED_PAGE or CSRF_FIELD in body \
            or "gzip" not in accepted_encodings(request.headers.get("Accept-Encoding", "")):
        return response
    response.set_data(gzip.compress(body, 6))
    response.headers["Content-Encoding"] = "gzip"
    return response
