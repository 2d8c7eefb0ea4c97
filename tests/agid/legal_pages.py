"""What the privacy (C.SE.3.3) and accessibility (C.SE.3.2) criterion tests share: following a footer link as the
checker does, a new ente made by the command line, and the demo ente's settings changed or texts removed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from tests.conftest import assert_accessible
from webapp.extensions import db
from webapp.models import Tenant
from webapp.services.common.uow import unit_of_work

NEW_ENTE = ["--slug", "comune-nuovo", "--name", "Comune di Nuovo Borgo", "--fiscal-code", "80014890638",
            "--ipa-code", "c_n001"]


def follow_footer_link(page: Any, live_server: str, start: str, element: str, tenant: str = "demo") -> str:
    """Open `start`, read the footer link carrying `data-element`, check it is the ente's own (under its
    address), follow it; the text of the page it leads to (accessible, answering 200)."""
    page.goto(live_server + start)
    assert_accessible(page)
    link = page.locator(f'footer [data-element="{element}"]')
    assert link.count() == 1, f"{start}: no footer link {element}"
    href = link.get_attribute("href")
    assert href and urlsplit(href).path.startswith(f"/{tenant}/"), href
    with page.expect_navigation():
        link.click()
    response = page.context.request.get(page.url)
    assert response.status == 200, page.url
    assert_accessible(page)
    return str(page.locator("main").inner_text())


def create_ente(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["create-tenant", *NEW_ENTE])
    assert result.exit_code == 0, result.output


def demo_settings(app: Flask, *removed: str, **values: Any) -> None:
    """Change the demo ente's settings straight in the database: `removed` keys dropped, `values` set."""
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        settings = {key: value for key, value in tenant.settings.items() if key not in removed}
        tenant.settings = {**settings, **values}


def demo_setting(app: Flask, key: str) -> Any:
    with app.app_context():
        return db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo")).setting(key)
