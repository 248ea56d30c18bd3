"""Vietnamese as people type it on phones, made comparable.

Two jobs. On intake, `clean` gives the text to store and display: NFC with the
look-alikes of Đ/đ repaired, otherwise exactly as typed. For matching,
`matchable` lowers case, puts tone marks in one place (hòa and hoà are the same
word typed two ways), spells out teen-code (ko, dc, sđt) and a few emoji, and
turns punctuation into spaces; `fold` (in fold.py) then drops the marks.
"""

from __future__ import annotations

import re
import unicodedata

# Đ/đ are letters of their own; these look the same on screen but are other
# letters (Icelandic eth, African D) and would never match "đường".
_D_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "Ɖ": "Đ", "ɖ": "đ"})
# Invisible characters that split words without showing: zero-width space,
# word joiner, byte-order mark, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")

GRAVE, ACUTE, TILDE, HOOK, DOT = "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"
TONES = frozenset({GRAVE, ACUTE, TILDE, HOOK, DOT})
# Old-style placement puts the tone on the first vowel of oa, oe, uy (hòa,
# thủy); new style on the second (hoà, thuỷ). Both are taught and both occur.
_TONE_MOVES = {"o": "ae", "u": "y"}

# Teen-code and common abbreviations, as whole words. Ambiguous ones are left
# out on purpose: "a" (anh / the letter), "v" (vậy / số 5 La Mã), "hem"
# (không / hẻm), "nc" (nước / nói chuyện), "cn" (công nhân / chủ nhật), "dt"
# (điện thoại / diện tích).
TEEN_CODE = {
    "k": "không", "ko": "không", "kg": "không", "khg": "không", "hok": "không", "hông": "không",
    "hk": "không", "kh": "không", "dc": "được", "đc": "được", "dk": "được", "j": "gì",
    "ng": "người", "ngta": "người ta", "mn": "mọi người", "mng": "mọi người", "vs": "với",
    "ms": "mới", "r": "rồi", "z": "vậy", "zậy": "vậy", "trc": "trước", "wa": "quá", "bik": "biết",
    "ntn": "như thế nào", "lm": "làm", "e": "em", "ck": "chồng", "vk": "vợ", "nx": "nữa",
    "cty": "công ty", "ktra": "kiểm tra", "kt": "kiểm tra", "tp": "thành phố", "tx": "thị xã",
    "tt": "thị trấn", "p": "phường", "q": "quận", "hs": "học sinh", "gv": "giáo viên",
    "bv": "bệnh viện", "bhyt": "bảo hiểm y tế", "bhxh": "bảo hiểm xã hội", "ubnd": "ủy ban nhân dân",
    "csgt": "cảnh sát giao thông", "ql": "quốc lộ", "kcn": "khu công nghiệp", "ccn": "cụm công nghiệp",
    "kdc": "khu dân cư", "kđt": "khu đô thị", "kdt": "khu đô thị", "sđt": "số điện thoại",
    "sdt": "số điện thoại", "đt": "điện thoại", "pccc": "phòng cháy chữa cháy",
    "atgt": "an toàn giao thông", "attp": "an toàn thực phẩm", "gplx": "giấy phép lái xe",
    "gpxd": "giấy phép xây dựng", "qsdđ": "quyền sử dụng đất", "gcn": "giấy chứng nhận",
}  # fmt: skip

# Emoji that carry the message ("🔥🔥 nhà bên cạnh") become the word they stand for.
EMOJI_WORDS = {
    "🔥": "cháy", "🚒": "cứu hỏa", "🌊": "ngập", "⚡": "điện", "🚑": "cấp cứu", "🆘": "cứu",
    "💧": "nước", "🚧": "công trình", "🗑": "rác", "💉": "tiêm", "🏥": "bệnh viện", "🚓": "công an",
}  # fmt: skip

_WORD = re.compile(r"\w+", re.UNICODE)
# "ngõ7phường", "QL18", "6h": digits and letters touching are separate words.
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")


def clean(text: str) -> str:
    """The text to store and show: NFC, Đ repaired, invisible splitters removed."""
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text).translate(_D_LOOKALIKES))


# A toned o before a/e, or toned u before y: the only places the two styles differ.
_OLD_STYLE = re.compile("[òóỏõọÒÓỎÕỌ][aeAE]|[ùúủũụÙÚỦŨỤ][yY]")


def place_tones(word: str) -> str:
    """One tone placement for oa, oe, uy: the new style (hoà, thuỷ, khoẻ)."""
    if not _OLD_STYLE.search(unicodedata.normalize("NFC", word)):
        return word
    chars = list(unicodedata.normalize("NFD", word))
    for index in range(len(chars) - 2):
        base, tone, following = chars[index], chars[index + 1], chars[index + 2]
        # Only a bare o/u carries the move: ô, ơ, ư have their own mark after them.
        if tone in TONES and following.lower() in _TONE_MOVES.get(base.lower(), ""):
            after = chars[index + 3] if index + 3 < len(chars) else " "
            if not unicodedata.combining(after):
                chars[index + 1], chars[index + 2] = following, tone
    return unicodedata.normalize("NFC", "".join(chars))


def _expand(word: str) -> str:
    return TEEN_CODE.get(word, word)


def matchable(text: str) -> str:
    """Lower case, tones placed alike, teen-code and emoji spelled out, words
    separated by single spaces. Diacritics are kept: see `fold` for dropping them."""
    text = clean(text)
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, f" {word} ")
    words = _WORD.findall(_DIGIT_LETTER.sub(" ", text.lower()).replace("_", " "))
    return " ".join(_expand(place_tones(word)) for word in words)


def marked_share(text: str) -> float:
    """The share of words that carry a Vietnamese mark (tone, shape or đ)."""
    words = [word for word in _WORD.findall(clean(text)) if not word.isdigit()]
    if not words:
        return 0.0
    marked = sum(1 for word in words if _has_mark(word))
    return marked / len(words)


def _has_mark(word: str) -> bool:
    # Every Vietnamese letter with a mark (and đ) is outside ASCII.
    return not word.isascii()


def has_diacritics(text: str, threshold: float = 0.25) -> bool:
    """Typed with diacritics. Written Vietnamese marks well over half its
    words; text typed without them may still hold a copied name or two."""
    return marked_share(text) >= threshold
