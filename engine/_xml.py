"""Reading BPMN/DMN files once, from bytes, with a parser that resolves nothing.

SpiffWorkflow's own `add_bpmn_file` re-reads the file as text with lxml's default parser: entities
are expanded (so they could smuggle elements past our checks) and a Latin-1 or UTF-16 file breaks
its text decoding. Parsing once here and handing the tree over closes both gaps.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from ._errors import DefinitionError, Found, definition_error

MAX_FILE_BYTES = 5 * 1024 * 1024
# Refused before libxml2 sees them, in the encodings a file may declare, so entity tricks get the
# same clear message whatever the parser would have made of them.
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("ascii", "utf-16-le", "utf-16-be"))


def _parser() -> etree.XMLParser:
    # No entity substitution, no DTD loading, no network; huge_tree stays off so libxml2 keeps
    # its own depth and size limits.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, attribute_defaults=False, huge_tree=False,
                           remove_pis=True)


def read_xml(path: Path, file: str | None = None) -> etree._ElementTree:
    """The parsed tree of one file; DefinitionError (naming `file`, default the file's name) for
    anything unreadable or hostile."""
    name = file or path.name

    def fail(message: str) -> DefinitionError:
        return definition_error([(name, Found(None, "", message))])

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"file larger than {MAX_FILE_BYTES} bytes")
    if any(marker in data for marker in _DOCTYPE_MARKERS):
        raise fail("DOCTYPE declarations (DTDs, entities) are not allowed")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise fail(f"not well-formed XML: {exc}") from None
    except (ValueError, LookupError, etree.LxmlError) as exc:  # e.g. an unknown declared encoding
        raise fail(f"cannot parse XML: {exc}") from None
    if root is None:
        raise fail("empty XML document")
    tree = root.getroottree()
    docinfo = tree.docinfo
    # A BPMN file never needs a DTD; entity declarations are how XXE and "billion laughs" start.
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise fail("DOCTYPE declarations (DTDs, entities) are not allowed")
    for node in root.iter(etree.Entity):
        raise fail(f"entity reference {node.text!r} is not allowed")
    return tree


def strip_vendor_extensions(tree: etree._ElementTree, keep: frozenset[str]) -> None:
    """Drop extension elements of other vendors (camunda:, signavio:, ...): they do nothing here,
    and SpiffWorkflow looks nodes up by `id` anywhere in the file, so a vendor element reusing a
    BPMN id would be taken for the task."""
    for extensions in tree.getroot().iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements"):
        for child in list(extensions):
            if not isinstance(child.tag, str) or etree.QName(child).namespace not in keep:
                extensions.remove(child)
