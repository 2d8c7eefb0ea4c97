"""The vendored front-end files are the ones package-lock.json pins, and the pages link them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.vendor_assets import BPMN_SOURCE, sources_digest

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
    for line in css.read_text().splitlines():
        font = line.split("url('")[1].split("')")[0]
        assert (css.parent / font).is_file(), font


def test_home_page_uses_the_vendored_styles(app) -> None:
    page = app.test_client().get("/demo/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="it">' in html and "Comune di Demo" in html
    assert "/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css" in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    with app.test_client().get("/static/vendor/bootstrap-italia/fonts.css") as fonts:
        assert fonts.status_code == 200
    missing = app.test_client().get("/non-esiste/")
    assert missing.status_code == 404 and "Pagina non trovata" in missing.get_data(as_text=True)
