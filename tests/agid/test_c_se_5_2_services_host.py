"""C.SE.5.2, services subdomain: "Services are served from `servizi.<comune domain>`."
Check (ui.md §4): *Deployment configuration; no absolute hostnames in templates.*

The deployment check (`flask check-deployment URL`) fails a host that is not servizi.<domain>, and passes
one that is (test_c_se_5_1_https covers the rest of that command). The site itself names no host: no
template carries an absolute address of its own, and the pages a citizen visits link to the site by paths
only, so the same installation answers on whatever servizi. host the ente gives it."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.agid.tls_servers import Pki, failed, run_check
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from webapp.services.deployment import Target, check_deployment

TEMPLATES = Path(__file__).resolve().parents[2] / "webapp" / "templates"
ABSOLUTE = re.compile(r"""(?:https?:)?//[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?""")
# Other organisations' pages a template may link to (information for the citizen), never the site's own.
OUTSIDE = frozenset({"www.spid.gov.it"})


def test_c_se_5_2_a_host_outside_servizi_fails(cli_app: Flask, pki: Pki) -> None:
    code, lines, output = run_check(cli_app, pki, host="www.comune.test")
    assert code == 1
    assert failed(lines) == ["Sottodominio servizi."], output
    assert "servizi.<dominio dell'ente>" in lines["Sottodominio servizi."][1]
    assert "www.comune.test" in lines["Sottodominio servizi."][1]


@pytest.mark.parametrize(("url", "ok"), [("https://servizi.comune.esempio.it/", True),
                                         ("https://servizi.comune.it/demo/", True),
                                         ("https://servizi/", False), ("https://comune.it/servizi/", False),
                                         ("https://servizi-online.comune.it/", False),
                                         ("https://www.servizi.comune.it/", False)])
def test_c_se_5_2_only_the_servizi_subdomain_passes(url: str, ok: bool) -> None:
    host_check = check_deployment(Target(url, address="127.0.0.1", http_port=9, timeout=0.5))[1]
    assert host_check.name == "Sottodominio servizi." and host_check.ok is ok, host_check


def _absolute_addresses() -> list[tuple[str, str]]:
    found = []
    for template in sorted(TEMPLATES.rglob("*")):
        if template.is_file() and template.suffix in (".html", ".txt", ".xml", ".svg"):
            text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)  # comments aside
            found += [(template.relative_to(TEMPLATES).as_posix(), m.group(0)) for m in ABSOLUTE.finditer(text)
                      if "xmlns" not in text[max(0, m.start() - 12):m.start()]]
    return found


def test_c_se_5_2_no_template_names_a_host_of_its_own() -> None:
    addresses = _absolute_addresses()
    assert addresses, "the scan finds nothing at all: it is broken"  # the SPID information link is one
    own = [(name, address) for name, address in addresses if urlsplit(address).hostname not in OUTSIDE]
    assert not own, f"absolute addresses in templates (use url_for or a relative path): {own}"


def test_c_se_5_2_the_scan_finds_an_absolute_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "page.html").write_text('<a href="https://servizi.comune.it/demo/">x</a>{# https://ignored #}')
    monkeypatch.setattr(f"{__name__}.TEMPLATES", tmp_path)
    assert _absolute_addresses() == [("page.html", "https://servizi.comune.it")]


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize("path", ["/demo/", "/demo/servizi", "/demo/servizi/contributo", "/demo/privacy",
                                  "/demo/prenota-appuntamento"])
def test_c_se_5_2_pages_reach_the_site_by_path_only(live_server: str, page, path: str) -> None:
    page.goto(live_server + path)
    assert_accessible(page)
    own_host = urlsplit(live_server).netloc
    attributes = page.eval_on_selector_all(
        "[href], [src], [action]",
        "els => els.flatMap(e => ['href', 'src', 'action'].filter(a => e.hasAttribute(a)).map(a => e.getAttribute(a)))")
    assert attributes
    absolute = [value for value in attributes if own_host in value or value.startswith("//")]
    assert not absolute, f"{path} names its own host: {absolute}"
