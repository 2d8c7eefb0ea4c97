"""What every page shares: the icon, the parent body in the slim header (the ente's setting, nothing
when unset), and a citizen home page without blocks meant for developers."""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html

from tests.webapp.test_assets import ROOT
from webapp.extensions import db
from webapp.models import Tenant
from webapp.services.common.uow import unit_of_work


def _page(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    return lxml_html.fromstring(response.get_data(as_text=True))


def _parent_body(client: Any) -> list[tuple[str, str | None]]:
    return [(element.text_content().strip(), element.get("href"))
            for element in _page(client, "/demo/").xpath(
                "//div[contains(@class, 'it-header-slim-wrapper-content')]/*[contains(@class, 'navbar-brand')]")]


def test_every_page_declares_an_icon_that_is_served(app) -> None:
    client = app.test_client()
    icons = {url: _page(client, url).xpath("//head/link[@rel='icon']/@href")
             for url in ("/", "/demo/", "/demo/servizi", "/demo/backoffice/login")}
    assert all(found == icons["/"] for found in icons.values()) and len(icons["/"]) == 1, icons
    with client.get(icons["/"][0]) as served:
        assert served.status_code == 200
        assert served.mimetype == "image/svg+xml" and served.data.lstrip().startswith(b"<!--")


def test_the_slim_header_links_the_parent_body_set_by_the_ente(app) -> None:
    client = app.test_client()
    assert _parent_body(client) == [("Regione Lazio", "https://www.regione.lazio.it")]  # the demo ente's
    _set_parent(app, name="Provincia di Esempio", url=None)
    assert _parent_body(client) == [("Provincia di Esempio", None)]  # a name alone is no link
    _set_parent(app, name=None, url=None)
    assert _parent_body(client) == []  # nothing rather than a placeholder
    assert "Regione" not in client.get("/demo/").get_data(as_text=True)


def _set_parent(app: Any, name: str | None, url: str | None) -> None:
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        chosen = {key: value for key, value in (("parent_name", name), ("parent_url", url)) if value}
        others = {key: value for key, value in tenant.settings.items() if key not in ("parent_name", "parent_url")}
        tenant.settings = {**others, **chosen}


def test_the_citizen_home_page_leaves_the_api_to_the_readme(app) -> None:
    client = app.test_client()
    home = client.get("/demo/").get_data(as_text=True)
    assert "Servizi online" in home
    assert "openapi" not in home.lower() and "API" not in _page(client, "/demo/").xpath("string(//main)")
    assert client.get("/demo/api/openapi.json").status_code == 200
    assert "`/<tenant>/api/openapi.json`" in (ROOT / "README.md").read_text()
