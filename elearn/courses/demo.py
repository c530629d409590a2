"""The demo course: its lesson videos, cover and handout are generated at first run
(nothing binary is kept in the repository), then the package is imported like any other.

The package lives in ``courses/smartphone-basics/``; generated files go to its ``generated/``
folder, which git ignores.
"""
from __future__ import annotations

import logging
import os
import subprocess
import tomllib
from pathlib import Path

from flask import current_app

from ..core.errors import ServiceError
from ..extensions import db
from .packages import import_package
from .permissions import SYSTEM

log = logging.getLogger(__name__)

DEMO_SLUG = "smartphone-basics"
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
]


def demo_package_dir() -> Path:
    return Path(current_app.root_path).parent / "courses" / DEMO_SLUG


def create_demo_course(teacher, folder: Path | None = None, seconds: int = 12):
    """Generate the missing demo files and import the demo course, taught by ``teacher``.

    Commits on success. Returns the course, or None (logged) if it could not be made, for
    example without ffmpeg: the demo accounts are useful on their own.
    """
    folder = Path(folder or demo_package_dir())
    try:
        ensure_demo_files(folder, seconds=seconds)
        result = import_package(folder, teachers=[teacher] if teacher else [], actor=SYSTEM)
        db.session.commit()
    except (OSError, subprocess.CalledProcessError, ServiceError) as err:
        db.session.rollback()
        log.warning("The demo course was not created: %s", err)
        return None
    for note in result.notes:
        log.info("Demo course: %s", note)
    return result.course


def ensure_demo_files(folder: Path, seconds: int = 12) -> None:
    """Make every generated/ file course.toml names that does not exist yet."""
    data = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    ffmpeg = current_app.config.get("FFMPEG", "ffmpeg")
    cover = data.get("cover")
    if cover and _generated(folder, cover):
        _make_picture(ffmpeg, folder / cover, data["title"])
    for chapter in data.get("chapters", []):
        for lesson in chapter.get("lessons", []):
            video = lesson.get("video")
            if video and _generated(folder, video):
                _make_video(ffmpeg, folder / video, lesson["title"], seconds)
            for name in lesson.get("handouts", []):
                if _generated(folder, name) and name.endswith(".pdf"):
                    _write_atomically(folder / name, simple_pdf(lesson["title"], _pdf_lines(lesson)))


def _generated(folder: Path, name: str) -> bool:
    """Whether ``name`` is one of ours to generate and is still missing."""
    return name.startswith("generated/") and not (folder / name).exists()


#: The face drawtext asks fontconfig for. ``fontfile=`` would take the .ttc's first face, the Japanese
#: one, whose forms of many characters (直, 骨, 写...) are not the ones Chinese readers learnt.
CHINESE_FACE = "Noto Sans CJK SC"


def _font() -> str | None:
    return next((f for f in FONT_CANDIDATES if Path(f).is_file()), None)


def _text_filter(text_file: Path, size: int, y: str) -> str:
    if _font() is None:  # without the font (make run installs it) the pictures carry no title
        return "null"
    return (f"drawtext=font={CHINESE_FACE}:textfile={text_file}:fontsize={size}:fontcolor=white:"
            f"box=1:boxcolor=black@0.7:boxborderw=16:x=(w-text_w)/2:y={y}")


def _make_video(ffmpeg: str, target: Path, title: str, seconds: int) -> None:
    """A short 640x360 H.264/AAC clip: a moving test pattern, a tone and the lesson title."""
    target.parent.mkdir(parents=True, exist_ok=True)
    text_file = target.with_suffix(".title.txt")
    text_file.write_text(title, encoding="utf-8")
    tmp = target.with_name(f".{target.stem}.tmp{target.suffix}")
    try:
        subprocess.run([
            ffmpeg, "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}",
            "-vf", _text_filter(text_file, 36, "h-text_h-40"),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k",
            "-shortest", "-movflags", "+faststart", str(tmp),
        ], check=True, capture_output=True, timeout=300)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        text_file.unlink(missing_ok=True)


def _make_picture(ffmpeg: str, target: Path, title: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    text_file = target.with_suffix(".title.txt")
    text_file.write_text(title, encoding="utf-8")
    tmp = target.with_name(f".{target.stem}.tmp{target.suffix}")
    try:
        subprocess.run([
            ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x0a3a82:size=640x360",
            "-vf", _text_filter(text_file, 56, "(h-text_h)/2"), "-frames:v", "1", str(tmp),
        ], check=True, capture_output=True, timeout=60)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        text_file.unlink(missing_ok=True)


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def _pdf_lines(lesson: dict) -> list[str]:
    """The handout text: the lesson description, one line per non-empty line, Markdown marks dropped."""
    lines = []
    for line in lesson.get("description", "").splitlines():
        line = line.strip().lstrip("#-* ").replace("**", "")
        if line:
            lines.append(line)
    return lines


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF with Chinese text, using the reader's built-in STSong-Light font
    (a standard CJK font every PDF reader provides), so no font has to be embedded."""

    def hex_text(text: str) -> str:
        return "<" + text.encode("utf-16-be").hex().upper() + ">"

    body = ["BT", "/F1 26 Tf", "40 TL", "60 770 Td", f"{hex_text(title)} Tj", "/F1 18 Tf", "30 TL", "T*"]
    for line in lines:
        for start in range(0, len(line), 28):  # about 28 Chinese characters fit on an A4 line
            body += ["T*", f"{hex_text(line[start:start + 28])} Tj"]
    body.append("ET")
    stream = "\n".join(body).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
