"""Check an uploaded file and return a copy that is safe to store.

Everything here is pure and CPU-bound; callers run `inspect_upload` in a
thread. The type is decided from the bytes only (magic numbers, ISO-BMFF
brands): the file name and the client's content type are never trusted.
Images are decoded completely, then re-encoded without GPS EXIF or XMP;
videos keep their bytes, but location atoms are overwritten with zeros so that
no offset inside the file moves.
"""

from __future__ import annotations

import hashlib
import io
import struct
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

import pillow_heif
from PIL import ExifTags, Image, JpegImagePlugin

from pakn.attachments.video import CorruptVideo, clean_video
from pakn.core.problems import FieldError, Problem, payload_too_large, unprocessable
from pakn.settings import Limits

pillow_heif.register_heif_opener()

ACCEPTED_TYPES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "video/mp4",
    "video/quicktime",
]


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str
    kind: Literal["image", "video"]
    extension: str
    width: int | None
    height: int | None
    sha256: str
    filename: str


@dataclass(frozen=True)
class _Format:
    content_type: str
    extension: str
    pillow: str | None  # Pillow format name; None for videos


JPEG = _Format("image/jpeg", ".jpg", "JPEG")
PNG = _Format("image/png", ".png", "PNG")
WEBP = _Format("image/webp", ".webp", "WEBP")
# Whatever HEIF flavour arrives, it leaves as HEVC-coded HEIC (our only encoder).
HEIC = _Format("image/heic", ".heic", "HEIF")
MP4 = _Format("video/mp4", ".mp4", None)
MOV = _Format("video/quicktime", ".mov", None)

HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
# mif1/msf1 only say "some HEIF": AVIF and JPEG-in-HEIF use them too, and we
# can decode only HEVC, so they count as HEIC only beside a HEVC brand.
HEIF_GENERIC_BRANDS = {b"mif1", b"msf1"}
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6",
    b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP",
    b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"mmp4", b"MSNV", b"dash",
}  # fmt: skip
QUICKTIME_BRAND = b"qt  "

GPS_IFD = ExifTags.IFD.GPSInfo  # 0x8825


def inspect_upload(data: bytes, filename: str, field: str, limits: Limits) -> CleanFile:
    """Validate one upload and return its cleaned copy, or raise a `Problem`."""
    fmt = _sniff(data)
    name = sanitise_filename(filename, fmt.extension if fmt else "")
    if not data:
        raise unprocessable([FieldError(field, "empty_file", f"Tệp '{name}' rỗng.", f"File '{name}' is empty.")])
    if len(data) > limits.max_attachment_bytes:
        raise _too_big(name, field, limits.max_attachment_bytes)
    if fmt is None:
        raise _unsupported(name, field)
    if fmt.pillow is None:
        content, size = _clean_video(data, name, field)
        kind: Literal["image", "video"] = "video"
    else:
        content, size = _clean_image(data, fmt, name, field, limits)
        kind = "image"
    return CleanFile(
        content=content,
        content_type=fmt.content_type,
        kind=kind,
        extension=fmt.extension,
        width=size[0] if size else None,
        height=size[1] if size else None,
        sha256=hashlib.sha256(content).hexdigest(),
        filename=name,
    )


def check_count(count: int, limits: Limits) -> None:
    if count > limits.max_attachments:
        raise too_many_attachments(limits.max_attachments)


def too_many_attachments(limit: int) -> Problem:
    """413: more files than `limit`, counted here or by the multipart parser."""
    return Problem(
        413,
        "too-many-attachments",
        "Quá nhiều tệp đính kèm",
        "Too many attachments",
        f"Tối đa {limit} tệp đính kèm.",
        f"At most {limit} {'attachment is' if limit == 1 else 'attachments are'} allowed.",
        extra={"max_attachments": limit},
    )


def sanitise_filename(raw: str, extension: str) -> str:
    """Basename only, NFC, no control or format characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", raw)
    # Cf covers bidi overrides that disguise extensions ("gpj.exe"); Cs are lone
    # surrogates from undecodable multipart names, which UTF-8 storage rejects.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Zl", "Zp"})
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in {"", ".", ".."}:
        return "attachment" + extension
    if len(name) > 255:
        stem, dot, suffix = name.rpartition(".")
        keep_suffix = dot and stem and len(suffix) <= 16
        name = f"{stem[: 254 - len(suffix)]}.{suffix}" if keep_suffix else name[:255]
    return name


# --- problems ---------------------------------------------------------------


def _unsupported(name: str, field: str) -> Problem:
    vi = f"Tệp '{name}' không phải ảnh (JPEG, PNG, WebP, HEIC) hoặc video MP4."
    en = f"File '{name}' is not an image (JPEG, PNG, WebP, HEIC) or an MP4 video."
    return Problem(
        415,
        "unsupported-attachment",
        "Kiểu tệp không được hỗ trợ",
        "Unsupported file type",
        vi,
        en,
        errors=[FieldError(field, "unsupported_type", vi, en)],
        extra={"accepted": ACCEPTED_TYPES},
    )


def _too_big(name: str, field: str, limit: int) -> Problem:
    problem = payload_too_large(limit)
    problem.detail_vi = f"Tệp '{name}': {problem.detail_vi}"
    problem.detail_en = f"File '{name}': {problem.detail_en}"
    problem.errors = [FieldError(field, "file_too_large", problem.detail_vi, problem.detail_en)]
    return problem


def _invalid(field: str, code: str, vi: str, en: str) -> Problem:
    return unprocessable([FieldError(field, code, vi, en)])


# --- sniffing ---------------------------------------------------------------


def _sniff(data: bytes) -> _Format | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if len(data) >= 16 and data[4:8] == b"ftyp":
        size = struct.unpack_from(">I", data)[0]
        major = data[8:12]
        compatible = {data[i : i + 4] for i in range(16, min(size, len(data)) - 3, 4)}
        if major in HEIC_BRANDS or (major in HEIF_GENERIC_BRANDS and compatible & HEIC_BRANDS):
            return HEIC
        if major == QUICKTIME_BRAND:
            return MOV
        if major in MP4_BRANDS:
            return MP4
    return None


# --- images -----------------------------------------------------------------


def _clean_image(data: bytes, fmt: _Format, name: str, field: str, limits: Limits) -> tuple[bytes, tuple[int, int]]:
    assert fmt.pillow is not None
    try:
        # Image.open reads headers only, so the pixel count is known before
        # any decoding; verify() consumes the file, hence the second open.
        with Image.open(io.BytesIO(data), formats=[fmt.pillow]) as probe:
            _check_pixels(probe.size, name, field, limits)
            probe.verify()
        img = Image.open(io.BytesIO(data), formats=[fmt.pillow])
        _check_pixels(img.size, name, field, limits)
        img.load()
    except Problem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own ceiling (the warning only arrives here if a filter made
        # it an error); either way the image is too large to accept.
        raise _pixels_problem(name, field, limits) from None
    except Exception:  # plugins raise many exception types on hostile input
        raise _invalid(
            field,
            "corrupt_image",
            f"Tệp '{name}' bị hỏng hoặc không đọc được.",
            f"File '{name}' is damaged or cannot be decoded.",
        ) from None
    with img:
        return _reencode(img, fmt, data), img.size


def _check_pixels(size: tuple[int, int], name: str, field: str, limits: Limits) -> None:
    if size[0] * size[1] > limits.max_image_pixels:
        raise _pixels_problem(name, field, limits)


def _pixels_problem(name: str, field: str, limits: Limits) -> Problem:
    n = limits.max_image_pixels
    return _invalid(
        field,
        "image_too_large",
        f"Ảnh '{name}' có quá nhiều điểm ảnh (tối đa {n:,} số điểm ảnh).".replace(",", "."),
        f"Image '{name}' has too many pixels (at most {n:,}).",
    )


def _exif_without_gps(img: Image.Image) -> bytes:
    exif = img.getexif()
    exif.pop(GPS_IFD, None)
    if not len(exif):
        return b""
    blob = exif.tobytes()
    # Exif.tobytes re-emits any IFD it has cached, so check what it produced
    # rather than trust the deletion; if GPS survived, drop EXIF entirely.
    check = Image.Exif()
    check.load(blob)
    return b"" if GPS_IFD in check or check.get_ifd(GPS_IFD) else blob


def _reencode(img: Image.Image, fmt: _Format, original: bytes) -> bytes:
    options: dict[str, Any] = {"exif": _exif_without_gps(img)}
    info = img.info
    if info.get("icc_profile"):
        options["icc_profile"] = info["icc_profile"]
    if fmt is JPEG:
        options["quality"] = 90
        sampling = JpegImagePlugin.get_sampling(img)
        if sampling != -1:
            options["subsampling"] = sampling
        if "dpi" in info:
            options["dpi"] = info["dpi"]
    elif fmt is PNG:
        for key in ("transparency", "dpi"):
            if key in info:
                options[key] = info[key]
    elif fmt is WEBP:
        options.update(lossless=_webp_is_lossless(original), quality=90)
    else:
        options["quality"] = 90
        if info.get("nclx_profile"):
            options["nclx_profile"] = info["nclx_profile"]  # colour, not location
    # Savers fall back to img.info for XMP, comments, text chunks and HEIF
    # thumbnails, any of which can carry a location; only `options` may pass.
    img.info = {}
    out = io.BytesIO()
    img.save(out, format=fmt.pillow, **options)
    return out.getvalue()


def _webp_is_lossless(data: bytes) -> bool:
    pos = 12
    while pos + 8 <= len(data):
        fourcc = data[pos : pos + 4]
        if fourcc == b"VP8L":
            return True
        if fourcc == b"VP8 ":
            return False
        size = struct.unpack_from("<I", data, pos + 4)[0]
        pos += 8 + size + (size & 1)
    return False


def _clean_video(data: bytes, name: str, field: str) -> tuple[bytes, tuple[int, int] | None]:
    try:
        return clean_video(data)
    except CorruptVideo:
        raise _invalid(
            field,
            "corrupt_video",
            f"Tệp video '{name}' bị hỏng hoặc không đúng định dạng MP4.",
            f"Video file '{name}' is damaged or not a valid MP4.",
        ) from None
