import pytest

from guanxi.core import pii


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812341234", "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("138-1234-1234", "13812341234"),
        ("+86 138 1234 1234", "13812341234"),
        ("008613812341234", "13812341234"),
        ("8613812341234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
    ],
)
def test_mobile_is_normalised(raw: str, expected: str) -> None:
    assert pii.normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12812341234", "1381234123", "138123412345", "abc", ""])
def test_malformed_mobile_is_refused_with_reason(raw: str) -> None:
    with pytest.raises(pii.InvalidContactError, match="not a mainland mobile number"):
        pii.normalise_mobile(raw)


def test_email_is_normalised_and_checked() -> None:
    assert pii.normalise_email(" Li.Na＠Example.COM ") == "li.na@example.com"
    with pytest.raises(pii.InvalidContactError, match="not an email address"):
        pii.normalise_email("li.na@example")


def test_masks() -> None:
    assert pii.mask_mobile("13812341234") == "138****1234"
    assert pii.mask_email("lina@example.com") == "l***@example.com"
    assert pii.mask_name("张伟") == "张*"
    assert pii.mask_name("欧阳娜娜") == "欧阳**"
    assert pii.mask_address("浙江省杭州市西湖区文三路 100 号") == "浙江省杭州市****"


def test_region_of_reads_province_and_city() -> None:
    from guanxi.core.pii import region_of

    assert region_of("浙江省杭州市西湖区文三路1号") == ("浙江省", "杭州市")
    assert region_of("上海市浦东新区世纪大道2号") == ("上海市", "上海市")
    assert region_of("广西壮族自治区南宁市青秀区") == ("广西壮族自治区", "南宁市")
    assert region_of("湖北省恩施土家族苗族自治州恩施市") == ("湖北省", "恩施土家族苗族自治州")
    assert region_of("火星基地") == ("", "")
