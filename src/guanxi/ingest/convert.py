"""One batch of text cells → typed field columns plus the problems found, row by row.

The result keeps every row (``valid`` marks the good ones) so the caller decides whether a
bad row rejects the file (the default) or is set aside (``--skip-bad``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from guanxi.ingest import normalise as n
from guanxi.ingest.kinds import Field
from guanxi.ingest.mapping import Resolved
from guanxi.ingest.messages import Message, gettext_noop, message
from guanxi.ingest.readers import ROW
from guanxi.lake.schema import MONEY, TS

PROBLEM_SCHEMA = pa.schema(
    [
        pa.field("file", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("column", pa.string()),
        pa.field("value", pa.string()),
        pa.field("reason", pa.string()),  # an encoded Message (messages.render shows it)
    ]
)

# A null string; not pa.scalar(None, ...), which imports pandas (to check the value's type).
NO_PROBLEM = pa.nulls(1, pa.string())[0]


def _reason(mask: pa.Array, reason: Message) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), pa.scalar(reason.encode()), NO_PROBLEM)


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
    reason = message(
        gettext_noop(
            "%(field)s 的值不认识；认识的值有：%(known)s。请在映射的 [values.%(name)s] 下添加这个值"
        ),
        field=Message(field.label),
        known=list(table),
        name=field.name,
    )
    return n.Parsed(values, _reason(unknown, reason))


MOBILE_FIX = Message(
    gettext_noop("不是中国大陆手机号：应为 13–19 开头的 11 位数字，如 13812345678")
)
EMAIL_FIX = Message(gettext_noop("不是电子邮箱地址：应为 name@example.com 这样的写法"))


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
    return n.Parsed(values, _reason(bad, reason))


def _range_problem(field: Field, values: pa.Array) -> pa.Array:
    """Amounts and counts outside the field's bounds (a negative payment, 0 items)."""
    if field.low is None and field.high is None:
        return pa.nulls(len(values), pa.string())
    label = Message(field.label)
    outside = pa.array([False] * len(values))
    if field.low is not None:
        low = pa.scalar(Decimal(field.low), MONEY) if field.type == "amount" else field.low
        outside = pc.or_(outside, pc.fill_null(pc.less(values, low), False))
    if field.high is not None:
        outside = pc.or_(outside, pc.fill_null(pc.greater(values, field.high), False))
    if field.high is not None:
        reason = message(
            gettext_noop("%(field)s 应在 %(low)s 到 %(high)s 之间"),
            field=label,
            low=field.low,
            high=field.high,
        )
    elif field.low == 0:
        reason = message(gettext_noop("%(field)s 不能是负数"), field=label)
    else:
        reason = message(gettext_noop("%(field)s 不能小于 %(low)s"), field=label, low=field.low)
    return _reason(outside, reason)


def _date_problem(field: Field, values: pa.Array, time_zone: str, now: dt.datetime) -> pa.Array:
    """Dates no shop data can have: before ``field.earliest`` (a mistyped year, Excel's 1900
    epoch) or more than ``field.future_days`` after ``now`` (a wrong year or day/month)."""
    if field.type not in ("date", "datetime"):
        return pa.nulls(len(values), pa.string())
    zone = zoneinfo.ZoneInfo(time_zone)
    earliest_day = dt.date.fromisoformat(field.earliest)
    latest = now.astimezone(zone) + dt.timedelta(days=field.future_days)
    if field.type == "datetime":
        first = dt.datetime.combine(earliest_day, dt.time(), tzinfo=zone)
        low = pa.scalar(first.astimezone(dt.UTC), TS)
        high = pa.scalar(latest.astimezone(dt.UTC), TS)
        shown = latest.strftime("%Y-%m-%d %H:%M")
    else:
        low = pa.scalar(earliest_day, pa.date32())
        high = pa.scalar(latest.date(), pa.date32())
        shown = latest.date().isoformat()
    label = Message(field.label)
    too_early = message(
        gettext_noop("%(field)s 早于 %(earliest)s，不可能是真实数据；请检查这一列的年份"),
        field=label,
        earliest=field.earliest,
    )
    too_late = message(
        gettext_noop("%(field)s 晚于 %(latest)s，是将来的时间；请检查年份、日月顺序和时区"),
        field=label,
        latest=shown,
    )
    return n.merge_problems(
        _reason(pc.less(values, low), too_early), _reason(pc.greater(values, high), too_late)
    )


def _pair_problems(
    fields: tuple[Field, ...],
    columns: dict[str, pa.Array],
    raw: dict[str, pa.Array],
    resolved: Resolved,
    rows: pa.Array,
    file_name: str,
) -> pa.Table:
    """Values that contradict another field of the row: paid before the order was created,
    a refund larger than the payment, more visitors than page views."""
    parts = []
    for field in fields:
        for other_name, compare, template in (
            (
                field.not_before,
                pc.less,
                gettext_noop("%(field)s 早于 %(other)s；请检查这两个时间"),
            ),
            (
                field.not_above,
                pc.greater,
                gettext_noop("%(field)s 大于 %(other)s；请检查这两列"),
            ),
        ):
            if other_name is None:
                continue
            wrong = pc.fill_null(compare(columns[field.name], columns[other_name]), False)
            if not pc.any(wrong).as_py():
                continue
            other = next(f for f in fields if f.name == other_name)
            header = resolved.header_of.get(field.name, field.label)
            reason = message(template, field=Message(field.label), other=Message(other.label))
            parts.append(
                pa.table(
                    {
                        "file": pa.array([file_name] * len(rows), pa.string()),
                        "row": rows,
                        "column": pa.array([header] * len(rows), pa.string()),
                        "value": raw[field.name].cast(pa.string()),  # as written in the file
                        "reason": _reason(wrong, reason),
                    },
                    schema=PROBLEM_SCHEMA,
                ).filter(wrong)
            )
    return pa.concat_tables(parts) if parts else PROBLEM_SCHEMA.empty_table()


def convert(
    batch: pa.RecordBatch,
    resolved: Resolved,
    time_zone: str,
    file_name: str,
    now: dt.datetime | None = None,
) -> Converted:
    """Parse and check every field of ``batch``; ``now`` (default: the current time) bounds
    how far in the future a date may be."""
    now = dt.datetime.now(dt.UTC) if now is None else now
    mapping = resolved.mapping
    size = batch.num_rows
    rows = batch.column(ROW)
    columns: dict[str, pa.Array] = {}
    raws: dict[str, pa.Array] = {}
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
            required = message(
                gettext_noop("%(field)s 是必填项，但这一格是空的"), field=Message(field.label)
            )
            problems = pc.coalesce(problems, _reason(empty, required))
        if field.check is not None:
            parsed = _contact(field, parsed)
            problems = pc.coalesce(problems, parsed.problems)
        problems = pc.coalesce(
            problems,
            _range_problem(field, parsed.values),
            _date_problem(field, parsed.values, time_zone, now),
        )
        bad = pc.is_valid(problems)
        # A rejected value takes no part in the checks between fields (one reason per cell).
        columns[field.name] = pc.if_else(bad, pa.scalar(None, parsed.values.type), parsed.values)
        raws[field.name] = raw
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
    order_problems = _pair_problems(mapping.kind.fields, columns, raws, resolved, rows, file_name)
    if order_problems.num_rows:
        bad_any = pc.or_(bad_any, pc.is_in(rows, value_set=order_problems.column("row")))
        problem_parts.append(order_problems)
    problems_table = (
        pa.concat_tables(problem_parts).sort_by([("row", "ascending")])
        if problem_parts
        else PROBLEM_SCHEMA.empty_table()
    )
    return Converted(columns, rows, pc.invert(bad_any), problems_table)
