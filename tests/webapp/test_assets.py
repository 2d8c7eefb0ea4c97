"""The vendored front-end files are the ones package-lock.json pins, and the pages link them."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from scripts.vendor_assets import BPMN_SOURCE, sources_digest
from webapp.assets import COMPRESSIBLE, accepted_encodings, hashed_name, precompressed_path, scan

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "webapp" / "static" / "vendor"
PACKAGES = {  # npm package -> (vendor folder, files the pages use)
    "bootstrap-italia": ("bootstrap-italia", ("css/bootstrap-italia.min.css", "js/bootstrap-italia.bundle.min.js",
                                              "svg/sprites.svg", "fonts.css", "LICENSE")),
    "htmx.org": ("htmx", ("htmx.min.js", "LICENSE")),
    "chart.js": ("chartjs", ("chart.umd.min.js", "LICENSE.md")),
    "bpmn-js": ("bpmn", ("workshop-modeller.js", "process-viewer.js", "diagram-js.css", "bpmn-js.css",
                         "bpmn-font/css/bpmn.css", "bpmn-font/font/bpmn.woff2", "LICENSE")),
}
# Bundled into vendor/bpmn with bpmn-js; VERSIONS.json names the version of each one that went in.
BUNDLED = ("bpmn-js", "bpmnlint", "bpmn-auto-layout")


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_vendored_files_match_the_lock(package: str) -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"][f"node_modules/{package}"]["version"]
    assert json.loads((ROOT / "package.json").read_text())["dependencies"][package] == locked
    folder, files = PACKAGES[package]
    assert (VENDOR / folder / "VERSION").read_text().strip() == locked
    for relative in files:
        assert (VENDOR / folder / relative).stat().st_size > 0, relative


def test_the_bpmn_bundles_match_the_lock_and_keep_the_watermark() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    declared = json.loads((ROOT / "package.json").read_text())
    bundled = json.loads((VENDOR / "bpmn" / "VERSIONS.json").read_text())
    for package in BUNDLED:
        locked = lock["packages"][f"node_modules/{package}"]["version"]
        assert declared["dependencies"][package] == locked == bundled[package], package
    assert declared["devDependencies"]["esbuild"] == lock["packages"]["node_modules/esbuild"]["version"]
    assert bundled["sources"] == sources_digest(BPMN_SOURCE), "run scripts/vendor_assets.py: the bundles are stale"
    for bundle in ("workshop-modeller.js", "process-viewer.js"):
        # bpmn-js's licence: the code that shows the bpmn.io watermark must not be removed
        assert "bpmn.io" in (VENDOR / "bpmn" / bundle).read_text(), bundle


def test_every_font_in_fonts_css_is_vendored() -> None:
    css = VENDOR / "bootstrap-italia" / "fonts.css"
    by_hashed = {asset.hashed: asset for asset in scan(STATIC)}
    for line in css.read_text().splitlines():
        font = line.split("url('")[1].split("')")[0]
        # named by content hash, so a year's cache is safe: the name is the current file's
        asset = by_hashed[f"vendor/bootstrap-italia/{font}"]
        assert (css.parent / asset.path.removeprefix("vendor/bootstrap-italia/")).is_file(), font


def test_home_page_uses_the_vendored_styles(app) -> None:
    page = app.test_client().get("/demo/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="it">' in html and "Comune di Demo" in html
    assert re.search(r"/static/vendor/bootstrap-italia/css/bootstrap-italia\.[0-9a-f]{12}\.light\.min\.css", html)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    with app.test_client().get("/static/vendor/bootstrap-italia/fonts.css") as fonts:
        assert fonts.status_code == 200
    missing = app.test_client().get("/non-esiste/")
    assert missing.status_code == 404 and "Pagina non trovata" in missing.get_data(as_text=True)


STATIC = ROOT / "webapp" / "static"


def test_every_compressible_file_has_its_precompressed_copies() -> None:
    missing = [asset.path for asset in scan(STATIC) if asset.path.endswith(COMPRESSIBLE)
               and not all(precompressed_path(STATIC, asset, suffix).is_file() for suffix in (".gz", ".br"))]
    assert not missing, f"run scripts/precompress_static.py: {missing}"
    for asset in scan(STATIC):
        if asset.path.endswith(".css"):
            copy = gzip.decompress(precompressed_path(STATIC, asset, ".gz").read_bytes())
            assert copy == (STATIC / asset.path).read_bytes(), asset.path


def test_hashed_names() -> None:
    assert hashed_name("css/app.css", "abc") == "css/app.abc.css"
    assert hashed_name("vendor/x/y.min.js", "abc") == "vendor/x/y.abc.min.js"
    assert hashed_name("LICENSE", "abc") == "LICENSE.abc"
    assert accepted_encodings("gzip, deflate, br;q=0") == {"gzip", "deflate"}
    assert accepted_encodings("br;q=1.0, gzip;q=0.5") == {"br", "gzip"}
    assert accepted_encodings("*") >= {"br", "gzip"}


def fetched(client, url: str, **headers: str):
    """The response with its body read and its file closed."""
    with client.get(url, headers=headers) as response:
        response.get_data()
    return response


def static_links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"#]+)', html)


def test_static_files_are_served_hashed_compressed_and_immutable(app) -> None:
    client = app.test_client()
    html = client.get("/demo/").get_data(as_text=True)
    links = static_links(html)
    assert links and all(re.search(r"\.[0-9a-f]{12}(\.|$)", link) for link in links), links
    stylesheet = next(link for link in links if "bootstrap-italia" in link and link.endswith(".css"))
    plain = (STATIC / re.sub(r"\.[0-9a-f]{12}", "", stylesheet.removeprefix("/static/"))).read_bytes()

    brotli = fetched(client, stylesheet, **{"Accept-Encoding": "gzip, deflate, br"})
    assert brotli.status_code == 200 and brotli.headers["Content-Encoding"] == "br"
    assert brotli.mimetype == "text/css" and "Accept-Encoding" in brotli.headers["Vary"]
    cache = brotli.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert 0 < len(brotli.data) < len(plain) / 4

    gzipped = fetched(client, stylesheet, **{"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(gzipped.data) == plain
    identity = fetched(client, stylesheet, **{"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in identity.headers and identity.data == plain
    assert "Accept-Encoding" in identity.headers["Vary"]
    # the ETag names the coding, so a cache never hands a brotli body to a browser that asked for gzip
    assert brotli.headers["ETag"] != gzipped.headers["ETag"]
    with client.get(stylesheet, headers={"Accept-Encoding": "br", "If-None-Match": brotli.headers["ETag"]}) as again:
        assert again.status_code == 304

    # a hash of an older content is not this file, and the compressed copies have no URL of their own
    assert client.get(re.sub(r"\.[0-9a-f]{12}\.", ".000000000000.", stylesheet)).status_code == 404
    assert client.get("/static/precompressed/css/app.css.gz").status_code == 404
    with client.get("/static/css/app.css") as unhashed:
        assert unhashed.status_code == 200 and "immutable" not in unhashed.headers.get("Cache-Control", "")


def test_the_pages_load_the_light_bootstrap_italia(app) -> None:
    """Only the plugins, rules and icons the pages use; the light files follow the vendored sources."""
    from scripts.vendor_assets import LIGHT_CSS, LIGHT_JS, LIGHT_SPRITE, TARGET, reduced_sprite, used_icons

    html = app.test_client().get("/demo/").get_data(as_text=True)
    assert "bootstrap-italia.bundle" not in html and re.search(r"bootstrap-italia\.[0-9a-f]{12}\.light\.min\.js", html)
    assert LIGHT_JS.stat().st_size < 60_000 and LIGHT_CSS.stat().st_size < 250_000
    full_css = (TARGET / "css" / "bootstrap-italia.min.css").read_text()
    light_css = LIGHT_CSS.read_text()
    for rule in (".modal-backdrop", ".collapsing", ".navbar-collapsable", ".form-group label.active",
                 ".it-header-wrapper", ".steppers", ".alert-danger"):
        assert rule in full_css and rule in light_css, rule
    assert ".cookiebar" in full_css and ".cookiebar" not in light_css
    assert "sourceMappingURL" not in light_css
    sprite = LIGHT_SPRITE.read_text()
    assert sprite == reduced_sprite((TARGET / "svg" / "sprites.svg").read_text(), used_icons()), \
        "run scripts/vendor_assets.py: an icon the templates name is missing from the light sprite"
    assert 'id="it-burger"' in sprite and 'id="it-android"' not in sprite


def test_pages_are_gzipped_unless_they_carry_a_csrf_token(app) -> None:
    client = app.test_client()
    plain = client.get("/demo/servizi")
    zipped = client.get("/demo/servizi", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) / 3
    # a form with its CSRF token (BREACH): sent as it is
    login = client.get("/demo/backoffice/login", headers={"Accept-Encoding": "gzip"})
    assert login.status_code == 200 and b'name="csrf_token"' in login.data
    assert "Content-Encoding" not in login.headers


def test_build_tools_are_pinned_to_the_lock() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    declared = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for tool in ("esbuild", "purgecss", "lighthouse"):
        assert declared[tool] == lock["packages"][f"node_modules/{tool}"]["version"], tool
