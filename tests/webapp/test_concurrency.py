"""Two operators pressing "Prendi in carico" at once: exactly one wins, every time."""

from __future__ import annotations

import threading

from tests.webapp.helpers import submitted

ROUNDS = 20


def test_concurrent_assign_exactly_one_wins(app, api):
    operators = ("operatore", "manager")
    tokens = {user: api.token(user) for user in operators}
    for _ in range(ROUNDS):
        app_id = submitted(api, "contributo")
        barrier = threading.Barrier(len(operators))
        results: dict[str, tuple[int, dict | None]] = {}

        def take(user: str, app_id: str = app_id, barrier: threading.Barrier = barrier,
                 results: dict = results) -> None:
            client = app.test_client()  # one client (and connection) per thread
            barrier.wait()
            response = client.post(f"/demo/api/applications/{app_id}/transition/assign", json={},
                                   headers={"Authorization": f"Bearer {tokens[user]}"})
            results[user] = (response.status_code, response.get_json(silent=True))

        threads = [threading.Thread(target=take, args=(user,)) for user in operators]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        codes = sorted(code for code, _ in results.values())
        assert codes == [204, 409], results
        loser = next(body for code, body in results.values() if code == 409)
        assert loser["status"] == 409 and loser["description"]
        winner = next(user for user, (code, _) in results.items() if code == 204)
        detail = api.get(f"/applications/{app_id}", "admin").get_json()
        assert detail["status"] == "4000"
        assert detail["operator"] == {"operatore": "Olivia Operatrice", "manager": "Maria Manager"}[winner]
        events = [h["event"] for h in api.get(f"/applications/{app_id}/history", "admin").get_json()]
        assert events.count("assigned") == 1
