"""The vendored front-end files are the ones package-lock.json pins, and the pages link them."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "webapp" / "static" / "vendor" / "bootstrap-italia"


def test_vendored_bootstrap_italia_matches_the_lock() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    locked = lock["packages"]["node_modules/bootstrap-italia"]["version"]
    assert json.loads((ROOT / "package.json").read_text())["dependencies"]["bootstrap-italia"] == locked
    assert (VENDOR / "VERSION").read_text().strip() == locked
    for relative in ("css/bootstrap-italia.min.css", "js/bootstrap-italia.bundle.min.js", "svg/sprites.svg",
                     "fonts.css", "LICENSE"):
        assert (VENDOR / relative).stat().st_size > 0, relative
    for line in (VENDOR / "fonts.css").read_text().splitlines():
        font = line.split("url('")[1].split("')")[0]
        assert (VENDOR / font).is_file(), font


def test_home_page_uses_the_vendored_styles(app) -> None:
    page = app.test_client().get("/demo/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="it">' in html and "Comune di Demo" in html
    assert "/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css" in html
    with app.test_client().get("/static/vendor/bootstrap-italia/fonts.css") as fonts:
        assert fonts.status_code == 200
    assert app.test_client().get("/non-esiste/").status_code == 404
