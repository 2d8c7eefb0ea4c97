"""English is available for every text the pages, e-mails and labels show: the catalogue covers every
message Babel extracts (as the README's extraction command does)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("webapp/**.py", "python"), ("webapp/templates/**.html", "jinja2"), ("webapp/templates/**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None}


def test_every_extracted_text_has_its_english_translation() -> None:
    extracted = {message if isinstance(message, str) else message[0]
                 for _file, _line, message, _comments, _context in extract_from_dir(
                     str(ROOT), method_map=METHODS, keywords=KEYWORDS)}
    with (ROOT / "webapp/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and not m.fuzzy}
    missing = sorted(text for text in extracted if text and text not in translated)
    assert not missing, f"{len(missing)} texts without English: {missing[:10]}"
