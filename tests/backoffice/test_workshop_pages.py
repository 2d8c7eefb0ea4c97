"""Gestione servizi in the back office: the list, a new service, texts and options, publishing with a
confirmation, versions and their differences, rollback, archiving, zip export and import, and who may
see or change what."""

from __future__ import annotations

import io
import re
from typing import Any

from tests.backoffice.conftest import csrf, logged_in
from tests.webapp.helpers import MARIO, contributo_data, create
from tests.workshop.helpers import unzip, zip_of
from webapp.extensions import db
from webapp.models import Service, ServiceDraft, ServiceVersion

BASE = "/demo/backoffice/gestione-servizi/"


def _new(client: Any, **form: str) -> Any:
    token = csrf(client, BASE + "nuovo")
    return client.post(BASE + "nuovo", data={"csrf_token": token, "start": "blank", **form})


def _publish(client: Any, slug: str) -> Any:
    token = csrf(client, BASE + f"{slug}/")
    return client.post(BASE + f"{slug}/pubblica", data={"csrf_token": token, "confirm": "1"})


def _settings(client: Any, slug: str, **changes: str) -> Any:
    page = client.get(BASE + f"{slug}/").get_data(as_text=True)
    token = csrf(client, BASE + f"{slug}/")
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "revision": revision, "title": "Passo carrabile", "allow_withdraw": "on",
            "payment": "none", "protocol_handler": "builtin", "text_description": "Permesso per il passo carrabile.",
            **changes}
    return client.post(BASE + f"{slug}/", data=form)


def _versions(app: Any, slug: str) -> list[int]:
    with app.app_context():
        query = (db.select(ServiceVersion.version).join(Service, Service.id == ServiceVersion.service_id)
                 .where(Service.slug == slug).order_by(ServiceVersion.version))
        return list(db.session.scalars(query))


def test_the_list_shows_each_service_with_its_state_and_version(app):
    client = logged_in(app, "admin")
    html = client.get(BASE).get_data(as_text=True)
    assert "Gestione servizi" in html and "Occupazione temporanea di suolo pubblico" in html
    assert "Pubblicato" in html and "Nuovo servizio" in html and "Importa" in html
    assert 'href="/demo/backoffice/gestione-servizi/"' in client.get("/demo/backoffice/pratiche").get_data(as_text=True)


def test_a_new_blank_service_is_a_draft_until_published_then_citizens_see_it(app, api):
    client = logged_in(app, "admin")
    created = _new(client, title="Passo carrabile", slug="passo-carrabile", category="Mobilità e trasporti")
    assert created.status_code == 302 and created.headers["Location"].endswith("/passo-carrabile/")
    page = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    assert "Bozza" in page and "Mai pubblicato" in page and "La bozza si carica senza errori." in page
    assert "passo-carrabile" not in {s["slug"] for s in api.get("/services").get_json()}
    assert _publish(client, "passo-carrabile").status_code == 302
    assert _versions(app, "passo-carrabile") == [1]
    assert "passo-carrabile" in {s["slug"] for s in api.get("/services").get_json()}
    again = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    assert "Versione in uso: 1." in again
    republish = _publish(client, "passo-carrabile")
    assert "Nessuna modifica rispetto alla versione 1" in client.get(republish.headers["Location"]).get_data(
        as_text=True)


def test_new_service_errors_are_shown_at_their_fields(app):
    client = logged_in(app, "admin")
    bad = _new(client, title="X", slug="Non Valido")
    assert bad.status_code == 400 and "lettere minuscole" in bad.get_data(as_text=True)
    taken = _new(client, title="Doppione", slug="contributo")
    assert taken.status_code == 400 and "Esiste già un servizio" in taken.get_data(as_text=True)


def test_texts_and_options_are_saved_to_the_draft_and_published_with_a_readable_difference(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    _publish(client, "passo-carrabile")
    saved = _settings(client, "passo-carrabile", stamps="on", payment="request", payment_amount="16,00",
                      payment_expiry="30")
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    page = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    assert "Modifiche non pubblicate" in page and 'value="16,00"' in page
    _publish(client, "passo-carrabile")
    assert _versions(app, "passo-carrabile") == [1, 2]
    diff = client.get(BASE + "passo-carrabile/versioni/2").get_data(as_text=True)
    assert "Cosa cambia rispetto alla versione 1" in diff
    assert "Opzione: payment_amount" in diff and "1600" in diff and "Testo: Descrizione" in diff
    assert "service.yaml" in diff


def test_wrong_option_values_get_field_errors_and_change_nothing(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    before = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    response = _settings(client, "passo-carrabile", payment="request", payment_amount="sedici", payment_expiry="0")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Importo non valido" in html and "numero di giorni" in html
    assert 'href="#payment_amount"' in html
    assert "Permesso per il passo carrabile." not in before  # nothing was stored


def test_a_stale_save_is_refused(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    token = csrf(client, BASE + "passo-carrabile/")
    response = client.post(BASE + "passo-carrabile/", data={"csrf_token": token, "revision": "0", "title": "Altro",
                                                            "payment": "none"})
    assert response.status_code == 400 and "Qualcuno ha salvato" in response.get_data(as_text=True)


def test_a_broken_draft_lists_its_problems_and_is_not_published(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    with app.app_context():
        draft = db.session.scalar(db.select(ServiceDraft).join(Service).where(Service.slug == "passo-carrabile"))
        draft.files = {**draft.files, "process.bpmn": draft.files["process.bpmn"].replace(
            '<spiffworkflow:property name="form" value="esito" />', "")}
        db.session.commit()
    page = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    assert "La bozza ha 1 problema" in page and "<code>ut_outcome</code>" in page
    published = _publish(client, "passo-carrabile")
    assert "Non pubblicato" in client.get(published.headers["Location"]).get_data(as_text=True)
    assert _versions(app, "passo-carrabile") == []


def test_rollback_republishes_an_old_version_as_a_new_one(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    _publish(client, "passo-carrabile")
    _settings(client, "passo-carrabile", title="Passo carrabile (nuovo)")
    _publish(client, "passo-carrabile")
    asked = client.get(BASE + "passo-carrabile/versioni/1/ripristina")
    assert asked.status_code == 200 and "le modifiche non pubblicate della bozza si perdono" in asked.get_data(
        as_text=True)
    assert _versions(app, "passo-carrabile") == [1, 2]  # asking is not doing
    token = csrf(client, BASE + "passo-carrabile/")
    client.post(BASE + "passo-carrabile/versioni/1/ripristina", data={"csrf_token": token, "confirm": "1"})
    assert _versions(app, "passo-carrabile") == [1, 2, 3]
    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.slug == "passo-carrabile"))
        assert (service.current_version.version, service.name) == (3, "Passo carrabile")


def test_archiving_stops_new_applications_but_not_the_running_ones(app, api):
    running = create(api, "contributo", contributo_data())["id"]
    client = logged_in(app, "admin")
    token = csrf(client, BASE + "contributo/")
    client.post(BASE + "contributo/archivio", data={"csrf_token": token, "confirm": "1", "archived": "1"})
    assert "contributo" not in {s["slug"] for s in api.get("/services").get_json()}
    refused = api.post("/applications", MARIO, json={"service": "contributo", "data": contributo_data()})
    assert refused.status_code == 409 and "archiviato" in refused.get_json()["description"]
    assert api.get(f"/applications/{running}", MARIO).status_code == 200
    client.post(BASE + "contributo/archivio", data={"csrf_token": token, "confirm": "1", "archived": "0"})
    assert "contributo" in {s["slug"] for s in api.get("/services").get_json()}


def test_export_and_import_through_the_pages(app):
    client = logged_in(app, "admin")
    exported = client.get(BASE + "contributo/esporta")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    files = unzip(exported.data)
    renamed = {k.replace("contributo/", "copia/", 1): v for k, v in files.items()}
    renamed["copia/service.yaml"] = renamed["copia/service.yaml"].replace("slug: contributo", "slug: copia-contributo")
    token = csrf(client, BASE)
    imported = client.post(BASE + "importa", data={"csrf_token": token, "file": (io.BytesIO(zip_of(renamed)),
                                                                                  "copia.zip")},
                           content_type="multipart/form-data")
    assert imported.status_code == 302 and imported.headers["Location"].endswith("/copia-contributo/")
    broken = dict(renamed, **{"copia/process.bpmn": "<not-bpmn"})
    failed = client.post(BASE + "importa", data={"csrf_token": token, "file": (io.BytesIO(zip_of(broken)), "x.zip")},
                         content_type="multipart/form-data")
    assert failed.status_code == 422 and "Importazione non riuscita" in failed.get_data(as_text=True)


def test_managers_look_operators_are_not_told(app):
    manager = logged_in(app, "manager")
    html = manager.get(BASE + "contributo/").get_data(as_text=True)
    assert "Pubblica la bozza" not in html and "<fieldset disabled>" in html
    assert manager.get(BASE + "nuovo").status_code == 403
    token = csrf(manager, BASE)
    assert manager.post(BASE + "contributo/pubblica", data={"csrf_token": token, "confirm": "1"}).status_code == 403
    operator = logged_in(app, "operatore")
    assert operator.get(BASE).status_code == 404
    assert operator.get(BASE + "contributo/").status_code == 404
    assert "gestione-servizi" not in operator.get("/demo/backoffice/pratiche").get_data(as_text=True)


def test_posts_without_csrf_are_refused(app):
    client = logged_in(app, "admin")
    assert client.post(BASE + "contributo/pubblica", data={"confirm": "1"}).status_code == 400


def _add_form(client: Any, slug: str, **form: str) -> Any:
    page = client.get(BASE + f"{slug}/").get_data(as_text=True)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return client.post(BASE + f"{slug}/moduli", data={"csrf_token": csrf(client, BASE + f"{slug}/"),
                                                      "revision": revision, **form})


def test_a_new_form_is_added_to_the_draft_for_a_task_of_the_process(app):
    client = logged_in(app, "admin")
    _new(client, title="Passo carrabile", slug="passo-carrabile")
    added = _add_form(client, "passo-carrabile", form_ref="parere_tecnico", form_title="Parere dell'Ufficio Tecnico")
    assert added.status_code == 302 and added.headers["Location"].endswith("/passo-carrabile/moduli/parere_tecnico")
    with app.app_context():
        draft = db.session.scalar(db.select(ServiceDraft).join(Service).where(Service.slug == "passo-carrabile"))
        assert "parere_tecnico: forms/parere_tecnico.json" in draft.files["service.yaml"]
        assert '"title": "Parere dell\'Ufficio Tecnico"' in draft.files["forms/parere_tecnico.json"]
    page = client.get(BASE + "passo-carrabile/").get_data(as_text=True)
    assert "La bozza si carica senza errori." in page and "forms/parere_tecnico.json" in page
    assert client.get(added.headers["Location"]).status_code == 200  # the form editor opens it
    for ref, message in (("esito", "percorso standard"), ("parere_tecnico", "ha già un modulo"),
                         ("Parere", "lettere minuscole")):
        refused = _add_form(client, "passo-carrabile", form_ref=ref, form_title="Altro")
        assert refused.status_code == 302
        assert message in client.get(refused.headers["Location"]).get_data(as_text=True)
    manager = logged_in(app, "manager")
    assert "Aggiungi il modulo" not in manager.get(BASE + "passo-carrabile/").get_data(as_text=True)
    token = csrf(manager, BASE)
    assert manager.post(BASE + "passo-carrabile/moduli", data={"csrf_token": token, "form_ref": "altro",
                                                              "form_title": "Altro"}).status_code == 403
