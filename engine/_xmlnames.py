"""Namespaces and small helpers shared by the XML checks."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
OMG_PREFIX = "http://www.omg.org/spec/"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


def local(el: etree._Element) -> str:
    return str(etree.QName(el).localname)


def element_name(el: etree._Element) -> str:
    """How refusals name an element: its id, else its tag and the id of the nearest ancestor."""
    ident = el.get("id")
    if ident:
        return f"element {ident!r}"
    parent = el.getparent()
    while parent is not None and not parent.get("id"):
        parent = parent.getparent()
    inside = f" in {parent.get('id')!r}" if parent is not None else ""
    return f"element <{local(el)}>{inside}"


def element_id(el: etree._Element) -> str | None:
    """The id a problem is shown on: the element's own, else that of its nearest ancestor (not
    the <definitions> root, which is no diagram element)."""
    while el is not None and local(el) != "definitions":
        ident = el.get("id")
        if ident:
            return str(ident)
        el = el.getparent()
    return None


def properties(element: etree._Element) -> dict[str, str]:
    props = element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
                          namespaces=NS)
    return {p.get("name"): p.get("value", "") for p in props}
