"""scripts/audit-dependencies decides: a vulnerability fails, an unreachable service only warns.

pip-audit itself is replaced by a small script that answers as the real one does in each case.
"""

from __future__ import annotations

import json
import stat
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit-dependencies"


def load_script():
    loader = SourceFileLoader("audit_dependencies", str(SCRIPT))
    module = module_from_spec(spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def fake_pip_audit(tmp_path: Path, *, report: dict | None, stderr: str = "", code: int = 0) -> Path:
    """An executable that writes ``report`` where --output says, ``stderr``, and exits ``code``."""
    path = tmp_path / "pip-audit"
    body = json.dumps(report) if report is not None else ""
    path.write_text(
        "#!/usr/bin/env python3\n"
        "import sys\n"
        "out = sys.argv[sys.argv.index('--output') + 1]\n"
        f"body = {body!r}\n"
        "if body:\n"
        "    open(out, 'w').write(body)\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.exit({code})\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def audit(tmp_path, monkeypatch):
    def run(**fake):
        module = load_script()
        monkeypatch.setattr(module, "PIP_AUDIT", fake_pip_audit(tmp_path, **fake))
        return module.main()

    return run


def dep(name, vulns=(), skip=False):
    found = {"name": name, "version": "1.0", "vulns": list(vulns)}
    if skip:
        found = {"name": name, "skip_reason": "Dependency not found on PyPI"}
    return found


def test_a_known_vulnerability_fails(audit, capsys):
    vuln = {"id": "PYSEC-2099-1", "fix_versions": ["1.0.1"], "aliases": [], "description": ""}
    code = audit(report={"dependencies": [dep("django", [vuln]), dep("shapely")]}, code=1)
    assert code == 1
    assert "VULNERABLE: django 1.0: PYSEC-2099-1 (fixed in 1.0.1)" in capsys.readouterr().out


def test_an_unreachable_service_warns_and_goes_on(audit, capsys):
    stderr = "requests.exceptions.ConnectionError: Max retries exceeded with url: /pypi/django/json"
    assert audit(report=None, stderr=stderr, code=1) == 0
    assert "WARNING" in capsys.readouterr().out


def test_nothing_looked_up_warns_and_goes_on(audit, capsys):
    assert audit(report={"dependencies": [dep("django", skip=True)]}) == 0
    assert "not audited" in capsys.readouterr().out


def test_a_clean_audit_passes_and_says_how_many(audit, capsys):
    assert audit(report={"dependencies": [dep("django"), dep("shapely", skip=True)]}) == 0
    assert "1 dependencies audited, no known vulnerabilities (1 could not be looked up)" in (
        capsys.readouterr().out
    )


def test_any_other_failure_fails(audit):
    assert audit(report=None, stderr="error: unrecognized arguments: --bogus", code=2) == 1
