"""Copy the front-end files the pages use from node_modules into webapp/static/vendor.

Run after `npm ci`; the output is committed so Python-only deploys need no Node, and a test checks
that the committed files match the versions locked in package-lock.json. Our BPMN modeller and
viewer (webapp/static/src) are bundled with bpmn-js by esbuild into vendor/bpmn.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.assets import file_digest, hashed_name

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
# Our entry points bundled with bpmn-js, bpmnlint and bpmn-auto-layout: name -> source.
BPMN_SOURCE = ROOT / "webapp" / "static" / "src"
BPMN_BUNDLES = {"workshop-modeller": "modeller.js", "process-viewer": "viewer.js"}
BPMN_ASSETS = ("diagram-js.css", "bpmn-js.css", "bpmn-font/css/bpmn.css", "bpmn-font/font/bpmn.woff2",
               "bpmn-font/font/bpmn.woff")
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
    """@font-face rules in a static file: bootstrap.loadFonts() would need inline styles (CSP). The
    fonts are named by their content hash (webapp/assets.py), so the browser keeps them for a year
    instead of asking again on every page."""
    return "".join(
        f"@font-face{{font-family:'{family}';font-style:{style};font-weight:{weight};font-display:swap;"
        f"src:url('{hashed_name(f'fonts/{path}.woff2', file_digest(TARGET / 'fonts' / f'{path}.woff2'))}') "
        "format('woff2')}\n"
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
    bundle_bpmn()
    build_light()
    # Last: the compressed copies follow whatever the steps above wrote.
    subprocess.run([sys.executable, str(ROOT / "scripts" / "precompress_static.py")], check=True)
    return 0


def bundle_bpmn() -> None:
    """Bundle the modeller and the viewer (IIFE, minified, licences kept at the end of each file) and
    copy bpmn-js's styles and icon font; the bpmn.io watermark stays, as its licence requires."""
    source, target = NODE / "bpmn-js", VENDOR / "bpmn"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    esbuild = NODE / ".bin" / "esbuild"
    for name, entry in BPMN_BUNDLES.items():
        subprocess.run([str(esbuild), str(BPMN_SOURCE / entry), "--bundle", "--minify", "--format=iife",
                        "--target=es2020", "--legal-comments=eof", "--log-level=warning",
                        f"--outfile={target / (name + '.js')}"], check=True, cwd=ROOT)
    for relative in BPMN_ASSETS:
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "dist" / "assets" / relative, destination)
    # Only the woff2/woff faces are shipped: drop the eot/ttf/svg sources from the font's CSS.
    css = target / "bpmn-font" / "css" / "bpmn.css"
    text = css.read_text()
    start, end = text.index("src: url('../font/bpmn.eot"), text.index("font-weight")
    css.write_text(text[:start] + "src: url('../font/bpmn.woff2') format('woff2'),\n"
                   "       url('../font/bpmn.woff') format('woff');\n  " + text[end:])
    shutil.copyfile(source / "LICENSE", target / "LICENSE")
    versions = {package: json.loads((NODE / package / "package.json").read_text())["version"]
                for package in ("bpmn-js", "bpmnlint", "bpmn-auto-layout")}
    (target / "VERSION").write_text(versions["bpmn-js"] + "\n")
    record = {**versions, "sources": sources_digest(BPMN_SOURCE)}
    (target / "VERSIONS.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"bundled bpmn-js {versions['bpmn-js']} with our modeller and viewer into {target.relative_to(ROOT)}")


LIGHT_ENTRY = BPMN_SOURCE / "bootstrap-italia-light.js"
LIGHT_JS = TARGET / "js" / "bootstrap-italia.light.min.js"
LIGHT_CSS = TARGET / "css" / "bootstrap-italia.light.min.css"
LIGHT_SPRITE = TARGET / "svg" / "sprites.light.svg"
# Where icon names can appear: the icon() macro's callers, our scripts.
ICON_SOURCES = ("webapp/templates/**/*.html", "webapp/static/js/*.js", "forms/**/*.py", "webapp/views/**/*.py")


def build_light() -> None:
    """The pages' Bootstrap Italia: only the plugins they use (esbuild from its ES modules), only the
    rules their markup and those plugins need (purgecss), only the icons they name."""
    subprocess.run([str(NODE / ".bin" / "esbuild"), str(LIGHT_ENTRY), "--bundle", "--minify", "--format=iife",
                    "--target=es2020", "--legal-comments=eof", "--log-level=warning", f"--outfile={LIGHT_JS}"],
                   check=True, cwd=ROOT)
    output = TARGET / "purged"
    subprocess.run([str(NODE / ".bin" / "purgecss"), "--config", "scripts/purgecss.config.cjs",
                    "--output", str(output)], check=True, cwd=ROOT)
    # Its source map describes the whole stylesheet, not this one: drop the reference.
    css = (output / "bootstrap-italia.min.css").read_text()
    LIGHT_CSS.write_text(re.sub(r"\n*/\*# sourceMappingURL=[^*]*\*/\s*$", "\n", css))
    (output / "bootstrap-italia.min.css").unlink()
    output.rmdir()
    LIGHT_SPRITE.write_text(reduced_sprite((TARGET / "svg" / "sprites.svg").read_text(), used_icons()))
    sizes = ", ".join(f"{path.name} {path.stat().st_size // 1024} KB" for path in (LIGHT_JS, LIGHT_CSS, LIGHT_SPRITE))
    print(f"built the light Bootstrap Italia: {sizes}")


def used_icons() -> set[str]:
    names: set[str] = set()
    for pattern in ICON_SOURCES:
        for path in ROOT.glob(pattern):
            names.update(re.findall(r"\bit-[a-z0-9-]+", path.read_text()))
    return names


def reduced_sprite(sprite: str, names: set[str]) -> str:
    """The sprite with only the <symbol>s whose id is in names (other tokens such as it-header-... match none)."""
    def keep(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1) in names else ""
    return re.sub(r'<symbol[^>]*\bid="([^"]+)".*?</symbol>', keep, sprite, flags=re.DOTALL)


def sources_digest(folder: Path) -> str:
    """One hash over our bundle sources, so a test can tell a bundle built from older sources."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


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
