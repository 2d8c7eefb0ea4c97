"""The deployment check's fixtures: the CLI app and a throwaway certificate authority, shared by the HTTPS
and services-host criteria."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.agid.tls_servers import Pki, make_cli_app, make_pki


@pytest.fixture(scope="module")
def cli_app(database_url: str, storage_dir: Path) -> Flask:
    return make_cli_app(database_url, storage_dir)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))
