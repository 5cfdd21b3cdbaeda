"""The shop's knowledge base (知识库, SPEC §6): the Q&A document (客服Q&A文档), quick replies
(快捷短语), unified scripts (统一话术: 催付, 议价 …), after-sales policy and product notes.

Entries are the shop's own wording, not customers' words: they hold no personal
information and are stored in the clear so that they can be indexed.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    QA = "qa", _("问答")
    QUICK_REPLY = "quick_reply", _("快捷短语")
    SCRIPT = "script", _("统一话术")
    POLICY = "policy", _("售后政策")
    PRODUCT = "product", _("商品说明")


class Entry(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    question = models.CharField(_("问题/标题"), max_length=300)
    answer = models.TextField(_("答案/内容"))
    # The situation a script is for (催付, 议价, 发货, 退换 …): a filter and a search field.
    scene = models.CharField(_("场景"), max_length=40, blank=True, default="")
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, default="")
    product_id = models.CharField(_("商品"), max_length=64, blank=True, default="")
    active = models.BooleanField(_("启用"), default=True)
    uses = models.PositiveIntegerField(_("使用次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "question"]
        verbose_name = _("知识条目")
        # The search's version token reads max(updated_at) before every search: an index
        # makes it one B-tree lookup instead of a scan of every entry.
        indexes = [models.Index(fields=["updated_at"], name="knowledge_entry_updated")]

    def __str__(self) -> str:
        return self.question


class Synonym(models.Model):
    """A group of words a customer uses for the same thing (退货/退换/退回, 快递/物流/包裹).
    A query word found in a group also matches the group's other words (``knowledge.search``);
    the words are kept in ``words`` separated by spaces, commas or 、."""

    words = models.CharField(_("同义词组"), max_length=300)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("同义词组")

    def __str__(self) -> str:
        return self.words

    def word_list(self) -> list[str]:
        return split_words(self.words)


def split_words(text: str) -> list[str]:
    """The words of a group or a keyword list: split on spaces, commas (both widths), 、 ; /,
    lower-cased, blanks and repeats dropped, order kept."""
    seen: dict[str, None] = {}
    for word in re.split(r"[\s,，、;；/]+", text):
        word = word.strip().lower()
        if word:
            seen.setdefault(word, None)
    return list(seen)
