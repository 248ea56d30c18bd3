"""The two kinds of input text, and configured names, checked without I/O."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from pakn.core.validation import field_errors
from pakn.settings import AgencyConfig, CategoryConfig, Settings, describe_settings_error
from pakn.text.fields import LineStr, TextStr, clean_text


class Form(BaseModel):
    name: LineStr = Field(min_length=1, max_length=5)
    body: TextStr = Field(min_length=10)


def errors(**data: object) -> dict[str, tuple[str, str]]:
    with pytest.raises(ValidationError) as refused:
        Form.model_validate(data)
    return {error.field: (error.code, error.message_vi) for error in field_errors(refused.value)}


@pytest.mark.parametrize("bad", ["A\r\nB", "A\nB", "A\tB", "A\x00B", "A\x7fB", "A\x85B", "A\u2028B", "AB\n"])
def test_any_control_character_in_one_line_is_refused_not_stripped(bad: str) -> None:
    code, message = errors(name=bad, body="Nội dung đủ dài.")["name"]
    assert code == "control_character" and message.startswith("Không được chứa ký tự điều khiển")


def test_invisible_characters_are_dropped_before_the_length_is_counted() -> None:
    assert errors(name="\u200b" * 3, body="\u200b" * 20) == {
        "name": ("string_too_short", "Phải có ít nhất 1 ký tự."),
        "body": ("string_too_short", "Phải có ít nhất 10 ký tự."),
    }
    # Five letters with invisible characters between them fit in five characters.
    assert Form(name="A\u200dB\u200dC\u2060D\ufeffE\u00ad", body="x" * 10).name == "ABCDE"


def test_multi_line_text_keeps_newlines_and_tabs_and_drops_the_rest() -> None:
    text = " Một\r\nHai\rBa\tbốn\x00\x1b[31m\u202eđỏ\u202c\u2066\u2069 "
    assert clean_text(text) == "Một\nHai\nBa\tbốn[31mđỏ"


def test_lone_surrogates_are_dropped_rather_than_stored() -> None:
    assert clean_text("Ngập\ud800 sâu") == "Ngập sâu"


def test_a_configured_name_with_a_control_character_stops_start_up_with_one_clear_line() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(
            agencies=[AgencyConfig(code="so-xay-dung", name="Sở Xây dựng")],
            config=None,
            categories=[{"code": "giao-thong", "name_vi": "Giao\r\nthông", "name_en": "Traffic"}],
        )
    line = describe_settings_error(refused.value)
    assert line.startswith("cài đặt không hợp lệ / invalid setting categories.0.name_vi: ")
    assert "control characters" in line and "U+000D" in line and "\n" not in line


def test_configured_names_and_addresses_are_one_line_and_never_empty() -> None:
    with pytest.raises(ValidationError):
        AgencyConfig(code="so-a", name="Sở A", emails=["vp@so-a.gov.vn\r\nBcc: x@y"])
    with pytest.raises(ValidationError):
        AgencyConfig(code="so-a", name="\u200b")
    assert CategoryConfig(code="a", name_vi="Giao\u200b thông", name_en="Traffic").name_vi == "Giao thông"
