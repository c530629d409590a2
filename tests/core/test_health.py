def test_healthz_reports_every_part(client):
    """/healthz is JSON with database, queue, ffmpeg, ffprobe and search index, 200 when all are fine."""
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "ffmpeg", "ffprobe", "search_index"}
    assert body["checks"]["ffmpeg"]["version"].startswith("ffmpeg version")


def test_healthz_503_when_a_part_is_broken(app, client):
    """A missing ffprobe makes the whole report unhealthy with 503."""
    from elearn.core import health

    old = app.config["FFPROBE"]
    app.config["FFPROBE"] = "ffprobe-that-does-not-exist"
    try:
        response = client.get("/healthz")
    finally:
        app.config["FFPROBE"] = old
        health._tool_cache.clear()
    assert response.status_code == 503
    assert response.get_json()["checks"]["ffprobe"]["ok"] is False
