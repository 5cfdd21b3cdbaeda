"""HTML → PDF by printing with headless Chromium (Debian's ``chromium``).

Chromium lays out Chinese text with the installed Noto CJK fonts (the report's CSS asks for
"Noto Sans CJK SC") and embeds them in the PDF, so the PDF reads the same everywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from guanxi.core.errors import GuanxiError

TIMEOUT_SECONDS = 120


class PdfError(GuanxiError):
    """The PDF could not be made (no Chromium, or it failed or timed out)."""


def chromium_path() -> str | None:
    """``GUANXI_CHROMIUM`` if set, else ``chromium`` on the PATH."""
    configured = os.environ.get("GUANXI_CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else shutil.which(configured)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html: str, *, timeout: int = TIMEOUT_SECONDS) -> bytes:
    """Print ``html`` (a self-contained document: inline CSS and SVG) to PDF bytes."""
    chromium = chromium_path()
    if chromium is None:
        raise PdfError(
            "Chromium is not installed, so no PDF can be made: install it with "
            "`apt-get install chromium fonts-noto-cjk` (or set GUANXI_CHROMIUM), "
            "or use --format html and print from a browser."
        )
    with tempfile.TemporaryDirectory(prefix="guanxi-pdf-") as tmp:
        folder = Path(tmp)
        source, target = folder / "report.html", folder / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium did not finish the PDF within {timeout} s") from None
        if done.returncode != 0 or not target.exists():
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfError(
                f"Chromium failed to print the PDF (exit {done.returncode}): " + " | ".join(tail)
            )
        return target.read_bytes()
