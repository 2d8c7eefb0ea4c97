"""A service with its own process: the citizen follows its steps as a plain timeline with the service's
own status labels, and never sees the diagram."""

from __future__ import annotations

import re

from tests.api.test_own_services import _occupazione
from tests.citizen.helpers import login


def test_the_citizen_reads_the_steps_with_the_service_s_own_labels_not_the_diagram(app, api):
    app_id = _occupazione(api)
    client = app.test_client()
    login(client)
    html = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "In attesa di pareri" in text  # the service's own status, by its label
    assert "4600" not in text
    assert "data-process-viewer" not in html and "processo.bpmn" not in html
