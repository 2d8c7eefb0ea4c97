"""The submission path's SQL budget, counted per request (X-SQL-Statements), so it cannot creep back up."""

from __future__ import annotations

from typing import Any

from tests.conftest import REDIS_URL, Api
from tests.webapp.helpers import MARIO, contributo_data

# What each request of a full submission runs today (create was 18, then 15; submit 16). The goal is 8
# each: lower these as the path gets leaner; past them the path has grown, so find what was added.
# Submit writes the applicant's profile too (one UPDATE of users): what it gave, the ente holds (once only).
CREATE_BUDGET = 12
SUBMIT_BUDGET = 13


def _statements(response: Any) -> int:
    return int(response.headers["X-SQL-Statements"])


def test_create_and_submit_stay_within_their_statement_budget(app: Any, make_app: Any) -> None:
    # After-commit work goes to the broker, as in production (eager, the header would count the worker's too).
    api = Api(make_app(COUNT_SQL_STATEMENTS=True, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"{REDIS_URL}/5"))
    api.token(MARIO)
    created = api.post("/applications", MARIO, json={"service": "contributo", "data": contributo_data()})
    assert created.status_code == 201, created.get_json()
    submitted = api.post(f"/applications/{created.get_json()['id']}/transition/submit", MARIO, json={})
    assert submitted.status_code == 204, submitted.get_json()
    assert _statements(created) <= CREATE_BUDGET and _statements(submitted) <= SUBMIT_BUDGET, (
        f"create ran {_statements(created)} statements (budget {CREATE_BUDGET}), "
        f"submit {_statements(submitted)} (budget {SUBMIT_BUDGET})")
