"""The relevance fixture: each query finds what older learners expect among the top 3 of its group
(Chinese words, full pinyin joined and spaced, initials, mixed, half words, homophone typos,
caption-only words, English), in the shares the fixture states."""
from __future__ import annotations

from collections import Counter

from flask_login import AnonymousUserMixin

from elearn.search import services


def found_in_top3(results: dict, want: dict, made: dict) -> bool:
    target = made[want["expect"]]
    if want["group"] == "course":
        return target.id in [c["id"] for c in results["courses"][:3]]
    if want["group"] == "lesson":
        return target.id in [h["id"] for h in results["lessons"][:3]]
    return any(m["lesson_id"] == target.id and m["start"] == want["at"] for m in results["moments"][:3])


def test_the_fixture_has_every_kind_in_its_stated_share(relevance):
    counted = Counter(q["kind"] for q in relevance["queries"])
    assert counted == {kind: stated["queries"] for kind, stated in relevance["kinds"].items()}
    assert len(relevance["queries"]) >= 60
    assert len({q["q"] for q in relevance["queries"]}) == len(relevance["queries"])


def test_every_fixture_query_finds_its_answer_in_the_top_three(app, world, relevance):
    with app.test_request_context():
        missed = [(q["kind"], q["q"]) for q in relevance["queries"]
                  if not found_in_top3(services.search(AnonymousUserMixin(), q["q"]), q, world)]
    assert not missed, "missed: " + "; ".join(f"{kind} {q}" for kind, q in missed)


def test_a_moment_links_to_the_lesson_at_its_second(app, world):
    with app.test_request_context():
        moment = services.search(AnonymousUserMixin(), "验证码")["moments"][0]
    assert moment["url"].endswith(f"/lessons/{world['phone-2'].id}?t=150")
    assert moment["at"] == "2:30"
