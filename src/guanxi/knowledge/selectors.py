"""Reading the knowledge base for the pages and the API (search itself is ``search``)."""

from __future__ import annotations

from django.db.models import QuerySet

from guanxi.knowledge.models import Entry
from guanxi.knowledge.search import Hit
from guanxi.knowledge.text import highlight


def entries(*, kind: str = "", scene: str = "", inactive: bool = False) -> QuerySet[Entry]:
    """The entries to browse: by kind, then the most used first."""
    rows = Entry.objects.all()
    if not inactive:
        rows = rows.filter(active=True)
    if kind:
        rows = rows.filter(kind=kind)
    if scene:
        rows = rows.filter(scene=scene)
    return rows.order_by("kind", "-uses", "question")


def scenes() -> list[str]:
    """The scenes in use, for the filter."""
    return sorted(
        s for s in Entry.objects.exclude(scene="").values_list("scene", flat=True).distinct()
    )


def as_hit(entry: Entry) -> Hit:
    """An entry shown like a search hit (nothing highlighted)."""
    return Hit(
        id=entry.id,
        kind=entry.kind,
        kind_label=entry.get_kind_display(),
        question=entry.question,
        answer=entry.answer,
        scene=entry.scene,
        keywords=entry.keywords,
        product_id=entry.product_id,
        uses=entry.uses,
        score=0.0,
        question_parts=highlight(entry.question, ()),
        answer_parts=highlight(entry.answer, ()),
        active=entry.active,
    )


def entry_get(entry_id: int) -> Entry | None:
    return Entry.objects.filter(pk=entry_id).first()
