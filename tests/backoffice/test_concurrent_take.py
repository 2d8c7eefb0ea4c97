"""Two operators press "Prendi in carico" at once on the back-office pages: one wins, the other is told who."""

from __future__ import annotations

import threading

from tests.backoffice.conftest import TOKEN, VERSION, logged_in
from tests.webapp.helpers import submitted

ROUNDS = 5
NAMES = {"operatore": "Olivia Operatrice", "manager": "Maria Manager"}


def test_concurrent_take_in_charge_through_the_pages(app, api):
    clients = {user: logged_in(app, user) for user in NAMES}
    for _ in range(ROUNDS):
        app_id = submitted(api, "contributo")
        path = f"/demo/backoffice/pratiche/{app_id}"
        forms = {}
        for user, client in clients.items():
            html = client.get(path).get_data(as_text=True)
            forms[user] = {"csrf_token": TOKEN.search(html).group(1), "version": VERSION.search(html).group(1)}
        barrier = threading.Barrier(len(clients))
        codes: dict[str, int] = {}

        def take(user: str, app_id: str = app_id, barrier: threading.Barrier = barrier,
                 codes: dict[str, int] = codes, forms: dict = forms) -> None:
            barrier.wait()
            response = clients[user].post(f"/demo/backoffice/pratiche/{app_id}/azioni/take", data=forms[user])
            codes[user] = response.status_code

        threads = [threading.Thread(target=take, args=(user,)) for user in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert codes == {"operatore": 302, "manager": 302}
        detail = api.get(f"/applications/{app_id}", "admin").get_json()
        winner = next(user for user, name in NAMES.items() if name == detail["operator"])
        loser = next(user for user in NAMES if user != winner)
        assert "Pratica presa in carico." in clients[winner].get(path).get_data(as_text=True)
        told = clients[loser].get(path).get_data(as_text=True)
        assert f"{NAMES[winner]} ha eseguito «presa in carico»" in told, told[told.find("alert"):][:400]
        assert "in carico a " + NAMES[winner] in told
        events = [h["event"] for h in api.get(f"/applications/{app_id}/history", "admin").get_json()]
        assert events.count("assigned") == 1
