"""Writes of the store area: the industry's DSR averages, entered or imported."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import parse_month
from guanxi.store.models import DsrDimension, IndustryAverage

COLUMNS = ("month", "description", "service", "logistics")


def _month(text: str, where: str) -> dt.date:
    raw = text.strip().replace("/", "-").replace("年", "-").replace("月", "")
    try:
        year, month = parse_month(raw)
    except ValueError:
        raise UserInputError(f"{where}: {text!r} is not a month like 2025-12") from None
    return dt.date(year, month, 1)


def industry_import(path: Path) -> int:
    """Read ``month,description,service,logistics`` rows (values 1–5) and store them; a month
    given again replaces its values. Nothing is stored if any row is bad."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise UserInputError(f"{path.name}: not UTF-8 text; save the CSV as UTF-8") from None
    return industry_import_text(text, name=path.name)


@transaction.atomic
def industry_import_text(text: str, *, name: str) -> int:
    """``industry_import`` for text already read (an uploaded file); ``name`` is shown in
    error messages."""
    rows = list(csv.reader(text.lstrip("\ufeff").splitlines()))
    if not rows or [h.strip() for h in rows[0]] != list(COLUMNS):
        raise UserInputError(f"{name}: the header must be {','.join(COLUMNS)}")
    count = 0
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(COLUMNS):
            raise UserInputError(f"{name}: row {number} has {len(row)} cells, expected 4")
        month = _month(row[0], f"{name}: row {number}, column month")
        for column, cell in zip(COLUMNS[1:], row[1:], strict=True):
            try:
                value = Decimal(cell.strip())
            except InvalidOperation:
                raise UserInputError(
                    f"{name}: row {number}, column {column}: {cell!r} is not a number"
                ) from None
            if not Decimal(1) <= value <= Decimal(5):
                raise UserInputError(
                    f"{name}: row {number}, column {column}: {value} is not between 1 and 5"
                )
            IndustryAverage.objects.update_or_create(
                month=month, dimension=DsrDimension(column), defaults={"value": value}
            )
            count += 1
    return count


@transaction.atomic
def industry_set(*, month: dt.date, values: dict[str, Decimal]) -> None:
    """Store one month's industry averages (entered by hand); a dimension given again
    replaces its value. The caller has checked each value is within 1–5."""
    for dimension, value in values.items():
        IndustryAverage.objects.update_or_create(
            month=month.replace(day=1), dimension=DsrDimension(dimension), defaults={"value": value}
        )


def industry_map() -> dict[tuple[dt.date, str], Decimal]:
    return {(a.month, a.dimension): a.value for a in IndustryAverage.objects.all()}
