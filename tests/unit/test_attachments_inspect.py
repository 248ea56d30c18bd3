"""inspect_upload: type by bytes, size and pixel limits, and location stripping."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import unicodedata
import zlib

import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageFile, JpegImagePlugin, PngImagePlugin

from pakn.attachments import check_count, inspect_upload, sanitise_filename
from pakn.core.problems import Problem
from pakn.settings import Limits

pillow_heif.register_heif_opener()

LIMITS = Limits()
GPS = ExifTags.IFD.GPSInfo
ORIENTATION = ExifTags.Base.Orientation
MAKE = ExifTags.Base.Make
LOCATION = b"+10.7769+106.7009/"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="10,46.6N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


# --- builders ---------------------------------------------------------------


def gps_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PAKN Cam"
    exif[GPS] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (10.0, 46.0, 37.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (106.0, 42.0, 3.0),
    }
    return exif


def picture(size: tuple[int, int] = (64, 48), mode: str = "RGB", noise: bool = False) -> Image.Image:
    if noise:
        rng = random.Random(7)
        return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * len(mode)))
    return Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **options)
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as img:
        exif = img.getexif()
        return GPS in exif or bool(exif.get_ifd(GPS))


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def xyz_atom() -> bytes:
    return box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0x15C7) + LOCATION)


def mp4(brand: bytes = b"isom", moov_children: bytes | None = None, tail: bytes = b"") -> bytes:
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand + b"iso2avc1mp41")
    tkhd = box(b"tkhd", bytes(76) + struct.pack(">II", 320 << 16, 240 << 16))
    loci = box(b"loci", bytes(4) + b"\x15\xc7" + b"Ho Chi Minh\x00" + struct.pack(">iii", 0, 106 << 16, 10 << 16))
    trak = box(b"trak", tkhd + box(b"udta", loci))
    if moov_children is None:
        moov_children = box(b"mvhd", bytes(100)) + trak + box(b"udta", xyz_atom())
    return ftyp + box(b"moov", moov_children) + box(b"mdat", b"\x00\x01" * 64) + tail


def quicktime_with_location_key() -> bytes:
    def key(name: bytes) -> bytes:
        return struct.pack(">I", 8 + len(name)) + b"mdta" + name

    keys = box(b"keys", bytes(4) + struct.pack(">I", 2) + key(b"com.apple.quicktime.make")
               + key(b"com.apple.quicktime.location.ISO6709"))  # fmt: skip
    ilst = box(
        b"ilst",
        box(struct.pack(">I", 1), box(b"data", struct.pack(">II", 1, 0) + b"Apple"))
        + box(struct.pack(">I", 2), box(b"data", struct.pack(">II", 1, 0) + LOCATION)),
    )
    hdlr = box(b"hdlr", bytes(8) + b"mdta" + bytes(13))
    meta = box(b"meta", hdlr + keys + ilst)  # QuickTime style: no version/flags
    moov = box(b"mvhd", bytes(100)) + meta
    ftyp = box(b"ftyp", b"qt  " + bytes(4) + b"qt  ")
    return ftyp + box(b"moov", moov) + box(b"mdat", b"\x00" * 32)


def itunes_style_location() -> bytes:
    ilst = box(b"ilst", box(b"\xa9xyz", box(b"data", struct.pack(">II", 1, 0) + LOCATION)))
    meta = box(b"meta", bytes(4) + box(b"hdlr", bytes(8) + b"mdir" + bytes(13)) + ilst)  # ISO full box
    return mp4(moov_children=box(b"mvhd", bytes(100)) + box(b"udta", meta))


def png_claiming(width: int, height: int) -> bytes:
    data = bytearray(encode(Image.new("L", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)  # IHDR payload starts at 16
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))  # CRC over type + payload
    return bytes(data)


def problem_of(data: bytes, filename: str = "photo.jpg", limits: Limits = LIMITS) -> Problem:
    with pytest.raises(Problem) as caught:
        inspect_upload(data, filename, "attachments", limits)
    return caught.value


# --- images -----------------------------------------------------------------


def test_gps_is_removed_from_jpeg_exif() -> None:
    original = encode(picture(), "JPEG", exif=gps_exif(), quality=95)
    assert has_gps(original)

    clean = inspect_upload(original, "photo.jpg", "attachments", LIMITS)

    assert not has_gps(clean.content)
    assert (clean.content_type, clean.kind, clean.extension) == ("image/jpeg", "image", ".jpg")
    assert (clean.width, clean.height) == (64, 48)


def test_orientation_and_other_exif_survive_the_cleaning() -> None:
    clean = inspect_upload(encode(picture(), "JPEG", exif=gps_exif(orientation=6)), "a.jpg", "f", LIMITS)

    with Image.open(io.BytesIO(clean.content)) as img:
        exif = img.getexif()
    assert exif[ORIENTATION] == 6
    assert exif[MAKE] == "PAKN Cam"


def test_jpeg_comments_and_xmp_are_dropped() -> None:
    original = encode(picture(), "JPEG", exif=gps_exif(), xmp=XMP, comment=b"Ben Thanh market")

    clean = inspect_upload(original, "a.jpg", "f", LIMITS)

    assert b"GPSLatitude" not in clean.content
    assert b"Ben Thanh" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as img:
        assert "xmp" not in img.info and "comment" not in img.info


def test_jpeg_chroma_subsampling_is_kept() -> None:
    original = encode(picture(noise=True), "JPEG", subsampling=0, quality=95)  # 4:4:4

    clean = inspect_upload(original, "a.jpg", "f", LIMITS)

    with Image.open(io.BytesIO(clean.content)) as img:
        assert JpegImagePlugin.get_sampling(img) == 0


def test_gps_is_removed_from_png_and_text_chunks_are_dropped() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    text.add_text("Comment", "Ben Thanh market")
    original = encode(picture(mode="RGBA"), "PNG", exif=gps_exif(), pnginfo=text)
    assert has_gps(original)

    clean = inspect_upload(original, "screen.png", "attachments", LIMITS)

    assert not has_gps(clean.content)
    assert b"Ben Thanh" not in clean.content and b"GPSLatitude" not in clean.content
    assert (clean.content_type, clean.extension) == ("image/png", ".png")
    with Image.open(io.BytesIO(clean.content)) as img:
        assert img.mode == "RGBA" and img.getexif()[ORIENTATION] == 6


def test_palette_png_keeps_its_transparency() -> None:
    img = Image.new("P", (8, 8), 1)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    original = encode(img, "PNG", transparency=0)

    clean = inspect_upload(original, "icon.png", "f", LIMITS)

    with Image.open(io.BytesIO(clean.content)) as out:
        assert out.mode == "P" and out.info.get("transparency") == 0


@pytest.mark.parametrize("lossless", [False, True])
def test_gps_and_xmp_are_removed_from_webp(lossless: bool) -> None:
    original = encode(picture(), "WEBP", exif=gps_exif(), xmp=XMP, lossless=lossless)
    assert has_gps(original)

    clean = inspect_upload(original, "a.webp", "f", LIMITS)

    assert not has_gps(clean.content)
    assert b"GPSLatitude" not in clean.content
    assert clean.content_type == "image/webp"
    assert (b"VP8L" in clean.content[:64]) is lossless


def test_gps_is_removed_from_heic() -> None:
    original = encode(picture(), "HEIF", exif=gps_exif(orientation=1).tobytes(), quality=80)
    assert has_gps(original)

    clean = inspect_upload(original, "IMG_0001.HEIC", "f", LIMITS)

    assert not has_gps(clean.content)
    assert (clean.content_type, clean.extension, clean.kind) == ("image/heic", ".heic", "image")
    with Image.open(io.BytesIO(clean.content)) as img:
        assert img.size == (64, 48) and img.getexif()[MAKE] == "PAKN Cam"


def test_type_comes_from_the_bytes_not_the_file_name() -> None:
    clean = inspect_upload(encode(picture(), "PNG"), "looks-like.jpg", "f", LIMITS)

    assert clean.content_type == "image/png"
    assert clean.extension == ".png"
    assert clean.filename == "looks-like.jpg"


def test_sha256_is_of_the_cleaned_content() -> None:
    clean = inspect_upload(encode(picture(), "JPEG", exif=gps_exif()), "a.jpg", "f", LIMITS)

    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()


def test_a_text_file_named_jpg_is_refused_as_unsupported() -> None:
    problem = problem_of(b"hello, this is not a picture\n", "evil.jpg")

    assert problem.status == 415
    assert problem.slug == "unsupported-attachment"
    assert "'evil.jpg'" in problem.body("vi")["detail"]
    assert problem.body("vi")["detail"].startswith("Tệp")
    assert "image/jpeg" in problem.extra["accepted"]


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a" + bytes(40),
        box(b"ftyp", b"avif" + bytes(4) + b"avifmif1miaf"),  # AVIF: HEIF family, not HEVC
        box(b"ftyp", b"M4A " + bytes(4) + b"M4A isom"),  # audio only
        b"%PDF-1.7\n",
    ],
)
def test_other_formats_are_refused_as_unsupported(data: bytes) -> None:
    assert problem_of(data, "x.bin").status == 415


def test_an_empty_file_is_unprocessable() -> None:
    problem = problem_of(b"", "empty.jpg")

    assert problem.status == 422
    assert [error.code for error in problem.errors] == ["empty_file"]
    assert problem.errors[0].field == "attachments"


def test_a_file_over_the_size_limit_is_refused_with_413() -> None:
    data = encode(picture(size=(64, 64), noise=True), "PNG")
    assert len(data) > 2048

    problem = problem_of(data, "big.png", Limits(max_attachment_bytes=2048))

    assert problem.status == 413
    assert "'big.png'" in problem.detail_vi
    assert problem.extra["limit_bytes"] == 2048


def test_a_truncated_jpeg_is_reported_as_corrupt() -> None:
    data = encode(picture(size=(128, 128), noise=True), "JPEG", quality=95)

    problem = problem_of(data[: len(data) // 2], "cut.jpg")

    assert problem.status == 422
    assert [error.code for error in problem.errors] == ["corrupt_image"]


def test_a_png_with_a_broken_crc_is_reported_as_corrupt() -> None:
    data = bytearray(encode(picture(), "PNG"))
    data[-20] ^= 0xFF  # inside the IDAT payload

    assert problem_of(bytes(data), "bad.png").errors[0].code == "corrupt_image"


def test_a_png_claiming_huge_dimensions_is_refused_as_a_bomb() -> None:
    problem = problem_of(png_claiming(100_000, 100_000), "bomb.png")

    assert problem.status == 422
    assert problem.errors[0].code == "image_too_large"
    assert "số điểm ảnh" in problem.errors[0].message_vi


def test_pixel_limit_is_checked_before_any_pixel_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(picture(size=(200, 100)), "PNG")

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    problem = problem_of(data, "wide.png", Limits(max_image_pixels=10_000))

    assert problem.errors[0].code == "image_too_large"


def test_an_image_at_the_pixel_limit_is_accepted() -> None:
    clean = inspect_upload(encode(picture(size=(100, 100)), "PNG"), "a.png", "f", Limits(max_image_pixels=10_000))

    assert (clean.width, clean.height) == (100, 100)


# --- videos -----------------------------------------------------------------


def test_location_atoms_are_zeroed_in_mp4_without_moving_offsets() -> None:
    original = mp4()

    clean = inspect_upload(original, "clip.mp4", "f", LIMITS)

    assert len(clean.content) == len(original)
    assert LOCATION not in clean.content and b"Ho Chi Minh" not in clean.content
    start = original.index(b"\xa9xyz") + 4
    assert clean.content[start : start + 4 + len(LOCATION)] == bytes(4 + len(LOCATION))
    differing = [i for i, (a, b) in enumerate(zip(original, clean.content, strict=True)) if a != b]
    assert differing and all(original[i] != 0 for i in differing)  # only payload bytes changed
    assert clean.content[:4] == original[:4] and b"\xa9xyz" in clean.content
    assert (clean.content_type, clean.kind, clean.extension) == ("video/mp4", "video", ".mp4")
    assert (clean.width, clean.height) == (320, 240)


def test_quicktime_location_keys_are_zeroed_and_other_metadata_kept() -> None:
    original = quicktime_with_location_key()

    clean = inspect_upload(original, "IMG_0002.MOV", "f", LIMITS)

    assert len(clean.content) == len(original)
    assert LOCATION not in clean.content
    assert b"Apple" in clean.content
    assert clean.content_type == "video/quicktime" and clean.extension == ".mov"


def test_itunes_style_location_item_is_zeroed() -> None:
    original = itunes_style_location()

    clean = inspect_upload(original, "clip.mp4", "f", LIMITS)

    assert LOCATION not in clean.content
    assert len(clean.content) == len(original)


def test_an_mp4_without_location_is_stored_unchanged() -> None:
    original = mp4(moov_children=box(b"mvhd", bytes(100)))

    assert inspect_upload(original, "clip.mp4", "f", LIMITS).content == original


@pytest.mark.parametrize(
    "data",
    [
        mp4()[:-10],  # mdat cut short
        mp4(tail=b"junk"),  # bytes after the last box
        mp4(moov_children=b"\x00\x00\x00\x30udta"),  # child larger than its parent
        box(b"ftyp", b"isom" + bytes(4) + b"isom") + box(b"mdat", bytes(16)),  # no moov
    ],
)
def test_an_inconsistent_box_structure_is_reported_as_corrupt_video(data: bytes) -> None:
    problem = problem_of(data, "clip.mp4")

    assert problem.status == 422
    assert problem.errors[0].code == "corrupt_video"


# --- names and counts -------------------------------------------------------


def test_file_names_are_reduced_to_a_clean_basename() -> None:
    decomposed = unicodedata.normalize("NFD", "Ảnh chụp.jpg")

    assert sanitise_filename(f"C:\\Users\\an\\{decomposed}", ".jpg") == "Ảnh chụp.jpg"
    assert sanitise_filename("../../etc/passwd", ".jpg") == "passwd"
    assert sanitise_filename("bad\x00name\r\n.png", ".png") == "badname.png"
    assert sanitise_filename("photo\u202egpj.exe", ".jpg") == "photogpj.exe"


@pytest.mark.parametrize("raw", ["", "   ", "..", "dir/", "\x07"])
def test_an_empty_file_name_becomes_attachment_with_the_real_extension(raw: str) -> None:
    assert sanitise_filename(raw, ".png") == "attachment.png"


def test_long_file_names_are_cut_to_255_characters_keeping_the_extension() -> None:
    name = sanitise_filename("ả" * 400 + ".jpeg", ".jpg")

    assert len(name) == 255
    assert name.endswith(".jpeg")


def test_clean_file_carries_the_sanitised_name() -> None:
    clean = inspect_upload(encode(picture(), "PNG"), "/tmp/x/\x1bscreen.png", "f", LIMITS)

    assert clean.filename == "screen.png"


def test_too_many_attachments_is_refused_with_413() -> None:
    check_count(5, Limits(max_attachments=5))

    with pytest.raises(Problem) as caught:
        check_count(6, Limits(max_attachments=5))

    assert caught.value.status == 413
    assert caught.value.slug == "too-many-attachments"
    assert caught.value.body("vi")["detail"] == "Tối đa 5 tệp đính kèm."
