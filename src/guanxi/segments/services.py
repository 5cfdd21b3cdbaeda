"""Writes for segments: save (create or edit) with every input checked first, delete."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from guanxi.segments.filters import FilterError, SegmentFilter, parse
from guanxi.segments.models import Segment

NAME_MAX = Segment._meta.get_field("name").max_length or 80
DESCRIPTION_MAX = Segment._meta.get_field("description").max_length or 300


def _checked(
    name: str, description: str, filters: dict[str, Any]
) -> tuple[str, str, SegmentFilter]:
    """The cleaned name, description and filter; ``FilterError`` names every bad field."""
    errors: dict[str, str] = {}
    name = name.strip()
    description = description.strip()
    if not name:
        errors["name"] = "is empty; give the segment a name, e.g. 近90天未购的VIP"
    elif len(name) > NAME_MAX:
        errors["name"] = f"is {len(name)} characters long; give at most {NAME_MAX}"
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"is {len(description)} characters long; give at most {DESCRIPTION_MAX}"
        )
    try:
        parsed = parse(filters)
    except FilterError as exc:
        errors.update(exc.errors)
    if errors:
        raise FilterError(errors)
    return name, description, parsed


@transaction.atomic
def segment_save(
    *,
    name: str,
    description: str = "",
    filters: dict[str, Any],
    by: str,
    segment: Segment | None = None,
) -> Segment:
    """Create a segment (``segment`` None) or change one; nothing is written unless the name
    and every filter are valid and the name is not taken by another segment."""
    name, description, parsed = _checked(name, description, filters)
    taken = Segment.objects.filter(name=name)
    if segment is not None:
        taken = taken.exclude(pk=segment.pk)
    if taken.exists():
        raise FilterError({"name": f"{name!r} is taken by another segment; choose another name"})
    if segment is None:
        segment = Segment(created_by=by)
    segment.name = name
    segment.description = description
    segment.filters = parsed.to_json()
    segment.updated_by = by
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:  # a concurrent save took the name between the check and now
        raise FilterError(
            {"name": f"{name!r} is taken by another segment; choose another name"}
        ) from None
    return segment


def segment_delete(segment: Segment) -> None:
    segment.delete()
