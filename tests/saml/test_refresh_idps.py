"""`flask refresh-spid-idps --file F`: the AgID registry file replaces the trusted IdPs only when
every IdP in it can be trusted (a signing certificate, a redirect SSO endpoint)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from lxml import etree  # type: ignore[import-untyped]

from tests.conftest import SAML_DIR
from webapp.config import REPO_ROOT

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def test_refresh_takes_a_registry_file_and_refuses_one_without_certificates(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "idps.xml"
    app.config["SPID_IDP_METADATA"], before = str(target), app.config["SPID_IDP_METADATA"]
    try:
        runner = app.test_cli_runner()
        # A registry download whose IdPs lack their certificates (the button's names only) is refused.
        uncertified = tmp_path / "no-certificates.xml"
        tree = etree.parse(str(REPO_ROOT / "webapp/saml/spid-idps.xml"))
        for key in tree.iter(f"{{{MD}}}KeyDescriptor"):
            key.getparent().remove(key)
        tree.write(str(uncertified))
        refused = runner.invoke(args=["refresh-spid-idps", "--file", str(uncertified)])
        assert refused.exit_code == 1 and "certificato" in refused.output and not target.exists()
        shipped = runner.invoke(args=["refresh-spid-idps", "--file", str(REPO_ROOT / "webapp/saml/spid-idps.xml")])
        assert shipped.exit_code == 0 and "Poste" in shipped.output, shipped.output
        target.unlink()
        good = runner.invoke(args=["refresh-spid-idps", "--file", str(SAML_DIR / "spid-sp-test-idp.xml")])
        assert good.exit_code == 0, good.output
        assert "https://localhost:8443" in good.output and target.exists()
    finally:
        app.config["SPID_IDP_METADATA"] = before
