"""Who may start an upload and who may go on sending one; each upload target adds its own rule."""
from __future__ import annotations

from . import targets


def can_start_uploads(user) -> bool:
    """Someone some upload target takes files from (which object exactly is checked per upload)."""
    return bool(user and user.is_authenticated) and any(target.may_start(user) for target in targets.targets)


def can_continue_upload(user, upload) -> bool:
    """The creator, while the target still takes files from them for that object."""
    if not (user and user.is_authenticated) or upload.user_id != user.id:
        return False
    target = targets.targets.get(upload.kind)
    return target is not None and target.may_continue(user, upload)
