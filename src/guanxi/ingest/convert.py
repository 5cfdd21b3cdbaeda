"""One batch of text cells → typed field columns plus the problems found, row by row.

The result keeps every row (``valid`` marks the good ones) so the caller decides whether a
bad row rejects the file (the default) or is set aside (``--skip-bad``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from guanxi.ingest import normalise as n
from guanxi.ingest.kinds import Field
from guanxi.ingest.mapping import Resolved
from guanxi.ingest.readers import ROW

PROBLEM_SCHEMA = pa.schema(
    [
        pa.field("file", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("column", pa.string()),
        pa.field("value", pa.string()),
        pa.field("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class Converted:
    columns: dict[str, pa.Array]  # field name → typed values (null where bad or empty)
    rows: pa.Array  # the file's row numbers
    valid: pa.Array  # bool: the row has no problem
    problems: pa.Table  # PROBLEM_SCHEMA

    @property
    def num_rows(self) -> int:
        return len(self.rows)


def _parse(field: Field, raw: pa.Array, time_zone: str) -> n.Parsed:
    parsers: dict[str, Callable[[pa.Array], n.Parsed]] = {
        "id": n.parse_id,
        "amount": n.parse_amount,
        "int": n.parse_int,
        "bool": n.parse_bool,
        "date": n.parse_date,
        "datetime": lambda a: n.parse_local_datetime(a, time_zone),
        "text": lambda a: n.Parsed(n.clean_text(a), pa.nulls(len(a), pa.string())),
    }
    return parsers[field.type](raw)


def _choice(field: Field, raw: pa.Array, translate: dict[str, str]) -> n.Parsed:
    text = n.clean_text(raw)
    table = translate or {c: c for c in field.choices}
    keys = pa.array(list(table), pa.string())
    targets = pa.array(list(table.values()), pa.string())
    index = pc.index_in(text, value_set=keys)
    values = pc.take(targets, index)
    unknown = pc.and_(pc.is_valid(text), pc.is_null(index))
    known = ", ".join(table)
    reason = (
        f"unknown value for {field.label}; known values: {known}. "
        f"Add it under [values.{field.name}] in the mapping"
    )
    problems = pc.if_else(unknown, pa.scalar(reason), pa.scalar(None, pa.string()))
    return n.Parsed(values, problems)


MOBILE_FIX = (
    "not a mainland mobile number: expected 11 digits starting with 13–19, e.g. 13812345678"
)
EMAIL_FIX = "not an email address: expected the form name@example.com"


def _contact(field: Field, parsed: n.Parsed) -> n.Parsed:
    """Normalise and check a phone or email column (customer files must hold real ones)."""
    text = n.fold_width(parsed.values)
    if field.check == "mobile":
        text = pc.replace_substring_regex(text, pattern=r"[\s\-()（）]", replacement="")
        text = pc.replace_substring_regex(
            text, pattern=r"^(\+86|0086|86(\d{11})$)", replacement=r"\2"
        )
        ok = pc.match_substring_regex(text, r"^1[3-9]\d{9}$")
        reason = MOBILE_FIX
    else:
        text = pc.utf8_lower(pc.utf8_trim_whitespace(text))
        ok = pc.match_substring_regex(text, r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
        reason = EMAIL_FIX
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
    values = pc.if_else(bad, pa.scalar(None, pa.string()), text)
    problems = pc.if_else(bad, pa.scalar(reason), pa.scalar(None, pa.string()))
    return n.Parsed(values, problems)


def _range_problem(field: Field, values: pa.Array) -> pa.Array:
    none = pa.scalar(None, pa.string())
    if field.low is None and field.high is None:
        return pa.nulls(len(values), pa.string())
    low = field.low if field.low is not None else -(2**62)
    high = field.high if field.high is not None else 2**62
    outside = pc.fill_null(pc.or_(pc.less(values, low), pc.greater(values, high)), False)
    if field.high is None:
        reason = f"{field.label} must be at least {field.low}"
    else:
        reason = f"{field.label} must be between {field.low} and {field.high}"
    return pc.if_else(outside, pa.scalar(reason), none)


def _order_problems(
    fields: tuple[Field, ...],
    columns: dict[str, pa.Array],
    resolved: Resolved,
    rows: pa.Array,
    file_name: str,
) -> pa.Table:
    """Times out of order, e.g. paid before the order was created."""
    parts = []
    for field in fields:
        if field.not_before is None:
            continue
        earlier = pc.fill_null(pc.less(columns[field.name], columns[field.not_before]), False)
        if not pc.any(earlier).as_py():
            continue
        before = next(f for f in fields if f.name == field.not_before)
        header = resolved.header_of.get(field.name, field.label)
        parts.append(
            pa.table(
                {
                    "file": pa.array([file_name] * len(rows), pa.string()),
                    "row": rows,
                    "column": pa.array([header] * len(rows), pa.string()),
                    "value": pc.cast(columns[field.name], pa.string()),
                    "reason": pa.array(
                        [f"{field.label} is earlier than {before.label}; check both times"]
                        * len(rows),
                        pa.string(),
                    ),
                },
                schema=PROBLEM_SCHEMA,
            ).filter(earlier)
        )
    return pa.concat_tables(parts) if parts else PROBLEM_SCHEMA.empty_table()


def convert(batch: pa.RecordBatch, resolved: Resolved, time_zone: str, file_name: str) -> Converted:
    mapping = resolved.mapping
    size = batch.num_rows
    rows = batch.column(ROW)
    columns: dict[str, pa.Array] = {}
    problem_parts: list[pa.Table] = []
    bad_any = pa.array([False] * size)
    for field in mapping.kind.fields:
        header = resolved.header_of.get(field.name)
        if header is not None:
            raw = batch.column(header)
        elif field.name in mapping.defaults:
            raw = pa.array([mapping.defaults[field.name]] * size, pa.string())
        else:
            raw = pa.nulls(size, pa.string())
        if field.type == "choice":
            parsed = _choice(field, raw, mapping.values.get(field.name, {}))
        else:
            parsed = _parse(field, raw, time_zone)
        problems = parsed.problems
        if field.required:
            empty = pc.and_(pc.is_null(parsed.values), pc.is_null(problems))
            problems = pc.coalesce(
                problems,
                pc.if_else(
                    empty,
                    pa.scalar(f"{field.label} is required but the cell is empty"),
                    pa.scalar(None, pa.string()),
                ),
            )
        if field.check is not None:
            parsed = _contact(field, parsed)
            problems = pc.coalesce(problems, parsed.problems)
        problems = pc.coalesce(problems, _range_problem(field, parsed.values))
        columns[field.name] = parsed.values
        bad = pc.is_valid(problems)
        if pc.any(bad).as_py():
            bad_any = pc.or_(bad_any, bad)
            problem_parts.append(
                pa.table(
                    {
                        "file": pa.array([file_name] * size, pa.string()),
                        "row": rows,
                        "column": pa.array([header or field.label] * size, pa.string()),
                        "value": raw.cast(pa.string()),
                        "reason": problems,
                    },
                    schema=PROBLEM_SCHEMA,
                ).filter(bad)
            )
    order_problems = _order_problems(mapping.kind.fields, columns, resolved, rows, file_name)
    if order_problems.num_rows:
        bad_any = pc.or_(bad_any, pc.is_in(rows, value_set=order_problems.column("row")))
        problem_parts.append(order_problems)
    problems_table = (
        pa.concat_tables(problem_parts).sort_by([("row", "ascending")])
        if problem_parts
        else PROBLEM_SCHEMA.empty_table()
    )
    return Converted(columns, rows, pc.invert(bad_any), problems_table)
