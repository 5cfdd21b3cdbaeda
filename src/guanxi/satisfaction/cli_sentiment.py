"""``guanxi reviews sentiment --train|--report`` and ``guanxi reviews classify FILE.csv``.

classify prints one JSON object per line (JSON Lines), one per data row of the CSV:
``{"row": N, "sentiment": ..., "score": ..., "themes": [...]}`` with ``row`` counting the
data rows from 1 (the header is not a row). The text is NOT echoed: a review may hold a
phone number or an address, and the output goes to terminals, logs and other files; the
row number joins the result back to the input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper

from guanxi.web.cli import cli_csv
from guanxi.web.cli_subcommands import Subcommand

FORMATS = ("table", "json")


def _add_sentiment(parser: CommandParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--train",
        action="store_true",
        help="train the full model (a few minutes), evaluate it and store it under var/sentiment/",
    )
    what.add_argument(
        "--report",
        action="store_true",
        help="print the evaluation of the model in use against the baselines",
    )
    parser.add_argument("--format", default="table", help="table (default) or json")


def report_table(meta: dict[str, Any]) -> str:
    """The evaluation as Markdown tables: figures per model per held-out set, then the
    confusion matrices, then the check sentences."""
    data = meta["data"]
    lines = [
        f"Model in use: {meta['chosen']} ({meta['kind']}, trained {meta['trained_at']}, "
        f"{meta['train_seconds']} s)",
        f"Shop set: {data['shop']['train']} train / {data['shop']['test']} held-out reviews "
        f"({data['shop']['test_groups']} groups never seen in training); "
        f"corpus: {data['corpus']['train']} train / {data['corpus']['test']} held-out lines.",
        "",
        "| model | shop accuracy | shop macro-F1 | corpus accuracy | corpus macro-F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, sets in meta["results"].items():
        mark = " (in use)" if name == meta["chosen"] else ""
        shop, corpus = sets["shop"], sets["corpus"]
        lines.append(
            f"| {name}{mark} | {shop['accuracy']:.3f} | {shop['macro_f1']:.3f} | "
            f"{corpus['accuracy']:.3f} | {corpus['macro_f1']:.3f} |"
        )
    for name, sets in meta["results"].items():
        for where, m in sets.items():
            columns = list(m["classes"]) + (
                ["neutral"] if len(m["matrix"][0]) > len(m["classes"]) else []
            )
            lines += ["", f"{name} on {where} (rows true, columns predicted; n={m['n']}):"]
            lines.append("| true \\ predicted | " + " | ".join(columns) + " |")
            lines.append("|---|" + "---:|" * len(columns))
            for cls, row in zip(m["classes"], m["matrix"], strict=True):
                lines.append(f"| {cls} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "Check sentences:"]
    for c in meta["checks"]:
        ok = "ok" if c["ok"] else "WRONG"
        lines.append(
            f"- {c['text']} → {c['label']} (P(positive) {c['score']:.2f}; "
            f"want {c['expected']}: {ok})"
        )
    lines += ["", *meta.get("notes", [])]
    return "\n".join(lines)


def _handle_sentiment(options: dict[str, Any], stdout: OutputWrapper) -> None:
    from guanxi.satisfaction import sentiment_store

    fmt = options["format"]
    if fmt not in FORMATS:
        raise CommandError(f"--format: {fmt!r}; give one of {', '.join(FORMATS)}", returncode=2)
    if options["train"]:
        meta = sentiment_store.build()
        where = sentiment_store.folder()
        stdout.write(f"stored in {where} ({meta['train_seconds']} s)")
    else:
        loaded = sentiment_store.current()
        meta = {**loaded.meta, "stored": loaded.stored, "note": loaded.note}
        if not loaded.stored and fmt == "table":  # JSON says it in "stored" and stays JSON
            stdout.write(
                "No stored model: these are the quick fallback's figures; "
                "run `guanxi reviews sentiment --train` for the full model."
                + (f" ({loaded.note})" if loaded.note else "")
            )
    if fmt == "json":
        stdout.write(json.dumps(meta, ensure_ascii=False, indent=2))
    else:
        stdout.write(report_table(meta))


def _add_classify(parser: CommandParser) -> None:
    parser.add_argument("file", help="a CSV file (UTF-8 or GB18030) with a `text` column")
    parser.add_argument("--format", default="json", help="json (one object per line)")


def read_texts(path: Path) -> list[str]:
    """The ``text`` column of a CSV (UTF-8 or GB18030, blank lines left out); errors name
    the file and the column (``web.cli.cli_csv``)."""
    hint = "put the reviews in a column headed text"
    with cli_csv(path, ["text"], hint=hint) as (header, rows):
        at = header.index("text")
        return [row[at] if at < len(row) else "" for _n, row in rows]


def _handle_classify(options: dict[str, Any], stdout: OutputWrapper) -> None:
    from guanxi.satisfaction import sentiment_service

    if options["format"] != "json":
        raise CommandError(f"--format: {options['format']!r}; give json", returncode=2)
    texts = read_texts(Path(options["file"]))
    for n, result in enumerate(sentiment_service.classify(texts), 1):
        record = {
            "row": n,
            "sentiment": result.label,
            "score": result.score,
            "themes": list(result.themes),
        }
        stdout.write(json.dumps(record, ensure_ascii=False))


SUBCOMMANDS: dict[str, Subcommand] = {
    "sentiment": Subcommand(
        "the review sentiment model: --train it, or --report its evaluation",
        _add_sentiment,
        _handle_sentiment,
    ),
    "classify": Subcommand(
        "classify the reviews of a CSV's `text` column (JSON, one object per row)",
        _add_classify,
        _handle_classify,
    ),
}
