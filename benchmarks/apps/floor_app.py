"""The floor of the HTTP benchmark: one JSON row inserted and committed, through psycopg-pool."""

from __future__ import annotations

import json
import os

from flask import Flask, request
from psycopg_pool import ConnectionPool

app = Flask(__name__)
pool = ConnectionPool(os.environ["FLOOR_DSN"], min_size=1, max_size=int(os.environ.get("WEB_THREADS", "1")),
                      open=True)


@app.post("/rows")
def insert() -> tuple[dict[str, bool], int]:
    with pool.connection() as conn:
        conn.execute("INSERT INTO floor_rows (data) VALUES (%s)", (json.dumps(request.get_json()),))
    return {"ok": True}, 201


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
