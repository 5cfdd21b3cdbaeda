"""`make audit` says plainly when it could not check (issue 13 item 12): pip-audit prints "No
known vulnerabilities found" even when it skipped every package; the wrapper does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from guanxi.installation.dependency_audit import verdict

SKIP = "Dependency not found on PyPI and could not be audited: {name} ({version})"


def _report(*dependencies: dict[str, object]) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def _skipped(name: str, version: str) -> dict[str, object]:
    return {"name": name, "skip_reason": SKIP.format(name=name, version=version)}


def _checked(name: str, version: str, *vulns: dict[str, object]) -> dict[str, object]:
    return {"name": name, "version": version, "vulns": list(vulns)}


def test_nothing_audited_is_not_a_clean_result() -> None:
    result = verdict(_report(_skipped("django", "6.1.3"), _skipped("ibis-framework", "12.0")), "")
    assert result.exit_code == 2
    assert result.text == (
        "Dependency audit: NOT CHECKED — none of the 2 installed packages could be audited "
        "against the vulnerability database (pypi): Dependency not found on PyPI and could not "
        "be audited.\nNothing was audited; this is not a clean result."
    )
    assert "no known vulnerabilities" not in result.text.lower()


def test_an_unreachable_database_is_not_a_clean_result() -> None:
    errors = (
        "Traceback…\nrequests.exceptions.ConnectionError: pypi.org: Name or service not known\n"
    )
    result = verdict("", errors, service="osv")
    assert result.exit_code == 2
    assert result.text == (
        "Dependency audit: NOT CHECKED — pip-audit could not query the vulnerability database "
        "(osv): requests.exceptions.ConnectionError: pypi.org: Name or service not known\n"
        "Nothing was audited; this is not a clean result."
    )


def test_a_partial_check_names_what_was_not_checked() -> None:
    result = verdict(
        _report(_checked("django", "6.1.3"), _skipped("duckdb", "2.0.0"), _checked("guanxi", "0")),
        "",
    )
    assert result.exit_code == 2
    assert result.text == (
        "Dependency audit: 1 of 2 packages could NOT be checked (Dependency not found on PyPI "
        "and could not be audited): duckdb\nNo known vulnerabilities in the 1 packages checked."
    )


def test_known_vulnerabilities_are_named_with_their_fixes() -> None:
    vuln: dict[str, object] = {"id": "PYSEC-2026-1", "fix_versions": ["6.1.4"]}
    result = verdict(_report(_checked("django", "6.1.3", vuln), _checked("rich", "14.0")), "")
    assert result.exit_code == 1
    assert result.text == (
        "Dependency audit: 1 known vulnerability in 1 of 2 packages checked (pypi):\n"
        "  django 6.1.3: PYSEC-2026-1 (fixed in 6.1.4)"
    )


def test_every_package_checked_and_clean() -> None:
    result = verdict(_report(_checked("django", "6.1.3"), _checked("guanxi", "0.1")), "")
    assert result == result.__class__(
        0, "Dependency audit: no known vulnerabilities in all 1 packages (pypi)."
    )


def test_the_real_pip_audit_with_the_registry_unreachable_says_not_checked(
    tmp_path: Path,
) -> None:
    """The real pip-audit over this environment, its connections refused (no network used)
    and an empty cache."""
    closed = "http://127.0.0.1:9"
    env = os.environ | {
        "HTTPS_PROXY": closed,
        "HTTP_PROXY": closed,
        "NO_PROXY": "",
        "XDG_CACHE_HOME": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-m", "guanxi.installation.dependency_audit"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout.startswith(
        "Dependency audit: NOT CHECKED — pip-audit could not query the vulnerability database "
        "(pypi): requests.exceptions.ProxyError:"
    )
    assert run.stdout.endswith("Nothing was audited; this is not a clean result.\n")
    assert "no known vulnerabilities" not in run.stdout.lower()
