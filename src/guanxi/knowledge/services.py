"""Writing the knowledge base: entries saved and (de)activated, uses counted, synonym groups
replaced. Every write changes ``updated_at`` or the row count, which is what the search's
version token watches (``knowledge.search``): no explicit cache invalidation is needed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanxi.knowledge.models import Entry, Synonym, split_words


class SynonymError(ValueError):
    """A bad line in the synonym groups; ``line`` counts from 1."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def record_use(entry_id: int) -> int | None:
    """Count one use (an agent copied or inserted the entry): one atomic ``UPDATE … SET uses =
    uses + 1``, so that two agents using it at once count two. The new count, or None for an
    unknown or inactive entry."""
    changed = Entry.objects.filter(pk=entry_id, active=True).update(uses=F("uses") + 1)
    if not changed:
        return None
    return Entry.objects.values_list("uses", flat=True).get(pk=entry_id)


def set_active(entry: Entry, active: bool, by: Any) -> Entry:
    """Deactivate (kept, out of search and suggestions, its usage count kept) or reactivate."""
    entry.active = active
    entry.updated_by = by
    entry.save(update_fields=["active", "updated_by", "updated_at"])
    return entry


def parse_synonyms(text: str) -> list[list[str]]:
    """One group a line, words separated by spaces, commas or 、; a group needs two words.
    Raises ``SynonymError`` naming the first bad line."""
    groups: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        words = split_words(line)
        if len(words) < 2:
            raise SynonymError(
                number,
                _("第 %(line)s 行：一组同义词至少要有两个词（用空格、逗号或顿号隔开）。")
                % {"line": number},
            )
        if len(line) > 300:
            raise SynonymError(
                number, _("第 %(line)s 行：一组最多 300 个字符。") % {"line": number}
            )
        groups.append(words)
    return groups


@transaction.atomic
def replace_synonyms(text: str) -> int:
    """Replace every synonym group by the groups in ``text`` (all or nothing)."""
    groups = parse_synonyms(text)
    Synonym.objects.all().delete()
    Synonym.objects.bulk_create(Synonym(words="、".join(words)) for words in groups)
    return len(groups)


def synonyms_text() -> str:
    return "\n".join("、".join(s.word_list()) for s in Synonym.objects.all())
