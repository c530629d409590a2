"""Signed media URLs: expiry and HMAC in the path, scoped to one folder, no cookie needed."""
import time
from pathlib import Path

import pytest

from elearn.video import signing

KEY, OTHER = "4242" * 8, "7777" * 8  # two assets' keys (folder names)


@pytest.fixture
def asset_folder(app):
    folder = Path(app.config["MEDIA_DIR"]) / "hls" / KEY
    (folder / "720").mkdir(parents=True, exist_ok=True)
    (folder / "master.m3u8").write_text("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720/index.m3u8\n")
    (folder / "720" / "seg_00000.ts").write_bytes(bytes(range(256)) * 40)
    (Path(app.config["MEDIA_DIR"]) / "hls" / OTHER).mkdir(parents=True, exist_ok=True)
    (Path(app.config["MEDIA_DIR"]) / "hls" / OTHER / "master.m3u8").write_text("#EXTM3U\n")
    return folder


def make_url(app, ident=KEY, filename="master.m3u8", now=None):
    with app.test_request_context():
        return signing.signed_url("hls", ident, filename, now=now)


def test_signed_url_serves_without_cookies_and_relative_uris_stay_signed(app, asset_folder):
    client = app.test_client()  # no session at all
    url = make_url(app)
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    segment_url = url.rsplit("/", 1)[0] + "/720/seg_00000.ts"  # what a player resolves from the playlist
    segment = client.get(segment_url)
    assert segment.status_code == 200 and segment.headers["Content-Type"] == "video/mp2t"
    assert len(segment.data) == 256 * 40


def test_valid_for_at_least_six_hours(app):
    now = time.time()
    url = make_url(app, now=now)
    expiry = int(url.split("/")[2])
    assert expiry - now >= 6 * 3600


def test_byte_ranges_and_caching_headers(app, asset_folder):
    client = app.test_client()
    url = make_url(app, filename="720/seg_00000.ts")
    partial = client.get(url, headers={"Range": "bytes=10-19"})
    assert partial.status_code == 206
    assert partial.data == (bytes(range(256)) * 40)[10:20]
    assert partial.headers["Content-Range"] == f"bytes 10-19/{256 * 40}"
    full = client.get(url)
    assert "max-age" in full.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304


def test_tampered_url_is_refused(app, asset_folder):
    client = app.test_client()
    url = make_url(app)
    parts = url.split("/")
    bad_sig = parts.copy()
    bad_sig[3] = ("A" if parts[3][0] != "A" else "B") + parts[3][1:]
    assert client.get("/".join(bad_sig)).status_code == 403
    later = parts.copy()
    later[2] = str(int(parts[2]) + 3600)  # extending the expiry breaks the signature
    assert client.get("/".join(later)).status_code == 403
    other = parts.copy()
    other[5] = OTHER  # the signature is for one asset's folder only
    response = client.get("/".join(other))
    assert response.status_code == 403 and response.get_json()["code"] == "media_url_invalid"


def test_expired_url_is_refused_plainly(app, asset_folder):
    url = make_url(app, now=time.time() - 8 * 3600)
    response = app.test_client().get(url)
    assert response.status_code == 403
    assert response.get_json()["code"] == "media_url_expired"


def test_no_escape_from_the_folder(app, asset_folder):
    client = app.test_client()
    secret = Path(app.config["MEDIA_DIR"]) / "hls" / "secret.ts"
    secret.write_bytes(b"x")
    for escaping in ("../secret.ts", f"720/../../{OTHER}/master.m3u8"):
        response = client.get(make_url(app, filename=escaping))
        assert response.status_code == 404 and response.get_json()["code"] == "not_found", escaping
    assert client.get(make_url(app, filename="nothing.ts")).status_code == 404


def test_accel_redirect_hands_the_file_to_nginx(app, asset_folder):
    app.config["ACCEL_REDIRECT_PREFIX"] = "/_protected"
    try:
        response = app.test_client().get(make_url(app, filename="720/seg_00000.ts"))
    finally:
        app.config.pop("ACCEL_REDIRECT_PREFIX")
    assert response.status_code == 200 and response.data == b""
    assert response.headers["X-Accel-Redirect"] == f"/_protected/hls/{KEY}/720/seg_00000.ts"


def test_a_url_naming_a_row_id_is_refused(app, asset_folder):
    """Ids come round again after a delete: a URL names a key, and one naming an id (as before keys) opens nothing."""
    with pytest.raises(ValueError):
        make_url(app, ident="424242")
    expiry = signing.expiry_for()
    with app.app_context():
        url = f"/media/{expiry}/{signing.signature(expiry, 'hls', '424242')}/hls/424242/master.m3u8"
    response = app.test_client().get(url)
    assert response.status_code == 403 and response.get_json()["code"] == "media_url_invalid"
