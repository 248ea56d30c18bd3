"""Danger words mark a report urgent; their look-alikes, their past, their
future, their negation and their everyday senses do not."""

from __future__ import annotations

import unicodedata

import pytest

from pakn.intelligence.rules import UrgencyScore, urgency_score
from pakn.intelligence.suggestions import Engine
from pakn.settings import Settings
from pakn.text.fold import fold
from pakn.text.matching import document


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_settings(Settings(config=None))


def danger(engine: Engine, content: str, title: str = "") -> UrgencyScore:
    return urgency_score(engine.rules, document(title), document(content))


@pytest.mark.parametrize(
    "text",
    [
        "Nhà dân trong ngõ đang bốc cháy, khói đen dày đặc.",
        "Đường Lê Lợi ngập sâu, nước tràn vào nhà.",
        "Trần phòng học vừa sập xuống, học sinh bị thương.",
        "Cây đổ chắn ngang đường, đang đè lên một xe máy.",
        "Dây điện rơi xuống vỉa hè sau cơn giông.",
        "Vừa xảy ra tai nạn giữa xe tải và xe máy, cần cấp cứu gấp.",
        "Hai nhóm đánh nhau có hung khí trước quán nhậu.",
        "Bờ sông đang sạt lở sát móng nhà dân.",  # bare, a landslide is as often chronic or the aftermath
        "NHÀ BÊN CẠNH ĐANG CHÁY 🔥🔥",
        "nha ben canh dang chay, khoi den kin ngo, can cuu hoa gap",
        "dây điện đứt 😱 đang toé lửa ngay cổng trường",
        "Nhàbênđangbốccháy",
        unicodedata.normalize("NFD", "Nhà kho đang bốc cháy dữ dội"),
    ],
)
def test_danger_words_mark_a_report_urgent(engine: Engine, text: str) -> None:
    found = danger(engine, text)
    assert found.urgent, found
    assert found.words


@pytest.mark.parametrize(
    "text",
    [
        "Hồ sơ của tôi sắp hết hạn, đề nghị giải quyết.",  # sắp, not sập
        "Xe tải chạy rất nhanh qua khu dân cư.",  # chạy, not cháy
        "Hẻm nhỏ nhiều rác, đề nghị thu gom.",
        "Tháng trước có một vụ tai nạn ở ngã tư, đề nghị lắp đèn.",  # a past accident
        "Cây đổ vào dây điện hôm qua, cả xóm mất điện từ trưa.",  # no cue that it is still so
        "Xưởng đốt phế liệu ngay trong khu dân cư, khói mù mịt.",  # "ngay" here means "right in"
        "Đường này rất nguy hiểm, đề nghị lắp biển báo.",
        "Ho so sap het han, de nghi giai quyet som.",  # "sap" alone may be sắp
    ],
)
def test_look_alikes_and_old_news_are_not_urgent(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent


def test_the_title_counts_too(engine: Engine) -> None:
    assert danger(engine, "Cần lực lượng đến.", title="CHÁY NHÀ DÂN").urgent


# An unaccented phrase is safe where its syllables alone are not: "sap" may be
# sập or sắp, "bi sap" only sập.
COLLAPSE = "Mái nhà văn hóa thôn bị sập một góc, đề nghị kiểm tra."


@pytest.mark.parametrize(
    "text",
    [
        COLLAPSE,
        fold(COLLAPSE),
        unicodedata.normalize("NFD", COLLAPSE),
        "Máinhà văn hóa thôn bịsập mộtgóc, đềnghị kiểm tra.",
        "kho hang dang chay lon, khoi boc cao",
        "dut day dien truoc cong cho, tre con dang dung gan",
        "xe khach bi lat ben duong, nhieu nguoi dang ket ben trong",
    ],
)
def test_unaccented_phrases_keep_their_danger_in_every_spelling(engine: Engine, text: str) -> None:
    assert danger(engine, text).urgent, danger(engine, text)


def test_an_unaccented_look_alike_hides_the_phrase_it_folds_to(engine: Engine) -> None:
    # "lan xuong" is "lấn xuống" (encroaching) as well as "lăn xuống" (rolling down).
    assert not danger(engine, "mot ho dang xay nha lan xuong mep kenh").urgent
    assert danger(engine, "Đất đá đang lăn xuống sát nhà dân.").urgent


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Đám cháy ở xưởng mộc đã được dập tắt. Các hộ bên cạnh xin hỗ trợ sửa mái.", "đã được dập tắt"),
        ("Ống nước vỡ tràn vào nhà dân sáng nay, đã sửa xong.", "đã sửa xong"),
        ("Cây đổ chắn đường sáng nay. Công nhân đã dọn xong.", "đã dọn xong"),
    ],
)
def test_a_resolved_event_is_not_urgent_and_says_why(engine: Engine, text: str, cue: str) -> None:
    found = danger(engine, text)
    assert not found.urgent
    assert cue in found.cancelled
    assert found.reason.startswith("không khẩn: ")


def test_a_resolved_cue_does_not_reach_a_new_danger_after_it(engine: Engine) -> None:
    text = "Đám cháy hôm qua đã được dập tắt. Hiện tường nhà đang nghiêng hẳn ra ngõ."
    assert danger(engine, text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "Tuần trước đoạn đê này bị sạt lở, đề nghị gia cố.",
        "Năm ngoái khu này ngập sâu cả tuần, đề nghị nạo vét cống.",
        "Hôm trước có vụ đánh nhau có hung khí trước quán, chưa thấy xử lý.",
        "Đợt mưa vừa rồi đường ngập sâu, xe chết máy.",
    ],
)
def test_past_events_are_not_urgent(engine: Engine, text: str) -> None:
    found = danger(engine, text)
    assert not found.urgent, found
    assert found.cancelled


def test_a_past_cue_speaks_for_its_own_sentence_only(engine: Engine) -> None:
    text = "Tháng trước tôi đã báo về cái cây này. Sáng nay cây đổ chắn ngang đường, đang đè lên xe máy."
    assert danger(engine, text).urgent


def test_from_last_week_until_now_is_still_going_on(engine: Engine) -> None:
    text = "Từ tuần trước đến nay vẫn đang sạt lở, đất đá tràn vào sân nhà dân."
    assert danger(engine, text).urgent
    # but a past danger before "đến nay vẫn" stays past: what goes on is something else
    assert not danger(engine, "Nhà tôi bị cháy năm ngoái, đến nay vẫn chưa nhận được hỗ trợ.").urgent


@pytest.mark.parametrize(
    "text",
    [
        "Hàng cây trên phố sắp được cắt tỉa, đề nghị ưu tiên cây nghiêng đổ.",
        "Xã dự kiến diễn tập cứu hộ cứu nạn mùa lũ.",
        "Theo kế hoạch, tuần sau sẽ sơ tán thử các hộ trong vùng sạt lở.",
    ],
)
def test_planned_work_is_not_urgent(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "Mỗi khi mưa to, đường này lại ngập sâu, xe chết máy.",
        "Khúc cua này thường xảy ra tai nạn vào ban đêm, đang cần đèn.",
        "Bờ sông hằng năm đều bị sạt lở, mất đất canh tác.",
    ],
)
def test_chronic_troubles_are_not_urgent(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "Cây cổ thụ mục gốc, có nguy cơ gãy đổ khi mưa bão.",
        "Đoạn dốc trơn, có thể gây tai nạn cho xe máy, đề nghị rải đá.",
        "Tủ điện mất cửa, ai cũng lo sợ trẻ con bị điện giật.",
        "Nếu không nạo vét, mưa lớn sẽ ngập sâu như mọi năm.",
    ],
)
def test_a_risk_is_not_an_emergency(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent


def test_a_hypothetical_reaches_only_what_follows_it(engine: Engine) -> None:
    found = danger(engine, "Nhà bên đang cháy lớn, nếu không đến ngay sẽ lan sang nhà tôi.")
    assert found.urgent
    assert found.reason.startswith("từ khóa: ")


def test_no_one_hurt_is_no_danger_word(engine: Engine) -> None:
    found = danger(engine, "Hai xe máy va quẹt nhẹ, không có ai bị thương, đề nghị phát quang tầm nhìn sáng nay.")
    assert not found.urgent
    assert "bị thương" not in found.words
    assert "không có" in found.cancelled


def test_a_negation_reaches_only_the_next_words(engine: Engine) -> None:
    text = "Mương hở không có rào chắn, vừa có một xe máy lao xuống, người bị thương nặng."
    assert danger(engine, text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "Nhà thuốc cháy hàng khẩu trang, giá tăng gấp đôi.",
        "Bão giá vật liệu làm công trình phải dừng.",
        "Mẹ tôi vừa sập bẫy lừa đảo qua điện thoại.",
        "Phần mềm một cửa bị sập nguồn cả buổi sáng.",
        "Trưa hè nóng như lửa đốt mà khu tái định cư không có cây xanh.",
        "Đề nghị thực hiện đúng quy định về phòng cháy chữa cháy ở chợ.",
        "Hồ sơ đang chờ xử lý đã quá hạn, xe máy qua ổ gà rất nguy hiểm.",
    ],
)
def test_danger_words_in_their_everyday_sense_do_not_count(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent, danger(engine, text)


def test_slow_troubles_beside_now_are_not_an_emergency(engine: Engine) -> None:
    assert not danger(engine, "Mặt đường đang bị lún, nứt nhiều chỗ.").urgent
    assert not danger(engine, "Dây điện đang chằng chịt trước cửa nhà.").urgent


def test_the_title_goes_with_a_body_that_tells_of_the_past(engine: Engine) -> None:
    found = danger(engine, "Xin hướng dẫn thủ tục hỗ trợ, sự việc xảy ra tuần trước.", title="Cháy nhà dân")
    assert not found.urgent
    assert found.cancelled == ("tuần trước",)


def test_the_reason_names_the_words_that_counted(engine: Engine) -> None:
    found = danger(engine, "Mái nhà bị sập, đang có người kẹt bên trong.")
    assert found.reason == "từ khóa: " + ", ".join(found.words)
    assert "bị sập" in found.words
    assert danger(engine, "Đề nghị sửa đèn đường.").reason == "không có từ khóa nguy hiểm"


def test_each_word_counts_once(engine: Engine) -> None:
    once = danger(engine, "Đường ngập.")
    again = danger(engine, "Đường ngập. Ngõ ngập. Chợ ngập.")
    assert once.score == again.score
    assert not again.urgent


def test_sentences_end_at_stops_not_inside_numbers() -> None:
    text = document("Khu phố 2.137 hộ. Đang ngập! Ai giúp với\nĐến ngay")
    assert len(text.sentence_ends) == 4
    assert text.sentence(0) == 0
    assert text.sentence(len(text.marked) - 1) == 3


# Dangers told without a textbook danger word: how people report them to the app.
@pytest.mark.parametrize(
    "text",
    [
        "Cả hành lang tầng 4 có mùi gas nồng nặc, gõ cửa không ai mở, đề nghị cử người đến ngay.",
        "Con tôi 7 tuổi đi học về từ 4 giờ chiều nay đến giờ chưa về nhà, ai thấy xin báo giúp.",
        "Bà cụ hàng xóm bị lẫn, đi khỏi nhà từ sáng chưa về, trời sắp tối.",
        "Cháu bé vừa uống nhầm thuốc trừ sâu, đang nôn, cần hỗ trợ gấp.",
        "nuoc song len nhanh, tran vao xom roi, nha ba cu o mot minh chua ra duoc",
        "Tấm biển quảng cáo trên nóc nhà bị gió giật bung ra, đang đung đưa trên đầu người đi đường.",
        "Người đàn ông nằm bất động giữa đường sau va chạm, ai gọi cấp cứu giúp.",
        "hẻm 12 nước vô nhà ngang gối, ổ cắm điện ngập hết, có người già nằm liệt, cứu giúp với",
        "Có người lạ đang cạy cửa nhà bên cạnh, nhà họ đi vắng, công an tới liền giùm.",
        "Ba e ra cản máy múc thì bị mấy người đẩy ngã, đang ủi phá vườn ngay bây giờ.",
        "Bác hàng xóm bị ong vò vẽ đốt chục vết, thở khò khè, ai đưa đi viện giúp.",
    ],
)
def test_dangers_in_ordinary_words_are_urgent(engine: Engine, text: str) -> None:
    found = danger(engine, text)
    assert found.urgent, found
    assert found.words


# Complaints that mention help or danger in passing, and snatch thefts told afterwards.
@pytest.mark.parametrize(
    "text",
    [
        "Nhà số 15 xây bậc tam cấp lấn ra ngõ, ngõ chỉ còn vừa một xe máy, xe cứu thương không vào được.",
        "Tôi bị giật điện thoại ở đường Trần Phú tối qua, đã báo công an phường, xin cho biết tiến độ.",
        "Mùa gặt người ta đốt rơm rạ khói mù mịt, đi xe máy cay mắt, đề nghị xã tuyên truyền.",
        "Thời gian gần đây có người đi xe máy bắt trộm chó bằng súng điện rất nguy hiểm.",
        "Tôi bị tai nạn lao động năm 2023, xin hỏi mức trợ cấp hiện nay được tính thế nào?",
    ],
)
def test_danger_in_passing_is_not_an_emergency(engine: Engine, text: str) -> None:
    assert not danger(engine, text).urgent, danger(engine, text)
