"""What the browser walk adds for the activity's attendance pages: the next week's activity of
``branches_for_pages`` (the 党课) with the student's leave request waiting for the secretary."""
from __future__ import annotations


def branch_roll_for_pages(db, world):
    from sqlalchemy import select

    from elearn.attendance import leave
    from elearn.branches import activities, models as m

    coming = db.session.scalar(select(m.Activity).where(m.Activity.branch_id == world.branch.id,
                                                        m.Activity.kind == m.LECTURE))
    leave.request_leave(activities.event_of(coming), world.student.id, "去医院复查", actor=world.student)
    db.session.commit()
    world.upcoming_activity = coming
