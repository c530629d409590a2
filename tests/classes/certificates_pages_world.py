"""What the browser walk shows the certificate pages with: the walk's class issues its certificates
(the class asks for no attendance at all, so both members qualify), and the office revokes one."""
from __future__ import annotations


def certificates_for_pages(db, world):
    from elearn.classes import certificates

    world.group.certificate_rate = 0.0
    certificates.issue_all(world.group, actor=world.teacher)
    world.group.certificate_rate = None
    world.certificate = certificates.certificate_of(world.group, world.student.id)
    world.revoked_certificate = certificates.certificate_of(world.group, world.target.id)
    certificates.revoke(world.revoked_certificate, actor=world.admin, reason="出勤记录有误")
    db.session.commit()
