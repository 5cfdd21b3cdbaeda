"""``/api/knowledge/…``: search (BM25 with synonyms, as the page), the entries (list, one,
create, update) and the use counter. The same permissions as the pages: every role with
``knowledge.view_entry`` searches, lists and counts uses; adding and changing need
``knowledge.add_entry`` / ``knowledge.change_entry``. A bad entry is a 422 naming each field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from guanxi.knowledge import search, selectors, services
from guanxi.knowledge.forms import EntryForm
from guanxi.knowledge.models import Entry

router = Router(tags=["knowledge"])
MAX_LIMIT = 100
MAX_PAGE_SIZE = 500


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(f"knowledge.{permission}"):
        raise HttpError(403, f"needs knowledge.{permission}")


class EntryIn(Schema):
    kind: str
    question: str
    answer: str
    scene: str = ""
    keywords: str = ""
    product_id: str = ""


class EntryOut(Schema):
    id: int
    kind: str
    question: str
    answer: str
    scene: str
    keywords: str
    product_id: str
    active: bool
    uses: int
    updated_at: dt.datetime


class HitOut(Schema):
    id: int
    kind: str
    question: str
    answer: str
    scene: str
    uses: int
    score: float
    matched: list[str]  # the words of the hit's text that matched (for highlighting)


class SearchOut(Schema):
    query: str
    concepts: list[list[str]]
    matched: int
    results: list[HitOut]


class EntriesOut(Schema):
    count: int
    page: int
    pages: int
    results: list[EntryOut]


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class UsesOut(Schema):
    id: int
    uses: int


@router.get("/search", response=SearchOut, summary="知识库搜索: BM25 over jieba words, synonyms")
def entry_search(
    request: HttpRequest, q: str, kind: str = "", scene: str = "", limit: int = 20
) -> dict[str, Any]:
    _require(request, "view_entry")
    if not 1 <= limit <= MAX_LIMIT:
        raise HttpError(422, f"limit must be between 1 and {MAX_LIMIT}")
    result = search.search(q, kind=kind, scene=scene, limit=limit)
    return {
        "query": result.query,
        "concepts": result.concepts,
        "matched": result.matched,
        "results": [
            {
                **{k: getattr(h, k) for k in ("id", "kind", "question", "answer", "scene")},
                "uses": h.uses,
                "score": h.score,
                "matched": sorted({p for p, hit in h.question_parts + h.answer_parts if hit}),
            }
            for h in result.hits
        ],
    }


@router.get("/entries", response=EntriesOut, summary="Entries by kind and scene, most used first")
def entry_list(
    request: HttpRequest,
    kind: str = "",
    scene: str = "",
    inactive: bool = False,
    page: int = 1,
    page_size: int = 100,
) -> dict[str, Any]:
    _require(request, "view_entry")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(422, f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    show_inactive = inactive and request.user.has_perm("knowledge.change_entry")
    paginator = Paginator(
        selectors.entries(kind=kind, scene=scene, inactive=show_inactive), page_size
    )
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": list(current.object_list),
    }


def _entry(entry_id: int) -> Entry:
    entry = selectors.entry_get(entry_id)
    if entry is None:
        raise HttpError(404, f"no entry {entry_id}")
    return entry


@router.get("/entries/{entry_id}", response=EntryOut, summary="One entry")
def entry_detail(request: HttpRequest, entry_id: int) -> Entry:
    _require(request, "view_entry")
    return _entry(entry_id)


def _save(request: HttpRequest, body: EntryIn, entry: Entry | None) -> Status[Any]:
    form = EntryForm(body.dict(), instance=entry)
    if not form.is_valid():
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        return Status(422, {"detail": "the entry has errors", "errors": errors})
    saved = form.save(commit=False)
    saved.updated_by = request.user
    saved.save()
    return Status(200 if entry else 201, saved)


@router.post("/entries", response={201: EntryOut, 422: ValidationOut}, summary="Create an entry")
def entry_create(request: HttpRequest, body: EntryIn) -> Status[Any]:
    _require(request, "add_entry")
    return _save(request, body, None)


@router.put(
    "/entries/{entry_id}", response={200: EntryOut, 422: ValidationOut}, summary="Update an entry"
)
def entry_update(request: HttpRequest, entry_id: int, body: EntryIn) -> Status[Any]:
    _require(request, "change_entry")
    return _save(request, body, _entry(entry_id))


@router.post(
    "/entries/{entry_id}/use", response=UsesOut, summary="Count one use (copied or inserted)"
)
def entry_use(request: HttpRequest, entry_id: int) -> dict[str, int]:
    _require(request, "view_entry")
    uses = services.record_use(entry_id)
    if uses is None:
        raise HttpError(404, f"no active entry {entry_id}")
    return {"id": entry_id, "uses": uses}
