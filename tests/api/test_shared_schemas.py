"""The API's schemas are built once per process and shared by the request threads: what one request's answer
is told (the caller's links, whether staff) never shows in another's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from tests.conftest import Api
from tests.webapp.helpers import MARIO, submitted
from webapp.api.schemas import ApplicationSchema, shared


def _links(api: Api, app_id: str, user: str) -> tuple[str, ...]:
    answer = api.get(f"/applications/{app_id}", user)
    assert answer.status_code == 200, answer.get_json()
    return tuple(link["action"] for link in answer.get_json()["links"])


def test_one_instance_per_schema_and_shape() -> None:
    assert shared(ApplicationSchema) is shared(ApplicationSchema)
    assert shared(ApplicationSchema, many=True) is not shared(ApplicationSchema)
    assert shared(ApplicationSchema, many=True).many and not shared(ApplicationSchema).many


def test_concurrent_answers_keep_their_own_callers_links(app: Flask, api: Api) -> None:
    app_id = submitted(api, "contributo")
    expected = {user: _links(api, app_id, user) for user in (MARIO, "operatore")}
    assert expected[MARIO] != expected["operatore"]  # a citizen and an operator may do different things
    callers = [MARIO, "operatore"] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda user: (user, _links(api, app_id, user)), callers))
    assert all(links == expected[user] for user, links in answers)
