"""Open311 pieces without I/O: XML documents and checking attribute answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pakn.core.problems import Problem
from pakn.open311.attributes import check_attributes
from pakn.open311.xml import render
from pakn.settings.open311 import Open311Attribute, Open311Config

ATTRIBUTES = [
    Open311Attribute(code="so-xe", datatype="number", description="Số xe liên quan", required=True),
    Open311Attribute(code="luc", datatype="datetime", description="Thời điểm xảy ra"),
    Open311Attribute(code="ghi-chu", datatype="string", description="Ghi chú"),
    Open311Attribute(code="huong-dan", description="Chụp ảnh rõ biển số", variable=False),
    Open311Attribute(code="loai", datatype="multivaluelist", description="Loại", values={"a": "A", "b": "B"}),
]


def test_xml_escapes_text_and_names_list_items_by_their_parent() -> None:
    document = render(
        "service_requests",
        [{"description": 'Rác & <nước> "bẩn"', "lat": 21.5, "notes": [{"summary": "Đã tiếp nhận"}], "media_url": None}],
    )
    root = ET.fromstring(document)
    assert root.findtext("request/description") == 'Rác & <nước> "bẩn"'
    assert root.findtext("request/lat") == "21.5" and root.find("request/media_url").text is None  # type: ignore[union-attr]
    assert root.findtext("request/notes/note/summary") == "Đã tiếp nhận"
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>") and "Rác".encode() in document


def test_xml_drops_characters_xml_cannot_carry_and_writes_booleans_as_words() -> None:
    root = ET.fromstring(render("services", [{"service_name": "a\x00b\x0bc\ufffe", "metadata": False}]))
    assert root.findtext("service/service_name") == "abc" and root.findtext("service/metadata") == "false"


def test_answers_are_typed_and_stored_per_code() -> None:
    answers = check_attributes(
        "giao-thong",
        {"so-xe": ["3"], "luc": ["2026-03-01T07:30:00+07:00"], "loai": ["b", "a", "b"], "ghi-chu": [" "]},
        frozenset({"loai"}),
        ATTRIBUTES,
    )
    assert answers == {"so-xe": 3, "luc": "2026-03-01T07:30:00+07:00", "loai": ["b", "a"]}


@pytest.mark.parametrize(
    ("given", "listed", "wording"),
    [
        ({}, set(), "bắt buộc"),
        ({"so-xe": ["ba"]}, set(), "số"),
        ({"so-xe": ["1e400"]}, set(), "số"),
        ({"so-xe": ["1", "2"]}, set(), "một giá trị"),
        ({"so-xe": ["1"]}, {"so-xe"}, "một giá trị"),
        ({"so-xe": ["1"], "luc": ["hôm qua"]}, set(), "W3C"),
        ({"so-xe": ["1"], "huong-dan": ["x"]}, set(), "không có thuộc tính"),
        ({"so-xe": ["1"], "loai": ["c"]}, set(), "c"),
        ({"so-xe": ["1"], "ghi-chu": ["x" * 501]}, set(), "500"),
    ],
)
def test_wrong_answers_are_a_400_naming_the_attribute(
    given: dict[str, list[str]], listed: set[str], wording: str
) -> None:
    with pytest.raises(Problem) as refused:
        check_attributes("giao-thong", given, frozenset(listed), ATTRIBUTES)
    assert refused.value.status == 400 and refused.value.errors[0].field.startswith("attribute[")
    assert wording in refused.value.errors[0].message_vi


def test_list_attributes_need_values_and_codes_are_unique() -> None:
    with pytest.raises(ValueError, match="values"):
        Open311Attribute(code="x", datatype="singlevaluelist", description="X")
    with pytest.raises(ValueError, match="repeat"):
        Open311Config(attributes={"khac": [ATTRIBUTES[0], ATTRIBUTES[0]]})
