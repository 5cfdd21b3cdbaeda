"""Every text the UI can show in Chinese has its English: the catalogue is extracted afresh
from the code and templates (``makemessages`` on a copy of the package, so the repository's
catalogue is not rewritten) and no entry may be untranslated or fuzzy. A template whose
text changed without its catalogue entry (the customer analytics' spend sentence once
showed in Chinese on the English page that way) fails here, naming the text and its place.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import guanxi

PACKAGE = Path(guanxi.__file__).parent


def _entries(po: str) -> list[str]:
    return [block for block in po.split("\n\n")[1:] if "msgid " in block]


def _missing(block: str) -> bool:
    if "#, fuzzy" in block or re.search(r"#,.*\bfuzzy\b", block):
        return True
    return bool(re.search(r'\nmsgstr(\[\d+\])? ""\s*(\n|$)(?!")', block + "\n"))


def test_every_message_has_its_english(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("makemessages needs gettext: apt-get install gettext (.ci/run does)")
    copy = tmp_path / "guanxi"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "data", "*.mo")
    )
    done = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-obsolete",
         "--ignore", "migrations/*"],
        cwd=copy, capture_output=True, text=True, check=False,
        env={"DJANGO_SETTINGS_MODULE": "guanxi.settings", "PATH": "/usr/bin:/bin",
             "PYTHONPATH": str(PACKAGE.parent), "GUANXI_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    po = (copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert len(_entries(po)) > 2000  # the whole UI was read, not an empty tree
    missing = [block.strip() for block in _entries(po) if _missing(block)]
    assert not missing, "untranslated or fuzzy in English:\n\n" + "\n\n".join(missing[:20])


def test_the_check_itself_sees_a_missing_and_a_fuzzy_entry() -> None:
    assert _missing('#: a.html:1\nmsgid "甲"\nmsgstr ""')
    assert _missing('#: a.html:1\n#, fuzzy\nmsgid "甲"\nmsgstr "A"')
    assert not _missing('#: a.html:1\nmsgid "甲"\nmsgstr "A"')
    assert not _missing('#: a.html:1\nmsgid "甲"\nmsgstr ""\n"A long "\n"one"')
    assert _missing('#: a.html:1\nmsgid "甲"\nmsgid_plural "甲"\nmsgstr[0] "A"\nmsgstr[1] ""')
