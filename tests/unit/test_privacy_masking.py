"""Personal data masked for public views, and the numbers that only look like it."""

from __future__ import annotations

import pytest

from pakn.text.privacy import CCCD, CMND, EMAIL, PHONE, mask_personal_data, personal_data_spans


@pytest.mark.parametrize(
    "phone",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "091-234-5678",
        "+84 912 345 678",
        "+84912345678",
        "(+84) 912345678",
        "84912345678",
        "0084 912 345 678",
        "028.3823.4567",
        "(028) 3823 4567",
        "024 3826 5678",
        "(04) 3826 5678",
        "0168 123 4567",
    ],
)
def test_phone_numbers_in_every_common_form_are_masked(phone: str) -> None:
    assert mask_personal_data(f"Liên hệ {phone} để biết thêm.") == f"Liên hệ {PHONE} để biết thêm."


def test_a_phone_number_glued_to_its_label_or_to_a_full_stop_is_masked() -> None:
    assert mask_personal_data("SĐT:0912345678.") == f"SĐT:{PHONE}."


def test_two_phone_numbers_typed_one_after_the_other_are_both_masked() -> None:
    assert mask_personal_data("gọi 0912345678 0987654321") == f"gọi {PHONE} {PHONE}"
    assert mask_personal_data("nhà số 12 0912345678") == f"nhà số 12 {PHONE}"


def test_teen_code_after_a_phone_number_does_not_save_it() -> None:
    assert mask_personal_data("0912345678 k ai nghe") == f"{PHONE} k ai nghe"


@pytest.mark.parametrize("email", ["an.nguyen@gmail.com", "lan_vu8+pakn@outlook.com.vn", "hoa [at] gmail.com"])
def test_email_addresses_are_masked(email: str) -> None:
    assert mask_personal_data(f"Email: {email}.") == f"Email: {EMAIL}."


@pytest.mark.parametrize(
    ("number", "mask"),
    [
        ("CCCD 027076141839", f"CCCD {CCCD}"),
        ("căn cước 001 092 012 345", f"căn cước {CCCD}"),
        ("CMND 168234567", f"CMND {CMND}"),
        ("CMND số 123 456 789", f"CMND số {CMND}"),
        ("số 168234567", f"số {CMND}"),
    ],
)
def test_identity_numbers_are_masked(number: str, mask: str) -> None:
    assert mask_personal_data(number) == mask


@pytest.mark.parametrize(
    "text",
    [
        "Tôi bị thu 1.500.000 đồng",
        "tiền phạt 2000000đ",
        "khoảng 150k mỗi lần",
        "hỗ trợ 150000000 đồng",
        "giá 123 456 789 đồng",
        "phí dịch vụ 8.000 đồng/m²",
        "từ ngày 12/03/2025 đến 2025-04-01",
        "ngày 12.03.2025",
        "lúc 19:30 ngày 1/5",
        "tại Km12+300 quốc lộ 1A",
        "xe biển số 29A-123.45 và 30E-12345",
        "MST 0101234567",
        "tổng đài 1900 1234 và 1800 599 920",
        "số tài khoản 19036123456789",
        "diện tích 120m2, cao 40cm",
        "năm 2019, 45 ngày, 3 tầng",
    ],
)
def test_money_dates_kilometre_marks_and_plates_are_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_spans_say_what_was_found_and_where() -> None:
    text = "SĐT 0912 345 678, email a@b.vn"
    spans = personal_data_spans(text)
    assert [(text[span.start : span.end], span.kind) for span in spans] == [
        ("0912 345 678", PHONE),
        ("a@b.vn", EMAIL),
    ]


def test_a_phone_number_inside_an_email_address_is_one_email() -> None:
    assert mask_personal_data("0912345678@gmail.com") == EMAIL
