"""Surveys in a browser: a manager builds a survey from the CSAT template, opens it and sends
it to a segment; a customer opens one invitation's link on a 390 px phone (not logged in)
and answers it — a ``<script>`` typed into the text answer is shown back as text and runs
nothing — and the survey page counts the answer. Every page in Chinese and English at
1440 and 390 px, nothing wider than the screen; screenshots in var/screenshots."""

from __future__ import annotations

import pytest

from guanxi.customers.services import CustomerRecord, customer_create
from guanxi.satisfaction import services
from guanxi.satisfaction.models import Answer, Survey
from guanxi.segments.services import segment_save
from tests.browser.test_foundation import _login, _shot
from tests.browser.test_phone_layout import DESKTOP, PHONE, _fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert('xss')</script>包装好"


def _watch(page, alerts: list[str]) -> None:
    """Accept the pages' own confirm() questions; any other dialog is a script that ran."""

    def on_dialog(dialog) -> None:
        if dialog.type != "confirm":
            alerts.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    page.on("dialog", on_dialog)


def _english(context, base: str) -> None:
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def test_build_send_answer_and_count(browser, live_server, make_user) -> None:
    for i in (1, 2):
        customer_create(CustomerRecord(name=f"张{i}号", mobile=f"1391234567{i}", province="浙江"))
    segment_save(name="浙江客户", filters={"provinces": ["浙江"]}, by="test")
    manager = make_user("manager")
    base = live_server.url
    problems: list[str] = []
    alerts: list[str] = []

    staff = browser.new_context(locale="zh-CN", viewport=DESKTOP).new_page()
    _watch(staff, alerts)
    _login(staff, base, manager.username, manager.password)
    staff.wait_for_load_state("load")

    # Build from the CSAT template, open, send to the segment.
    staff.goto(f"{base}/satisfaction/surveys/new/")
    staff.check('input[name="template"][value="csat"]')
    staff.fill("#id_name", "六月售后回访")
    staff.click("#survey-new button[type=submit]")
    staff.wait_for_selector("#survey-open")
    survey = Survey.objects.get(name="六月售后回访")
    assert survey.questions.count() == 5
    detail = f"{base}/satisfaction/surveys/{survey.pk}/"
    staff.click("#survey-open")
    staff.wait_for_selector('#survey-state[data-state="open"]')
    staff.select_option("#id_segment", label="浙江客户")
    staff.click("#send-segment button[type=submit]")
    staff.wait_for_selector(".flash.success")
    assert staff.locator("#count-invited").inner_text() == "2"
    link = staff.locator("a.invitation-link").first.get_attribute("href")
    assert link and link.startswith("/satisfaction/s/")

    # The customer answers on a phone, not logged in; first with a question left out.
    customer = browser.new_context(locale="zh-CN", viewport=PHONE)
    phone = customer.new_page()
    _watch(phone, alerts)
    phone.goto(base + link)
    problems.append(_fits(phone, "answer page [zh-hans]") or "")
    _shot(phone, "sv-answer-zh-hans-390")
    questions = list(survey.questions.order_by("position", "id"))
    for q in questions[1:4]:
        phone.click(f'label[for="q{q.pk}-4"]')
    phone.fill(f"#q{questions[4].pk}", SCRIPT)
    phone.click("#answer-form button[type=submit]")
    phone.wait_for_selector(f'[data-error-for="q{questions[0].pk}"]')
    # Shown back as text: the textarea holds the words, no script ran.
    assert phone.input_value(f"#q{questions[4].pk}") == SCRIPT
    problems.append(_fits(phone, "answer errors [zh-hans]") or "")
    _shot(phone, "sv-answer-errors-zh-hans-390")
    phone.click(f'label[for="q{questions[0].pk}-5"]')
    phone.click("#answer-form button[type=submit]")
    phone.wait_for_selector("#answer-thanks")
    _shot(phone, "sv-answer-thanks-zh-hans-390")
    _english(customer, base)
    phone.goto(base + link)
    phone.wait_for_selector('#answer-refused[data-code="used"]')
    assert phone.locator("html").get_attribute("lang") == "en"
    _shot(phone, "sv-answer-used-en-390")
    other = staff.locator("a.invitation-link").nth(1).get_attribute("href")
    phone.goto(base + other)
    problems.append(_fits(phone, "answer page [en]") or "")
    _shot(phone, "sv-answer-en-390")
    customer.close()
    text = Answer.objects.get(question=questions[4])
    assert text.text == SCRIPT and text.response.answers.count() == 5

    # The survey page counts the answer; every staff page at both widths, both languages.
    staff.goto(detail)
    assert staff.locator("#count-answered").inner_text() == "1"
    assert staff.locator('tr[data-status="answered"]').count() == 1
    # ... and its results read it: 1 answered of 2 sent; the overall rating was 5, so CSAT
    # (4–5 ÷ all) is 1 / 1 = 100 %; the typed script is a text answer, shown as text.
    staff.click("#survey-results")
    staff.wait_for_selector("#result-tiles")
    assert staff.locator('[data-metric="responses"] .value').inner_text().strip() == "1"
    assert staff.locator('[data-metric="rate"] .value').inner_text().strip() == "1 / 2"
    assert "1 / 1" in staff.locator('[data-metric="csat"] .formula').inner_text()
    assert "100" in staff.locator('[data-metric="csat"] .value').inner_text()
    _shot(staff, "sv-results-zh-hans-1440")
    # A draft with its question form open, and a question's edit page.
    draft = services.create_from_template("servqual", "服务质量调查", "ten")
    item = draft.questions.order_by("position").first()
    assert item is not None
    pages = {
        "draft": f"{base}/satisfaction/surveys/{draft.pk}/?add=1",
        "question": f"{base}/satisfaction/surveys/{draft.pk}/questions/{item.pk}/",
        "list": f"{base}/satisfaction/surveys/",
        "new": f"{base}/satisfaction/surveys/new/",
        "detail": detail,
        "phone-entry": f"{detail}phone/",
        "results": f"{base}/satisfaction/results/{survey.pk}/",
    }
    for language in ("zh-hans", "en"):
        if language == "en":
            _english(staff.context, base)
        for size, viewport in (("1440", DESKTOP), ("390", PHONE)):
            staff.set_viewport_size(viewport)
            for name, url in pages.items():
                staff.goto(url)
                problems.append(_fits(staff, f"{name} [{language} {size}]") or "")
                _shot(staff, f"sv-{name}-{language}-{size}")
    staff.context.close()
    assert [p for p in problems if p] == []
    assert alerts == []
