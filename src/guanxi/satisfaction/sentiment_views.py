"""The sentiment model page (情感模型): which model is in use and how well it does, measured
against the baselines on the held-out sets, and a box to try a sentence.

The tried sentence is classified and shown, never stored or logged (it is not in the URL:
the form posts)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from guanxi.satisfaction import sentiment_presenters as presenters
from guanxi.satisfaction import sentiment_service, sentiment_store
from guanxi.stats import review_themes
from guanxi.web.exports.safe import csv_text


class TryForm(forms.Form):
    text = forms.CharField(
        label=_("试一句评价"),
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("例如：衣服不错就是物流太慢")}),
        error_messages={
            "required": _("请输入一句评价再分析。"),
            "max_length": _("评价最多 500 个字，请缩短后再试。"),
        },
    )


@login_required
@permission_required("satisfaction.view_results", raise_exception=True)
def sentiment_page(request: HttpRequest) -> HttpResponse:
    loaded = sentiment_store.current()
    meta = loaded.meta
    tried = None
    form = TryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = sentiment_service.classify([form.cleaned_data["text"]])[0]
        language = request.LANGUAGE_CODE
        tried = {
            "label": result.label,
            "label_name": presenters.label_name(result.label),
            "score": result.score,
            "themes": [review_themes.label(t, language) for t in result.themes],
        }
    context = {
        "sat_tab": "sentiment",
        "meta": meta,
        "stored": loaded.stored,
        "trained_at": dt.datetime.fromisoformat(meta["trained_at"]),  # shown in local time
        "note": loaded.note,
        "kind": presenters.KIND_NAMES.get(meta["kind"], meta["kind"]),
        "chosen_name": presenters.model_name(meta["chosen"]),
        # a model stored before the choice moved to the train split has no such figures
        "selection": [
            (presenters.model_name(k), f"{v:.3f}") for k, v in meta.get("selection", {}).items()
        ],
        "rows": presenters.evaluation_rows(meta),
        "set_names": list(presenters.SET_NAMES.values()),
        "matrices": presenters.matrices(meta),
        "checks": [
            {
                **c,
                "label_name": presenters.label_name(c["label"]),
                "expected_name": presenters.label_name(c["expected"]),
            }
            for c in meta["checks"]
        ],
        "chart": presenters.chart(meta),
        "form": form,
        "tried": tried,
    }
    return render(request, "satisfaction/sentiment.html", context)


@login_required
@permission_required("satisfaction.view_results", raise_exception=True)
def sentiment_export(request: HttpRequest) -> HttpResponse:
    meta = sentiment_store.current().meta
    response = HttpResponse(
        csv_text(presenters.export_rows(meta)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sentiment-evaluation.csv"'
    return response
