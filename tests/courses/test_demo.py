"""The demo course: its files are generated with ffmpeg at first run, then imported as a package."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from elearn.courses import hooks
from elearn.courses import services
from elearn.courses.demo import create_demo_course, simple_pdf
from tests.factories import make_user

PACKAGE = Path(__file__).resolve().parents[2] / "courses" / "smartphone-basics"


def test_the_repository_holds_no_generated_files():
    """Only text is committed: course.toml names generated/ files, which git ignores."""
    toml = (PACKAGE / "course.toml").read_text(encoding="utf-8")
    assert toml.count('video = "generated/') == 4
    ignored = subprocess.run(["git", "check-ignore", "-q", "courses/smartphone-basics/generated/01.mp4"],
                             cwd=PACKAGE.parents[1]).returncode
    assert ignored == 0


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory):
    """A copy of the demo package with its files generated once for this module (1-second videos)."""
    from elearn.courses.demo import ensure_demo_files

    folder = tmp_path_factory.mktemp("demo") / "smartphone-basics"
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("generated"))
    with app.app_context():
        ensure_demo_files(folder, seconds=1)
    return folder


def test_demo_course_is_generated_and_imported(app, db, generated, request_ctx):
    """Videos, cover and handout are made, and the course is imported, published, with the demo teacher."""
    folder = generated
    teacher = make_user(db, roles=["teacher"], password=None)
    course = create_demo_course(teacher, folder=folder, seconds=1)
    assert course is not None and course.status == "published" and course.visibility == "public"
    assert course.teachers == [teacher] and course.category.slug == "smartphone"
    assert [len(c.lessons) for c in course.chapters] == [2, 2]
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width,height",
                            "-of", "csv=p=0", str(folder / "generated" / "01.mp4")], capture_output=True, text=True)
    assert "video,640,360" in probe.stdout and "audio" in probe.stdout
    first = course.lessons[0]
    [handout] = first.handouts
    assert handout.content_type == "application/pdf" and handout.original_filename == "开机关机和充电.pdf"
    media = hooks.media_of(first.id)
    assert [c["lang"] for c in media["captions"]] == ["zh"]
    # No worker runs here: the imported video waits in the queue for its transcoding.
    assert media["video"] is None and media["pending_video"]["status"] == "queued"


def test_demo_files_are_made_only_once(app, db, generated, request_ctx):
    """Generated files that exist already are left alone (a second start does not redo them)."""
    from elearn.courses.demo import ensure_demo_files

    folder = generated
    assert sorted(p.name for p in (folder / "generated").iterdir()) == [
        "01.mp4", "02.mp4", "03.mp4", "04.mp4", "cover.png", "开机关机和充电.pdf"]
    stamp = {p: p.stat().st_mtime_ns for p in (folder / "generated").iterdir()}
    ensure_demo_files(folder, seconds=1)
    assert {p: p.stat().st_mtime_ns for p in (folder / "generated").iterdir()} == stamp


def test_hand_written_pdf_is_well_formed():
    """The generated PDF's cross-reference table points at each object, so readers open it."""
    data = simple_pdf("标题", ["第一行文字"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    start = int(re.search(rb"startxref\n(\d+)", data).group(1))
    assert data[start:start + 4] == b"xref"
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n", data)]
    for number, offset in enumerate(offsets, 1):
        assert data[offset:].startswith(b"%d 0 obj" % number)
    assert "标题".encode("utf-16-be").hex().upper().encode() in data


def test_demo_goes_on_without_ffmpeg(app, db, tmp_path, request_ctx):
    """Without ffmpeg the demo course is skipped (logged), and nothing half-made stays in the database."""
    folder = tmp_path / "pkg"
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("generated"))
    app.config["FFMPEG"] = str(tmp_path / "no-such-ffmpeg")
    try:
        before = services.count_courses()
        assert create_demo_course(None, folder=folder, seconds=1) is None
        assert services.count_courses() == before
    finally:
        app.config["FFMPEG"] = "ffmpeg"


def test_demo_titles_use_the_simplified_chinese_face(app, tmp_path):
    """Covers and video titles are drawn in Noto Sans CJK SC, not the .ttc's first face (Japanese), whose
    直 and 骨 are not the forms Chinese readers learnt: the same title drawn with that face looks different."""
    from elearn.courses import demo

    font = demo._font()
    if font is None:
        pytest.skip("fonts-noto-cjk is not installed (scripts/system-deps.sh installs it)")
    with app.app_context():
        demo._make_picture("ffmpeg", tmp_path / "ours.png", "直骨写")
    text_file = tmp_path / "title.txt"
    text_file.write_text("直骨写", encoding="utf-8")
    japanese = re.sub(r"drawtext=(font|fontfile)=[^:]+", f"drawtext=fontfile={font}",
                      demo._text_filter(text_file, 56, "(h-text_h)/2"))
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x0a3a82:size=640x360",
                    "-vf", japanese, "-frames:v", "1", str(tmp_path / "japanese.png")], check=True, timeout=60)
    plain = tmp_path / "plain.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x0a3a82:size=640x360",
                    "-frames:v", "1", str(plain)], check=True, timeout=60)
    ours = (tmp_path / "ours.png").read_bytes()
    assert ours != plain.read_bytes()  # a title was drawn at all
    assert ours != (tmp_path / "japanese.png").read_bytes()
    fc = subprocess.run(["fc-match", demo.CHINESE_FACE, "file", "index"], capture_output=True, text=True)
    assert "NotoSansCJK-Regular.ttc" in fc.stdout and "index=2" in fc.stdout  # the face certificates embed too
