"""Edits on the profile (issue 15 item 8): master fields validated field by field, the blind
indexes kept in step, a change history that never holds a clear value; notes masked for a
user without reveal; tags; the pin form; who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from guanxi.core.models import AuditEntry
from guanxi.customers import profile, selectors
from guanxi.customers.models import ClassPin, Customer, CustomerChange
from guanxi.lake import Lake
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang() -> Customer:
    return customer()


def _history() -> list[tuple[str, str, str, str]]:
    return list(
        CustomerChange.objects.order_by("id").values_list(
            "field", "old_masked", "new_masked", "changed_by"
        )
    )


# -- the service ---------------------------------------------------------------------------------
def test_an_edit_writes_encrypted_values_indexes_and_a_masked_history(zhang: Customer) -> None:
    changes = profile.customer_update(
        zhang,
        {
            "name": "李小红",
            "mobile": "+86 139-8765-4321",  # normalised to 11 digits
            "email": "Li.XH@Example.com",  # lower-cased
            "birth_date": "1992-02-29",
            "city": "宁波",
            "gender": "male",  # unchanged: no history row
        },
        user="manager1",
    )
    assert [c.field for c in changes] == ["name", "mobile", "email", "birth_date", "city"]
    fresh = Customer.objects.get(pk=zhang.pk)
    assert (fresh.name, fresh.mobile, fresh.email, fresh.birth_date, fresh.city) == (
        "李小红",
        "13987654321",
        "li.xh@example.com",
        "1992-02-29",
        "宁波",
    )
    # The search finds her by the new values only (blind indexes updated).
    assert [c.pk for c in selectors.customer_search("13987654321")] == [zhang.pk]
    assert [c.pk for c in selectors.customer_search("4321")] == [zhang.pk]
    assert [c.pk for c in selectors.customer_search("li.xh@example.com")] == [zhang.pk]
    assert [c.pk for c in selectors.customer_search("李小红")] == [zhang.pk]
    assert not selectors.customer_search(MOBILE).exists()
    assert not selectors.customer_search(NAME).exists()
    assert _history() == [
        ("name", "张**", "李**", "manager1"),
        ("mobile", "138****5678", "139****4321", "manager1"),
        ("email", "z***@example.com", "l***@example.com", "manager1"),
        ("birth_date", "1990-**-**", "1992-**-**", "manager1"),
        ("city", "杭州", "宁波", "manager1"),
    ]
    stored = " ".join(" ".join(row) for row in _history())
    for plain in (MOBILE, "13987654321", NAME, "李小红", EMAIL, "li.xh@example.com", "1992-02-29"):
        assert plain not in stored


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"mobile": "1381234567"}, "mobile", "手机号须为 11 位大陆手机号码"),
        ({"mobile": "12812345678"}, "mobile", "手机号须为 11 位大陆手机号码"),
        ({"email": "zhang.example.com"}, "email", "邮箱格式不对，应像 name@example.com。"),
        ({"birth_date": "1990-02-30"}, "birth_date", "请按 年-月-日 填写一个存在的日期"),
        ({"birth_date": "17/05/1990"}, "birth_date", "请按 年-月-日 填写一个存在的日期"),
        ({"birth_date": "2999-01-01"}, "birth_date", "出生日期须在 1900-01-01 与今天之间。"),
        ({"gender": "x"}, "gender", "性别请选 女、男 或 未知。"),
        ({"province": "很" * 21}, "province", "最多 20 个字符（现在 21 个），请缩短。"),
        ({"customer_class": "vip"}, "customer_class", "不是可编辑的字段"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    zhang: Customer, values: dict[str, str], field: str, message: str
) -> None:
    # A good field beside the bad one: the whole edit is refused, the good one not kept.
    with pytest.raises(profile.ProfileEditError) as refused:
        profile.customer_update(zhang, {"city": "宁波", **values}, user="manager1")
    assert list(refused.value.errors) == [field]
    assert refused.value.errors[field].startswith(message)
    fresh = Customer.objects.get(pk=zhang.pk)
    assert (fresh.city, fresh.mobile, fresh.email) == ("杭州", MOBILE, EMAIL)
    assert not CustomerChange.objects.exists()


def test_clearing_a_field_empties_it_and_its_index(zhang: Customer) -> None:
    profile.customer_update(zhang, {"email": ""}, user="manager1")
    fresh = Customer.objects.get(pk=zhang.pk)
    assert (fresh.email, bytes(fresh.email_index)) == ("", b"")
    assert _history() == [("email", "z***@example.com", "", "manager1")]


def test_notes_history_is_masked_against_the_customers_values(zhang: Customer) -> None:
    profile.notes_update(zhang, "张伟明说改用 13812345678 联系，身份证见档案", user="manager1")
    assert Customer.objects.get(pk=zhang.pk).notes == "张伟明说改用 13812345678 联系，身份证见档案"
    ((field, old, new, _by),) = _history()
    assert (field, old) == ("notes", "喜欢红色包装")
    assert new == "张**说改用 138****5678 联系，身份证见档案"


def test_tags_are_set_exactly_with_one_history_row(zhang: Customer) -> None:
    assert profile.parse_tags("大码，老客户 、 回购  大码") == ["大码", "老客户", "回购"]
    profile.tags_set(zhang, ["大码", "回购"], user="manager1")
    assert sorted(t.name for t in Customer.objects.get(pk=zhang.pk).tags.all()) == ["回购", "大码"]
    assert _history() == [("tags", "老客户", "回购、大码", "manager1")]
    assert profile.tags_set(zhang, ["回购", "大码"], user="manager1") is None  # no change


# -- the page ------------------------------------------------------------------------------------
def test_the_edit_form_appears_only_on_the_revealed_page(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    login(client, make_user, "manager")
    masked = client.get(f"/customers/{KEY}/").content.decode()
    assert 'id="edit-master"' not in masked and 'id="edit-hint"' in masked
    assert MOBILE not in masked
    revealed = client.post(f"/customers/{KEY}/reveal/").content.decode()
    assert 'id="edit-master"' in revealed
    assert f'value="{MOBILE}"' in revealed  # pre-filled, on the audited page only
    assert AuditEntry.objects.count() == 1


def test_a_page_edit_saves_and_a_bad_one_names_the_field(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    login(client, make_user, "manager")
    bad = client.post(f"/customers/{KEY}/edit/", {"mobile": "138123", "email": "li@example.com"})
    assert bad.status_code == 400
    errors = bad.context["master_form"].errors
    assert list(errors) == ["mobile"]
    assert "手机号须为 11 位大陆手机号码" in errors["mobile"][0]
    assert Customer.objects.get(pk=zhang.pk).email == EMAIL  # nothing written

    good = client.post(f"/customers/{KEY}/edit/", {"mobile": "13987654321"})
    assert good.status_code == 302 and good["Location"] == f"/customers/{KEY}/"
    page = client.get(good["Location"]).content.decode()
    assert "已保存：手机。" in page
    assert "139****4321" in page and "13987654321" not in page  # history shown masked


def test_notes_are_masked_for_a_user_without_reveal(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    profile.notes_update(zhang, "张伟明要求只打 13812345678", user="manager1")
    login(client, make_user, "marketing")
    html = client.get(f"/customers/{KEY}/").content.decode()
    assert 'data-field="notes">张**要求只打 138****5678<' in html
    assert "13812345678" not in html and "张伟明" not in html


def test_the_pin_form_pins_with_a_reason_and_refuses_without(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    login(client, make_user, "manager")
    refused = client.post(f"/customers/{KEY}/pin/", {"customer_class": "core", "reason": ""})
    assert refused.status_code == 302
    assert not ClassPin.objects.exists()
    assert "原因：" in client.get(f"/customers/{KEY}/").content.decode()

    client.post(f"/customers/{KEY}/pin/", {"customer_class": "core", "reason": "门店老客户"})
    pin = ClassPin.objects.get()
    assert (pin.customer_class, pin.reason, pin.pinned_by) == ("core", "门店老客户", "manager1")
    html = client.get(f"/customers/{KEY}/").content.decode()
    assert 'id="pin-reason">门店老客户<' in html

    client.post(f"/customers/{KEY}/pin/", {"action": "unpin"})
    pin.refresh_from_db()
    assert pin.removed_by == "manager1" and pin.removed_at is not None
    assert Customer.objects.get(pk=zhang.pk).customer_class == "ordinary"  # no standing: 普通


@pytest.mark.parametrize("role", ["agent", "marketing"])
@pytest.mark.parametrize("action", ["edit", "notes", "tags", "pin"])
def test_only_staff_who_may_change_customers_edit(
    client: Client, make_user, zhang: Customer, lake: Lake, role: str, action: str
) -> None:
    login(client, make_user, role, agent_id="kf1" if role == "agent" else "")
    data = {
        "mobile": "13987654321",
        "notes": "x",
        "tags": "x",
        "customer_class": "vip",
        "reason": "x",
    }
    assert client.post(f"/customers/{KEY}/{action}/", data).status_code == 403
    fresh = Customer.objects.get(pk=zhang.pk)
    assert (fresh.mobile, fresh.notes, fresh.customer_class) == (MOBILE, "喜欢红色包装", "vip")
    assert not CustomerChange.objects.exists() and not ClassPin.objects.exists()
    html = client.get(f"/customers/{KEY}/").content.decode()
    assert 'id="pin-form"' not in html and 'id="tags-form"' not in html


def test_the_birth_date_check_uses_the_shop_day(zhang: Customer) -> None:
    today = dt.date(2025, 6, 1)
    assert profile.clean_master({"birth_date": "2025-06-01"}, today=today) == {
        "birth_date": "2025-06-01"
    }
    with pytest.raises(profile.ProfileEditError):
        profile.clean_master({"birth_date": "2025-06-02"}, today=today)
