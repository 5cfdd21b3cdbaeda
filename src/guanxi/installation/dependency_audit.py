"""``make audit``: pip-audit over the installed packages, with an honest verdict.

pip-audit asks the package registry (PyPI's JSON API, ``/pypi/<name>/<version>/json``) for
each installed version's known vulnerabilities. When the registry cannot be reached, or does
not answer for a version (a mirror that serves only the project pages), pip-audit skips the
package and still prints "No known vulnerabilities found" — even when it skipped them all.
This wrapper reads pip-audit's JSON instead and says what was checked:

- exit 0: every package was checked and none has a known vulnerability;
- exit 1: known vulnerabilities (each named, with the versions that fix it);
- exit 2: not everything could be checked — nothing at all, or the packages it names. That
  is never reported as "no known vulnerabilities".

``GUANXI_AUDIT_SERVICE=osv`` asks the OSV database instead of PyPI. Packages that are not on
the registry by design (Guanxi itself, installed from this folder) are not counted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

OWN_PACKAGES = frozenset({"guanxi"})


@dataclass(frozen=True)
class Verdict:
    exit_code: int
    text: str


def pip_audit_command(service: str) -> list[str]:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    return [
        str(pip_audit),
        "--local",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--vulnerability-service",
        service,
    ]


def verdict(report: str, errors: str, *, service: str = "pypi") -> Verdict:
    """What pip-audit's run means, from its JSON (stdout) and its stderr."""
    try:
        dependencies = json.loads(report)["dependencies"]
    except (ValueError, KeyError, TypeError):
        last = errors.strip().splitlines()[-1:] or ["no output"]
        return Verdict(
            2,
            f"Dependency audit: NOT CHECKED — pip-audit could not query the vulnerability "
            f"database ({service}): {last[0]}\nNothing was audited; this is not a clean result.",
        )
    dependencies = [d for d in dependencies if d["name"] not in OWN_PACKAGES]
    skipped = [d for d in dependencies if "skip_reason" in d]
    checked = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    lines = []
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if vulnerable:
        count = sum(len(d["vulns"]) for d in vulnerable)
        head = (
            f"Dependency audit: {count} known vulnerabilit{'y' if count == 1 else 'ies'} in "
            f"{len(vulnerable)} of {len(checked)} packages checked ({service}):"
        )
        lines.insert(0, head)
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        if not checked:
            lines.append(
                f"Dependency audit: NOT CHECKED — none of the {len(skipped)} installed packages "
                f"could be audited against the vulnerability database ({service}): "
                f"{'; '.join(reasons)}.\nNothing was audited; this is not a clean result."
            )
        else:
            names = ", ".join(d["name"] for d in skipped)
            lines.append(
                f"Dependency audit: {len(skipped)} of {len(dependencies)} packages could NOT be "
                f"checked ({'; '.join(reasons)}): {names}"
            )
    if vulnerable:
        return Verdict(1, "\n".join(lines))
    if skipped:
        if checked:
            lines.append(f"No known vulnerabilities in the {len(checked)} packages checked.")
        return Verdict(2, "\n".join(lines))
    if not checked:
        return Verdict(2, "Dependency audit: NOT CHECKED — pip-audit found no packages.")
    return Verdict(
        0, f"Dependency audit: no known vulnerabilities in all {len(checked)} packages ({service})."
    )


def main() -> int:
    service = os.environ.get("GUANXI_AUDIT_SERVICE", "pypi")
    run = subprocess.run(pip_audit_command(service), capture_output=True, text=True, check=False)
    result = verdict(run.stdout, run.stderr, service=service)
    print(result.text)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
