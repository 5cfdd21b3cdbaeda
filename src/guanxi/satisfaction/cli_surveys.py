"""Subcommands of ``guanxi surveys`` owned by the builder and distribution part:

    guanxi surveys list [--format json]
    guanxi surveys create --template csat|nps|servqual|model [--dimensions five|ten] --name NAME
    guanxi surveys open ID | close ID
    guanxi surveys send ID --segment SEG_ID | --customer KEY
    guanxi surveys links ID --output FILE.csv|FILE.xlsx [--base-url https://crm.example.com]

Bad input is a ``CommandError`` naming the option, exit status 2. The links file holds the
customer key, the masked name and the link (never a phone); without ``--base-url`` the links
are paths, to be put behind the shop's address by the sending tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper

from guanxi.satisfaction import services, survey_selectors, templates_library
from guanxi.satisfaction.models import Survey
from guanxi.satisfaction.services import SurveyError
from guanxi.web.cli_subcommands import Subcommand

LINK_HEADER = ["customer_key", "customer_masked", "link", "sent_at", "expires_at"]


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _reason(exc: SurveyError) -> str:
    """The error without its leading ``field: `` (the CLI names the option instead)."""
    text = str(exc)
    prefix = f"{exc.field}: "
    return text[len(prefix) :] if exc.field and text.startswith(prefix) else text


def _survey(value: Any) -> Survey:
    survey = survey_selectors.survey_get(int(value))
    if survey is None:
        raise _fail(f"ID: no survey #{value} (see `guanxi surveys list`)")
    return survey


def _format_arg(parser: CommandParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _id_arg(parser: CommandParser) -> None:
    parser.add_argument("id", type=int, metavar="ID", help="the survey's number")
    _format_arg(parser)


def _summary(survey: Survey) -> dict[str, Any]:
    counts = survey_selectors.counts(survey)
    return {
        "id": survey.pk,
        "name": survey.name,
        "kind": survey.kind,
        "state": survey.state,
        "dimension_set": survey.dimension_set,
        "questions": survey.questions.count(),
        "invited": counts.invited,
        "answered": counts.answered,
        "expired": counts.expired,
        "response_pct": counts.response_pct,
    }


def _print(out: OutputWrapper, options: dict[str, Any], data: Any, text: str) -> None:
    out.write(json.dumps(data, ensure_ascii=False) if options["format"] == "json" else text)


def _list_args(parser: CommandParser) -> None:
    _format_arg(parser)


def _list(options: dict[str, Any], out: OutputWrapper) -> None:
    rows = [_summary(s) for s in survey_selectors.survey_list()]
    lines = [
        f"#{r['id']}  {r['state']:<6} {r['kind']:<8} "
        f"{r['answered']}/{r['invited']} answered  {r['name']}"
        for r in rows
    ]
    _print(out, options, rows, "\n".join(lines) or "No surveys yet.")


def _create_args(parser: CommandParser) -> None:
    parser.add_argument("--template", required=True, choices=templates_library.CODES)
    parser.add_argument("--dimensions", choices=("five", "ten"), default="five")
    parser.add_argument("--name", required=True)
    _format_arg(parser)


def _create(options: dict[str, Any], out: OutputWrapper) -> None:
    try:
        survey = services.create_from_template(
            options["template"], options["name"], options["dimensions"]
        )
    except SurveyError as exc:
        raise _fail(f"--{exc.field or 'name'}: {_reason(exc)}") from None
    data = _summary(survey)
    _print(
        out, options, data, f"Created draft survey #{survey.pk} ({data['questions']} questions)."
    )


def _state_change(action: str) -> Any:
    def handle(options: dict[str, Any], out: OutputWrapper) -> None:
        survey = _survey(options["id"])
        try:
            survey = (
                services.open_survey(survey) if action == "open" else services.close_survey(survey)
            )
        except SurveyError as exc:
            raise _fail(f"ID: {_reason(exc)}") from None
        _print(out, options, _summary(survey), f"Survey #{survey.pk} is now {survey.state}.")

    return handle


def _send_args(parser: CommandParser) -> None:
    parser.add_argument("id", type=int, metavar="ID")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--segment", type=int, metavar="SEG_ID")
    target.add_argument("--customer", metavar="KEY")
    _format_arg(parser)


def _send(options: dict[str, Any], out: OutputWrapper) -> None:
    from guanxi.segments import selectors as segment_selectors

    survey = _survey(options["id"])
    try:
        if options["segment"] is not None:
            segment = segment_selectors.segment_get(options["segment"])
            if segment is None:
                raise _fail(f"--segment: no segment #{options['segment']}")
            result = services.send_to_segment(survey, segment)
            new, already = result.new, result.already
        else:
            _, created = services.send_to_customer(survey, options["customer"])
            new, already = (1, 0) if created else (0, 1)
    except SurveyError as exc:
        option = "--customer" if exc.field == "customer" else "ID"
        raise _fail(f"{option}: {_reason(exc)}") from None
    data = {"survey": survey.pk, "new": new, "already_invited": already}
    _print(out, options, data, f"{new} new invitation(s); {already} customer(s) already invited.")


def _links_args(parser: CommandParser) -> None:
    parser.add_argument("id", type=int, metavar="ID")
    parser.add_argument("--output", required=True, metavar="FILE.csv|FILE.xlsx")
    parser.add_argument(
        "--base-url", default="", help="the shop's address, e.g. https://crm.example.com"
    )


def _links(options: dict[str, Any], out: OutputWrapper) -> None:
    from guanxi.web.exports.safe import csv_text
    from guanxi.web.exports.xlsx import Column, Sheet, workbook

    target = Path(options["output"])
    kind = target.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        raise _fail("--output: the file name must end in .csv or .xlsx")
    base = options["base_url"].rstrip("/")
    if base and not base.startswith(("http://", "https://")):
        raise _fail("--base-url: start with http:// or https://")
    survey = _survey(options["id"])
    rows = survey_selectors.link_export_rows(survey, lambda path: base + path)
    if kind == "csv":
        target.write_text(csv_text([LINK_HEADER, *rows]), encoding="utf-8")
    else:
        sheet = Sheet(
            name="links",
            title=survey.name,
            columns=[
                Column(h, "text", w) for h, w in zip(LINK_HEADER, (14, 14, 70, 17, 17), strict=True)
            ],
            rows=rows,
        )
        target.write_bytes(workbook([sheet]))
    out.write(f"Wrote {target} ({len(rows)} link(s) not yet answered).")


SUBCOMMANDS: dict[str, Subcommand] = {
    "list": Subcommand("list the surveys with their counts", _list_args, _list),
    "create": Subcommand("create a draft survey from a template", _create_args, _create),
    "open": Subcommand(
        "open a draft survey (its questions freeze)", _id_arg, _state_change("open")
    ),
    "close": Subcommand("stop collecting answers", _id_arg, _state_change("close")),
    "send": Subcommand("invite a segment or one customer", _send_args, _send),
    "links": Subcommand("write the unanswered links to CSV/XLSX", _links_args, _links),
}
