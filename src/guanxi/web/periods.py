"""The period a page asks for: ``?start=&end=`` through ``PeriodForm``, or a default.

Every page with a period reads it here; the API and the CLI use ``core.timeutil``'s
``period_between`` and ``parse_month``, so a period means the same everywhere.
"""

from __future__ import annotations

from django.http import QueryDict

from guanxi.core.timeutil import Period
from guanxi.web.forms import PeriodForm


def period_from_query(query: QueryDict, default: Period) -> tuple[PeriodForm, Period]:
    """The form bound to ``?start=&end=`` and its period; ``default`` when neither is given
    or the form is invalid (the form then shows why)."""
    if "start" in query or "end" in query:
        form = PeriodForm(query)
        return form, form.period() if form.is_valid() else default
    return PeriodForm(initial={"start": default.start, "end": default.end}), default
