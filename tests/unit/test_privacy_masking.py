"""Personal data masked for public views, and the numbers that only look like it."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from pakn.text.privacy import (
    CCCD,
    CMND,
    EMAIL,
    NAME,
    PHONE,
    holds_personal_data,
    mask_personal_data,
    name_spans,
    personal_data_spans,
)


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


SAMPLE = Path(__file__).parents[1] / "data" / "triage_sample.jsonl"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Ông Trần Văn Cường đổ rác ra đường.", f"Ông {NAME} đổ rác ra đường."),
        ("nhà bà Lan hát karaoke tới 1 giờ sáng", f"nhà bà {NAME} hát karaoke tới 1 giờ sáng"),
        ("anh Minh và chị Lan Anh bán hàng lấn chiếm", f"anh {NAME} và chị {NAME} bán hàng lấn chiếm"),
        ("cháu Bảo, em Hoa, cô Thu", f"cháu {NAME}, em {NAME}, cô {NAME}"),
        ("chú Tư, bác Năm, cụ Tý, dì Ba", f"chú {NAME}, bác {NAME}, cụ {NAME}, dì {NAME}"),
        ("gặp ông Nguyễn Thị Thu Hà Nội", f"gặp ông {NAME} Nội"),  # four syllables at most
    ],
)
def test_names_after_a_form_of_address_are_masked_and_the_form_kept(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_a_name_typed_without_diacritics_or_decomposed_is_masked_too() -> None:
    assert mask_personal_data("ong Tran Van Cuong o duong Tran Hung Dao") == f"ong {NAME} o duong Tran Hung Dao"
    assert mask_personal_data("chi Hoa goi 0912345678") == f"chi {NAME} goi {PHONE}"
    decomposed = unicodedata.normalize("NFD", "Ông Trần Văn Cường và bà Lan")
    assert unicodedata.normalize("NFC", mask_personal_data(decomposed)) == f"Ông {NAME} và bà {NAME}"


@pytest.mark.parametrize(
    "text",
    [
        "đường Trần Hưng Đạo, phường Lê Lợi, quận Hoàn Kiếm",
        "phố Bà Triệu, số 12 Bà Triệu, chợ Bà Chiểu, xã Bà Điểm",
        "cầu Ông Lãnh, đường Ông Ích Khiêm, tỉnh Bà Rịa - Vũng Tàu",
        "huyện Ba Vì, tỉnh Bắc Ninh, huyen Ba Vi, tinh Bac Ninh, cau Chuong Duong",
        "trên đường Lý Anh Tông, Lê Anh Tuấn nói",
        "tượng đài Bác Hồ ở quảng trường",
        "ông trần văn cường",  # lowercase: no sign of a name, left as typed
        "bà con, anh em, ông ấy, chị em công nhân, cháu bị sốt",
        "di Ha Noi, co Cong an phuong, cu Thanh Cong",
    ],
)
def test_place_names_and_ordinary_words_after_those_words_are_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_the_forms_of_address_in_the_labelled_sample_are_not_taken_for_names() -> None:
    # The sample names no person, but uses these words often: "bà con", "anh em", "Bà cụ", "ba tầng".
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    texts = [text for record in records for text in (record["title"], record["content"])]
    forms = re.compile(r"\b(?:ông|bà|ba|anh|chị|chi|em|cô|cụ|cháu|bác)\b", re.IGNORECASE)
    assert sum(bool(forms.search(text)) for text in texts) >= 10
    assert [text for text in texts if name_spans(text)] == []


def test_a_query_holding_personal_data_is_told_apart() -> None:
    for query in ("0912345678", "dan@example.com", "ông Trần Văn Cường", "CCCD 027076141839"):
        assert holds_personal_data(query), query
    for query in ("đèn đường hỏng", "Trần Hưng Đạo", "ông", "1.500.000 đồng"):
        assert not holds_personal_data(query), query
