"""What the browser walk (tests/browser/pages.py) shows the branch pages with: a branch whose secretary
is the walk's teacher and whose members include its student, with an activity held last week (its
minutes approved, then corrected, its recording the walk's first lesson when there is one, a PDF attached), one
tomorrow (the home page's reminder) and one next week."""
from __future__ import annotations

from elearn.core.permissions import SYSTEM

from datetime import date, timedelta


def branches_for_pages(db, world):
    from elearn.branches import activities, models as m, services, uploads
    from elearn.core import storage
    from elearn.core.timeutil import utcnow

    branch = services.save_branch(None, name="书法一班党支部", description="建在书法一班上的党支部")
    if getattr(world, "group", None) is not None:  # the browser walk's class: the members page lists its people
        services.link_class(branch, world.group.id)
    group = services.add_group(branch, "第一党小组")
    joined = utcnow() - timedelta(days=60)
    services.add_member(branch, world.teacher, officer_role=m.SECRETARY, group=group, now=joined, actor=SYSTEM)
    member = services.add_member(branch, world.student, group=group, now=joined, actor=SYSTEM)
    services.set_party_details(member, status=m.FULL, joined_on=date(1978, 7, 1), full_on=date(1979, 7, 1),
                               consented=True, actor=world.teacher)
    recording = world.course.lessons[0].id if getattr(world, "course", None) else None
    held = activities.create_activity(branch, kind=m.THEME_DAY, topic="重温入党誓词", place="301教室",
                                      agenda="一、重温入党誓词\n二、交流心得", starts_at=utcnow() - timedelta(days=7),
                                      ends_at=utcnow() - timedelta(days=7) + timedelta(hours=2), actor=world.teacher,
                                      lesson_id=recording)
    activities.save_minutes(held, "**全体党员**参加，王书记主持。", actor=world.teacher)
    activities.approve_minutes(held, actor=world.teacher)
    activities.save_minutes(held, "**全体党员**参加，李书记主持（更正）。", actor=world.teacher)
    activities.create_activity(branch, kind=m.GENERAL_MEETING, topic="换届选举", place="党员活动室",
                               starts_at=utcnow() + timedelta(hours=20), ends_at=utcnow() + timedelta(hours=22),
                               actor=world.teacher)
    notice = storage.write_bytes(storage.activity_file(held.id, ".pdf"), b"%PDF-1.4\n%%EOF\n")
    uploads.add_attachment(held, "活动通知.pdf", notice, uploaded_by_id=world.teacher.id)
    activities.create_activity(branch, kind=m.LECTURE, topic="学习党章", online=True,
                               starts_at=utcnow() + timedelta(days=7), ends_at=utcnow() + timedelta(days=7, hours=1),
                               actor=world.teacher)
    db.session.commit()
    world.branch, world.activity, world.branch_member = branch, held, member
