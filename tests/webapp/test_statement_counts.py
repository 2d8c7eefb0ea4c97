"""The fast web path's SQL budget, counted per request (X-SQL-Statements), so it cannot creep back up."""

from __future__ import annotations

from typing import Any

from tests.citizen.helpers import csrf, login
from tests.conftest import REDIS_URL, Api
from tests.webapp.helpers import MARIO, contributo_data

# What each request runs today. Create was 18, then 15, 12, 6; submit 16, then 12, 9. The target is 8 at most
# for each; these are the counts reached, so that anything added is noticed: find what it reads and whether
# the request needs it, before raising a number. An API call with a token reads its tenant and caller in one
# statement.
CREATE_BUDGET = 5  # tenant and caller, service; INSERT application, history, task
# Submit: tenant and caller, application FOR UPDATE; UPDATE tasks; INSERT call, history, the acknowledgement message
# (C.SE.1.2); UPDATE the caller's profile with what the form gave (once only, C.SE.1.5), then the application.
SUBMIT_BUDGET = 8
# A page reads its tenant and the person its session cookie names (while that session is open) in one statement.
FORM_STEP_BUDGET = 2  # tenant with session and citizen; application (its files only when its data names some)
BACKOFFICE_LIST_BUDGET = 4  # tenant with session and operator; page ids with the count, page rows, services


def _statements(response: Any) -> int:
    return int(response.headers["X-SQL-Statements"])


def _counting_app(make_app: Any) -> Any:
    # After-commit work goes to the broker, as in production (eager, the header would count the worker's too).
    return make_app(COUNT_SQL_STATEMENTS=True, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"{REDIS_URL}/5")


def test_create_and_submit_stay_within_their_statement_budget(app: Any, make_app: Any) -> None:
    api = Api(_counting_app(make_app))
    api.token(MARIO)
    for _ in range(2):  # the first pair also loads the process spec and the form into the worker's caches
        created = api.post("/applications", MARIO, json={"service": "contributo", "data": contributo_data()})
        assert created.status_code == 201, created.get_json()
        submitted = api.post(f"/applications/{created.get_json()['id']}/transition/submit", MARIO, json={})
        assert submitted.status_code == 204, submitted.get_json()
    assert _statements(created) <= CREATE_BUDGET and _statements(submitted) <= SUBMIT_BUDGET, (
        f"create ran {_statements(created)} statements (budget {CREATE_BUDGET}), "
        f"submit {_statements(submitted)} (budget {SUBMIT_BUDGET})")


def test_the_created_application_is_answered_in_full_without_reading_it_again(app: Any, make_app: Any) -> None:
    """The response is built from what the request wrote: the same fields a later GET reads."""
    api = Api(_counting_app(make_app))
    created = api.post("/applications", MARIO, json={"service": "contributo", "data": contributo_data()})
    assert created.status_code == 201, created.get_json()
    again = api.get(f"/applications/{created.get_json()['id']}", MARIO)
    assert again.status_code == 200
    assert created.get_json() == again.get_json()


def test_form_step_and_backoffice_list_stay_within_their_statement_budget(app: Any, make_app: Any) -> None:
    counting = _counting_app(make_app)
    api = Api(counting)
    draft = api.post("/applications", MARIO, json={"service": "contributo", "data": {}}).get_json()["id"]
    citizen = counting.test_client()
    assert login(citizen).status_code in (302, 303)
    step = citizen.get(f"/demo/pratiche/{draft}/riprendi").headers["Location"]
    operator = counting.test_client()
    token = csrf(operator, "/demo/backoffice/login")
    assert operator.post("/demo/backoffice/login", data={"username": "operatore", "password": "demo",
                                                         "csrf_token": token}).status_code == 302
    for _ in range(2):
        page = citizen.get(step)
        listed = operator.get("/demo/backoffice/pratiche")
    assert page.status_code == 200 and listed.status_code == 200
    assert _statements(page) <= FORM_STEP_BUDGET and _statements(listed) <= BACKOFFICE_LIST_BUDGET, (
        f"form step ran {_statements(page)} statements (budget {FORM_STEP_BUDGET}), "
        f"back-office list {_statements(listed)} (budget {BACKOFFICE_LIST_BUDGET})")
