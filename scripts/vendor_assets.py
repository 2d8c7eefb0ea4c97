"""Copy the front-end files the pages use from node_modules into webapp/static/vendor.

Run after `npm ci`; the output is committed so Python-only deploys need no Node, and a test checks
that the committed files match the versions locked in package-lock.json.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "webapp" / "static" / "vendor"
SOURCE = NODE / "bootstrap-italia"
TARGET = VENDOR / "bootstrap-italia"
FILES = ("dist/css/bootstrap-italia.min.css", "dist/js/bootstrap-italia.bundle.min.js", "dist/svg/sprites.svg",
         "LICENSE")
# Other packages: (npm name, vendor folder, files to copy as they are).
SINGLE_FILES = (
    ("htmx.org", "htmx", ("dist/htmx.min.js", "LICENSE")),
    ("chart.js", "chartjs", ("dist/chart.umd.min.js", "LICENSE.md")),
)
FACES = [("Titillium Web", "Titillium_Web", "titillium-web-v10-latin-ext_latin", (300, 400, 600, 700)),
         ("Lora", "Lora", "lora-v20-latin-ext_latin", (400, 700)),
         ("Roboto Mono", "Roboto_Mono", "roboto-mono-v13-latin-ext_latin", (400, 700))]


def font_files() -> list[tuple[str, str, int, str]]:
    """(family, file stem, weight, style) of every face the pages may use, woff2 only."""
    faces = []
    for family, folder, stem, weights in FACES:
        for weight in weights:
            for style in ("normal", "italic"):
                name = "regular" if weight == 400 else str(weight)
                if style == "italic":
                    name = "italic" if weight == 400 else f"{weight}italic"
                faces.append((family, f"{folder}/{stem}-{name}", weight, style))
    return faces


def font_face_css() -> str:
    """@font-face rules in a static file: bootstrap.loadFonts() would need inline styles (CSP)."""
    return "".join(
        f"@font-face{{font-family:'{family}';font-style:{style};font-weight:{weight};font-display:swap;"
        f"src:url('fonts/{path}.woff2') format('woff2')}}\n"
        for family, path, weight, style in font_files()
    )


def main() -> int:
    if not SOURCE.is_dir():
        print("run `npm ci` first: node_modules/bootstrap-italia is missing", file=sys.stderr)
        return 1
    shutil.rmtree(TARGET, ignore_errors=True)
    for relative in FILES:
        target = TARGET / relative.removeprefix("dist/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / relative, target)
    for _family, path, _weight, _style in font_files():
        target = TARGET / "fonts" / f"{path}.woff2"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SOURCE / "dist" / "fonts" / f"{path}.woff2", target)
    for licence in SOURCE.glob("dist/fonts/*/*.txt"):
        shutil.copyfile(licence, TARGET / "fonts" / licence.parent.name / licence.name)
    (TARGET / "fonts.css").write_text(font_face_css())
    version = json.loads((SOURCE / "package.json").read_text())["version"]
    (TARGET / "VERSION").write_text(version + "\n")
    print(f"vendored bootstrap-italia {version} into {TARGET.relative_to(ROOT)}")
    for package, folder, files in SINGLE_FILES:
        vendor_files(package, folder, files)
    return 0


def vendor_files(package: str, folder: str, files: tuple[str, ...]) -> None:
    source, target = NODE / package, VENDOR / folder
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for relative in files:
        shutil.copyfile(source / relative, target / os.path.basename(relative))
    version = json.loads((source / "package.json").read_text())["version"]
    (target / "VERSION").write_text(version + "\n")
    print(f"vendored {package} {version} into {target.relative_to(ROOT)}")


if __name__ == "__main__":
    raise SystemExit(main())
