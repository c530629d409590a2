"""From what a person typed to Whoosh queries, results and highlighted snippets.

The user's text never reaches Whoosh's query parser: it is cut into words by ``analysis`` and the
queries are built from Term objects, so ``AND``, ``*``, ``title:``, quotes and brackets are words
like any other (or nothing at all). The length and the number of words are capped.

No wildcard or fuzzy terms on the search path; only suggestions (a few letters typed) expand a
prefix, over titles alone. Pinyin queries and homophone typos (a run of characters no dictionary
word) also look up the title words they sound like, by one prefix of the ``sounds`` field ("taiji=").
"""
from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import query as Q

from .analysis import chinese_runs, is_dictionary_word, query_words, sound_key, words

MAX_LENGTH = 100
MAX_WORDS = 8
SNIPPET = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


@dataclass
class Parsed:
    text: str = ""
    words: list = field(default_factory=list)   # (word, latin form or None)
    truncated: bool = False
    meant: list = field(default_factory=list)   # Chinese words a pinyin/homophone query sounds like
    corrected: str | None = None                 # the query with its homophone typos put right

    @property
    def empty(self) -> bool:
        return not self.words


def parse(raw: str | None) -> Parsed:
    """Full-width letters folded (ｔａｉｊｉ → taiji), control characters dropped, length and words capped."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = " ".join(_CONTROL.sub(" ", text).split())
    truncated = len(text) > MAX_LENGTH
    text = text[:MAX_LENGTH]
    found = []
    for word in query_words(text):
        if word not in found:
            found.append(word)
    truncated = truncated or len(found) > MAX_WORDS
    return Parsed(text=text, words=found[:MAX_WORDS], truncated=truncated)


def _word_query(word: str, latin: str | None, fields: tuple, pinyin_fields: tuple) -> Q.Query:
    alternatives = [Q.Term(f, word) for f in fields]
    if latin:
        alternatives += [Q.Term(f, latin) for f in pinyin_fields]
    return Q.Or(alternatives)


def item_query(parsed: Parsed) -> Q.Query:
    fields = ("title", "body", "teachers", "handouts")
    pinyin_fields = ("title_py", "teachers_py")
    every = Q.And([_word_query(w, latin, fields, pinyin_fields) for w, latin in parsed.words])
    latins = [latin for _, latin in parsed.words if latin]
    options = [every]
    if len(latins) > 1 and len(latins) == len(parsed.words):  # "tai ji", "tai ji quan": one word
        options += [Q.Term(f, "".join(latins)) for f in pinyin_fields]
    options += [_meant_query("title", m) for m in parsed.meant]
    return Q.Or(options)


def cue_query(parsed: Parsed) -> Q.Query:
    every = Q.And([Q.Term("text", w) for w, _ in parsed.words])
    return Q.Or([every] + [_meant_query("text", m) for m in parsed.meant])


def _meant_query(fieldname: str, meant: str) -> Q.Query:
    """A word meant, by the words the index holds for it (静夜思 was indexed as 静夜 and 思)."""
    return Q.And([Q.Term(fieldname, w) for w in words(meant, index=False)] or [Q.NullQuery])


def sounds_like(items_searcher, text: str, limit: int = 3) -> list[str]:
    """Title words that sound like ``text`` (taiji, 太级 → 太极), the most used first."""
    sound = sound_key(text)
    if not sound or len(sound) > 40:
        return []
    reader = items_searcher.reader()
    prefix = f"{sound}="
    found = [(reader.doc_frequency("sounds", term), term.split("=", 1)[1])
             for term in _expand(reader, "sounds", prefix, 50)]
    return [word for _, word in sorted(found, reverse=True)[:limit]]


def _expand(reader, fieldname: str, prefix: str, most: int) -> list[str]:
    found = []
    for term in reader.expand_prefix(fieldname, prefix):
        found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(found) >= most:
            break
    return found


def with_meant(items_searcher, parsed: Parsed) -> Parsed:
    """A query in pinyin also looks for the Chinese words it sounds like (for cues, which carry no pinyin);
    a query with a homophone typo also looks for the words meant."""
    latins = [latin for _, latin in parsed.words if latin]
    if latins and len(latins) == len(parsed.words):
        parsed.meant = sounds_like(items_searcher, "".join(latins))
    elif not latins:
        _typos(items_searcher, parsed)
    return parsed


def _typos(items_searcher, parsed: Parsed) -> None:
    """A run of characters that is no word of jieba's dictionary but sounds like a title word is taken
    for a pick from the input method's list (太级 for 太极, 广场午 for 广场舞): the title word is searched
    too. Not only when nothing matches: 太 and 级 alone are in many captions. A real word is left alone."""
    corrected = parsed.text
    for run in chinese_runs(parsed.text):
        if len(run) < 2 or is_dictionary_word(run):
            continue
        like = [w for w in sounds_like(items_searcher, run, limit=1) if w != run]
        if like:
            parsed.meant.append(like[0])
            corrected = corrected.replace(run, like[0], 1)
    parsed.corrected = corrected if parsed.meant else None


def did_you_mean(items_searcher, parsed: Parsed) -> str | None:
    """When nothing matched: the query with its words replaced by title words that sound alike."""
    replaced, changed = [], False
    for word, latin in parsed.words:
        like = sounds_like(items_searcher, latin or word, limit=1)
        if like and like[0] != word:
            replaced.append(like[0])
            changed = True
        else:
            replaced.append(word)
    return " ".join(replaced) if changed else None


def highlight(text: str, marks: list[str], width: int = SNIPPET) -> Markup:
    """An escaped snippet of ``text`` around the first mark, each mark wrapped in <mark>."""
    text = text or ""
    marks = sorted({m for m in marks if m and len(m) > 0}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE) if marks else None
    first = pattern.search(text) if pattern else None
    start = max(0, (first.start() if first else 0) - width // 4)
    piece = text[start:start + width]
    out = [Markup("…") if start > 0 else Markup("")]
    pos = 0
    for m in (pattern.finditer(piece) if pattern else ()):
        out.append(escape(piece[pos:m.start()]))
        out.append(Markup("<mark>%s</mark>") % m.group(0))
        pos = m.end()
    out.append(escape(piece[pos:]))
    if start + width < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def marks_of(parsed: Parsed) -> list[str]:
    return [w for w, _ in parsed.words] + [latin for _, latin in parsed.words if latin] + parsed.meant


def audience_filter(audiences: tuple | None, extra_course_ids=()) -> Q.Query | None:
    """Documents of published courses open to ``audiences``, or of the ``extra_course_ids`` (courses the
    person edits, or sees through a class group); None: everything (admins)."""
    if audiences is None:
        return None
    open_to = Q.And([Q.Term("status", "published"), Q.Or([Q.Term("visibility", v) for v in audiences])])
    extra = [Q.Term("course_id", str(i)) for i in extra_course_ids]
    return Q.Or([open_to] + extra) if extra else open_to


def _filters(*parts) -> Q.Query | None:
    parts = [p for p in parts if p is not None]
    return Q.And(parts) if parts else None


def _docs(searcher, filter_q: Q.Query | None):
    """The filter's documents, kept on the searcher: Whoosh would walk the ``status`` and ``visibility``
    postings of every document on every search. A new commit brings a new searcher, so a new cache."""
    if filter_q is None:
        return None
    cache = searcher.__dict__.setdefault("_elearn_filters", OrderedDict())
    key = repr(filter_q)
    docs = cache.get(key)
    if docs is None:
        docs = cache[key] = searcher._query_to_comb(filter_q)
        while len(cache) > 64:
            cache.popitem(last=False)
    return docs


def find(searchers: dict, parsed: Parsed, *, visible: Q.Query | None, category: str | None = None,
         teacher: int | None = None, page: int = 1, per_page: int = 10, courses: int = 5) -> dict:
    """Results grouped as courses (first page only), lessons and moments, each a list of stored fields
    with a score; totals for the two paged groups. Nothing typed: nothing found."""
    found = {"courses": [], "lessons": [], "moments": [], "lessons_total": 0, "moments_total": 0}
    if parsed.empty:
        return found
    items, cues = searchers["items"], searchers["cues"]
    with_meant(items, parsed)
    narrow = _filters(visible, Q.Term("category", category) if category else None,
                      Q.Term("teacher_ids", str(teacher)) if teacher else None)
    item_q = item_query(parsed)
    if page == 1:
        found["courses"], _ = _run(items, item_q, _filters(narrow, Q.Term("kind", "course")), 1, courses, count=False)
    found["lessons"], found["lessons_total"] = _run(items, item_q, _filters(narrow, Q.Term("kind", "lesson")),
                                                    page, per_page)
    moments, found["moments_total"] = _run(cues, cue_query(parsed), narrow, page, per_page)
    found["moments"] = [_the_cue(hit, parsed) for hit in moments]
    return found


def _the_cue(hit: dict, parsed: Parsed) -> dict:
    """A passage's hit as the moment of its cue with the most of the query's words (the first of
    equals): that cue's second and text. The words are looked for as they are written (English ones
    by their stem), not by cutting each cue again: ten hits of five cues would cost more than the search."""
    cues = hit.get("cues")
    if not cues:
        return hit
    wanted = {w for w, _ in parsed.words} | set(parsed.meant)
    start, text = max(cues, key=lambda cue: sum(w in cue[1].lower() for w in wanted))
    return dict(hit, start=start, text=text)


def _run(searcher, q: Q.Query, filter_q: Q.Query | None, page: int, per_page: int, count: bool = True):
    """One page of hits (stored fields and score) and the number of all hits. Collecting only up to the
    page's end lets Whoosh skip blocks that cannot reach it; the total is one more pass, without scores."""
    docs = _docs(searcher, filter_q)
    if docs is not None and not docs:  # an empty filter would mean "no filter" to Whoosh
        return [], 0
    results = searcher.search(q, limit=page * per_page, filter=docs)
    hits = [dict(h.fields(), score=h.score) for h in results[(page - 1) * per_page:page * per_page]]
    return hits, (len(results) if count else len(hits))


def suggest(searchers: dict, text: str, *, visible: Q.Query | None, limit: int = 8) -> list[dict]:
    """Titles for a few letters or characters typed: the last word may be half typed (taij, 太)."""
    parsed = parse(text)
    if parsed.empty:
        return []
    items = searchers["items"]
    reader = items.reader()
    *whole, (last, latin) = parsed.words
    started = [Q.Term("title", t) for t in _expand(reader, "title", last, 20)]
    if latin:
        started += [Q.Term("title_py", t) for t in _expand(reader, "title_py", latin, 20)]
    if not started:
        return []
    head = [_word_query(w, lat, ("title", "teachers"), ("title_py", "teachers_py")) for w, lat in whole]
    hits, _ = _run(items, Q.And(head + [Q.Or(started)]), visible, 1, limit, count=False)
    return hits
