"""The process's own tasks on the back office's pages: the Attività inbox, the task form on the
application's page, field errors in Italian next to their fields, and the Italian labels."""

from __future__ import annotations

import html
import uuid

from tests.backoffice.conftest import TOKEN, VERSION, logged_in
from tests.webapp.process_tasks import submitted as _submitted
from tests.webapp.process_tasks import tasks as _tasks
from webapp.extensions import db
from webapp.models import ProcessTask


def test_the_inbox_lists_the_office_s_work_and_links_to_it(app, api, pareri):
    app_id = _submitted(api, 80)
    page = html.unescape(logged_in(app, "tecnico").get("/demo/backoffice/attivita").get_data(as_text=True))
    assert "Parere tecnico" in page and "Sopralluogo" not in page
    assert f"/demo/backoffice/pratiche/{app_id}/attivita/" in page and "meno di un'ora" in page
    police = html.unescape(logged_in(app, "vigile").get("/demo/backoffice/attivita").get_data(as_text=True))
    assert "Sopralluogo della Polizia Locale" in police and "Parere tecnico" not in police
    empty = html.unescape(logged_in(app, "scuola").get("/demo/backoffice/attivita").get_data(as_text=True))
    assert "Nessuna attività" in empty


def test_the_task_form_on_the_page_refuses_bad_data_in_words_and_then_completes(app, api, pareri):
    app_id = _submitted(api, 20)
    [task] = _tasks(api, app_id, "tecnico")
    client = logged_in(app, "tecnico")
    detail = html.unescape(client.get(f"/demo/backoffice/pratiche/{app_id}").get_data(as_text=True))
    assert "Attività da svolgere" in detail and "Parere tecnico" in detail
    assert "In attesa di pareri" in detail  # the service's own status label, never its code alone
    token, version = TOKEN.search(detail).group(1), VERSION.search(detail).group(1)  # type: ignore[union-attr]
    url = f"/demo/backoffice/pratiche/{app_id}/attivita/{task['id']}"
    refused = client.post(url, data={"csrf_token": token, "version": version, "esito": "favorevole",
                                     "motivazione": "no"})
    assert refused.status_code == 422
    body = html.unescape(refused.get_data(as_text=True))
    assert "Correggi gli errori" in body and 'id="f-motivazione-error"' in body
    with app.app_context():
        assert db.session.get(ProcessTask, uuid.UUID(task["id"])).state == "ready"
    done = client.post(url, data={"csrf_token": token, "version": version, "esito": "favorevole",
                                  "motivazione": "Conforme al regolamento"})
    assert done.status_code == 302
    assert "Attività completata." in html.unescape(client.get(done.headers["Location"]).get_data(as_text=True))
    assert [t["name"] for t in _tasks(api, app_id, "tecnico")] == ["ut_decisione"]  # the handling office's now


def test_a_task_of_another_office_is_not_found(app, api, pareri):
    app_id = _submitted(api, 80)
    sopralluogo = next(t for t in _tasks(api, app_id, "manager") if t["name"] == "ut_sopralluogo")
    client = logged_in(app, "tecnico")
    assert client.get(f"/demo/backoffice/pratiche/{app_id}/attivita/{sopralluogo['id']}").status_code == 404
