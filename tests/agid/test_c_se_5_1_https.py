"""C.SE.5.1, HTTPS: "The certificate is valid and the TLS configuration follows AgID's TLS recommendations."
Check (ui.md §4): *Deployment check.*

`flask check-deployment URL` is that check, run here against throwaway HTTPS servers on loopback with
certificates of a test CA (--ca-file): a well configured one passes every line; each misconfiguration AgID's
recommendations rule out (TLS 1.0/1.1, weak ciphers, no or short HSTS, no redirect from HTTP, an unknown CA,
a certificate for another name or about to expire, nothing listening) fails its own line, in Italian, with
the reason, and the command exits 1."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.agid.tls_servers import HOST, STRONG, Pki, failed, lines_of, make_pki, run_check


def test_c_se_5_1_a_well_configured_server_passes_every_check(cli_app: Flask, pki: Pki) -> None:
    code, lines, output = run_check(cli_app, pki)
    assert code == 0, output
    assert set(lines) == {"Indirizzo HTTPS", "Sottodominio servizi.", "Certificato valido",
                          "Scadenza del certificato", "Versioni di TLS", "Cifrari", "HSTS", "Redirect da HTTP"}
    assert not failed(lines), output
    assert "TLS 1.0 e 1.1 rifiutati" in lines["Versioni di TLS"][1]
    assert "AEAD" in lines["Cifrari"][1] and "max-age di 365 giorni" in lines["HSTS"][1]
    assert "Tutte le 8 verifiche superate." in output


def test_c_se_5_1_tls_1_0_and_1_1_offered_fail(cli_app: Flask, pki: Pki) -> None:
    # TLS 1.0 and 1.1 have no AEAD suite: a server offering them offers CBC suites on TLS 1.2 as well
    code, lines, output = run_check(cli_app, pki, oldest=ssl.TLSVersion.TLSv1,
                                    ciphers=f"{STRONG}:ECDHE-ECDSA-AES128-SHA")
    assert code == 1
    assert failed(lines) == ["Versioni di TLS", "Cifrari"], output
    assert "accetta TLS 1.0 e TLS 1.1" in lines["Versioni di TLS"][1]


def test_c_se_5_1_weak_ciphers_fail(cli_app: Flask, pki: Pki) -> None:
    # TLS 1.2 with a CBC suite only (forward secrecy, but no authenticated encryption)
    code, lines, output = run_check(cli_app, pki, newest=ssl.TLSVersion.TLSv1_2, ciphers="ECDHE-ECDSA-AES128-SHA")
    assert code == 1
    assert failed(lines) == ["Cifrari"], output
    assert "ECDHE-ECDSA-AES128-SHA" in lines["Cifrari"][1] and "AEAD" in lines["Cifrari"][1]


@pytest.mark.parametrize(("hsts", "reason"), [(None, "non ha l'intestazione Strict-Transport-Security"),
                                               ("max-age=86400", "max-age di 1 giorni"),
                                               ("includeSubDomains", "senza max-age")])
def test_c_se_5_1_missing_or_short_hsts_fails(cli_app: Flask, pki: Pki, hsts: str | None, reason: str) -> None:
    code, lines, output = run_check(cli_app, pki, hsts=hsts)
    assert code == 1
    assert failed(lines) == ["HSTS"], output
    assert reason in lines["HSTS"][1]


def test_c_se_5_1_http_not_redirected_to_https_fails(cli_app: Flask, pki: Pki) -> None:
    code, lines, output = run_check(cli_app, pki, redirect=False)
    assert code == 1
    assert failed(lines) == ["Redirect da HTTP"], output
    assert "risponde 200" in lines["Redirect da HTTP"][1]


def test_c_se_5_1_certificate_of_an_unknown_ca_fails(cli_app: Flask, pki: Pki, tmp_path: Path) -> None:
    stranger = make_pki(tmp_path)  # the server's CA is not the one trusted
    code, lines, output = run_check(cli_app, pki, cert=stranger.server_cert(HOST))
    assert code == 1
    assert failed(lines) == ["Certificato valido"], output
    assert "non è un'autorità riconosciuta" in lines["Certificato valido"][1]


def test_c_se_5_1_certificate_for_another_name_fails(cli_app: Flask, pki: Pki) -> None:
    code, lines, output = run_check(cli_app, pki, cert=pki.server_cert("www.altro-comune.test"))
    assert code == 1
    assert failed(lines) == ["Certificato valido"], output
    assert "non è intestato a questo nome" in lines["Certificato valido"][1]


def test_c_se_5_1_certificate_expiring_soon_or_expired_fails(cli_app: Flask, pki: Pki) -> None:
    code, lines, output = run_check(cli_app, pki, cert=pki.server_cert(HOST, days=10))
    assert code == 1
    assert failed(lines) == ["Scadenza del certificato"], output
    assert "tra 9 giorni" in lines["Scadenza del certificato"][1] or "tra 10 giorni" in lines[
        "Scadenza del certificato"][1]
    code, lines, output = run_check(cli_app, pki, cert=pki.server_cert(HOST, days=-2, start_days_ago=30))
    assert code == 1
    assert set(failed(lines)) == {"Certificato valido", "Scadenza del certificato"}, output
    assert "è scaduto" in lines["Certificato valido"][1] and "è scaduto il" in lines["Scadenza del certificato"][1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]  # bound, never listening: connections are refused


def test_c_se_5_1_nothing_listening_fails_every_server_check(cli_app: Flask, pki: Pki, closed_port: int) -> None:
    result = cli_app.test_cli_runner().invoke(args=[
        "check-deployment", f"https://{HOST}:{closed_port}/", "--address", "127.0.0.1", "--ca-file", pki.ca_file,
        "--http-port", str(closed_port)])
    assert result.exit_code == 1
    lines = lines_of(result.output)
    assert failed(lines) == ["Certificato valido", "Scadenza del certificato", "Versioni di TLS", "Cifrari", "HSTS",
                             "Redirect da HTTP"], result.output
    assert "connessione rifiutata" in lines["Certificato valido"][1]
    assert "non verificabile" in lines["HSTS"][1]


def test_c_se_5_1_a_plain_http_address_is_refused(cli_app: Flask) -> None:
    result = cli_app.test_cli_runner().invoke(args=["check-deployment", "http://servizi.comune.test/"])
    assert result.exit_code == 1
    assert "[NO] Indirizzo HTTPS: l'indirizzo pubblico deve iniziare con https://" in result.output
