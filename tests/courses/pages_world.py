"""The course the browser walk (tests/browser/pages.py) shows the course pages with."""
from __future__ import annotations


def course_for_pages(db, teacher):
    """A published public course taught by ``teacher``: two chapters, three lessons, a handout."""
    from elearn.courses import covers, handouts
    from tests.factories import make_course, pdf_bytes, png_bytes

    course = make_course(db, teachers=[teacher], status="published", visibility="public", lessons=3, chapters=2,
                         category="smartphone", title="智能手机入门")
    course.subtitle = "从开机到视频通话"
    covers.set_cover(course, png_bytes(16, 9))
    handouts.store_handout(course.lessons[0], "讲义.pdf", pdf_bytes())
    db.session.commit()
    return course
