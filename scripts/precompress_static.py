"""Write the gzip and brotli copies of the compressible static files into webapp/static/precompressed.

Each copy is named after its original's content hash (webapp/assets.py serves it for that hashed
name), so an original edited without re-running this script is served uncompressed, never stale;
tests/webapp/test_assets.py fails until the copies are rewritten. Copies of files that no longer
exist, or of older contents, are removed. gzip comes from the standard library (mtime 0, so the output
only changes when the input does); brotli from Node's zlib, since Node builds the bundles anyway and
Python would need another binding for it.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.assets import COMPRESSIBLE, PRECOMPRESSED, precompressed_path, scan  # noqa: E402

STATIC = ROOT / "webapp" / "static"
BROTLI = ("const z=require('zlib');process.stdout.write(z.brotliCompressSync(require('fs').readFileSync(0),"
          "{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,[z.constants.BROTLI_PARAM_MODE]:z.constants.BROTLI_MODE_TEXT}}))")


def brotli(data: bytes) -> bytes:
    return subprocess.run(["node", "-e", BROTLI], input=data, capture_output=True, check=True).stdout


def main() -> int:
    target = STATIC / PRECOMPRESSED
    wanted: set[Path] = set()
    for asset in scan(STATIC):
        if not asset.path.endswith(COMPRESSIBLE):
            continue
        data = (STATIC / asset.path).read_bytes()
        for suffix, compress in ((".gz", lambda raw: gzip.compress(raw, 9, mtime=0)), (".br", brotli)):
            path = precompressed_path(STATIC, asset, suffix)
            wanted.add(path)
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(compress(data))
    for path in sorted(target.rglob("*")) if target.is_dir() else []:
        if path.is_file() and path not in wanted:
            path.unlink()
    for folder in sorted(target.rglob("*"), reverse=True) if target.is_dir() else []:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    print(f"{len(wanted)} precompressed files in {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    shutil.which("node") or sys.exit("node is needed for brotli")
    raise SystemExit(main())
