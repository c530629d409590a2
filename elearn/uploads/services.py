"""What the page that sent an upload is told about it."""
from __future__ import annotations

from ..core.errors import translated
from . import targets
from .models import Upload


def upload_dict(upload: Upload) -> dict:
    """The upload's state and, once finished, what its target made of it (``describe``)."""
    body = {
        "id": upload.id,
        "kind": upload.kind,
        "state": upload.state,
        "filename": upload.filename,
        "length": upload.length,
        "offset": upload.offset,
        "target_id": upload.target_id,
        "error": translated(upload.error, upload.error_params),
    }
    target = targets.targets.get(upload.kind)
    if target is not None:
        body.update(target.describe(upload))
    return body
