"""Text analysis for search: Chinese words by jieba, titles and names also as pinyin, English stemmed.

Pure functions over strings (no Flask): the benchmark in bench/search.py uses this same module.

- Indexing keeps each word jieba finds in precise mode and, for a long word, the words it is made
  of (太极拳 → 太极拳 太极 拳; 智能手机 → 智能手机 智能 手机), so a shorter query finds it. jieba's own
  search mode would also add every dictionary word that happens to sit inside (智能手机 → 能手),
  which pulls in lessons about something else, so the parts come from the best split of the word
  that does not keep it whole.
- Queries are cut in precise mode: a query word then matches the same word or a part of a longer one.
  Both are cut by jieba's dictionary alone, without its HMM, so a caption and a query quoting it
  are cut alike (see ``_chinese``).
- Titles and teacher names are also written as pinyin: every syllable, each word's syllables joined
  and each word's initials (太极拳 → tai ji quan taijiquan tjq taiji tj), so ``taiji``, ``tai ji`` and
  ``tj`` find it; two neighbouring words also as one (广场|舞 → guangchangwu gcw).
- ``sound_key`` is how a word sounds, fuzzy sounds folded, to find the word a homophone typo meant.
"""
from __future__ import annotations

import functools
import itertools
import logging
import math
import re
import threading
from pathlib import Path

import jieba
from pypinyin import lazy_pinyin
from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem

jieba.setLogLevel(logging.WARNING)

#: A run of Chinese characters, or of Latin letters and digits; everything else separates words.
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9\u00c0-\u024f]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: Words too common to tell lessons apart; they only slow the search down.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 也 都 就 而 或 这 那 个 我 你 他 她 它 们 我们 你们 大家 一个 一些 有 没有 "
    "很 吗 呢 吧 啊 呀 把 被 对 从 到 给 让 还 又 要 会 能 可以 就是 这个 那个 什么 怎么 因为 所以 "
    "但是 如果 然后 现在 今天 之 其 为 以 于 上 下 中 里 着 过 等 "
    "a an and are as at be by for from in is it of on or that the this to was with".split()
)

_lock = threading.Lock()
_loaded = [False]


def cache_in(folder: str | Path) -> None:
    """Keep jieba's cache file in ``folder`` (the instance folder), not in the shared /tmp."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    jieba.dt.tmp_dir = str(folder)


def load(cache_dir: str | Path | None = None) -> None:
    """Load jieba's dictionary once per process (about a second and 80 MB): gunicorn's post_fork does."""
    with _lock:
        if _loaded[0]:
            return
        if cache_dir:
            cache_in(cache_dir)
        jieba.initialize()
        _loaded[0] = True


def _parts(word: str) -> list[str]:
    """The best split of a long word that does not keep it whole (jieba's own scores), by recursion."""
    dt = jieba.dt
    n = len(word)
    dag = dt.get_DAG(word)
    total = math.log(dt.total)
    route = {n: (0.0, 0)}
    for i in range(n - 1, -1, -1):
        route[i] = max(
            (math.log(dt.FREQ.get(word[i:j + 1]) or 1) - total + route[j + 1][0], j)
            for j in ([j for j in dag[i] if not (i == 0 and j == n - 1)] or [i])
        )
    parts, i = [], 0
    while i < n:
        j = route[i][1] + 1
        parts.append(word[i:j])
        i = j
    found = []
    for part in parts:
        found.append(part)
        if len(part) > 2 and dt.FREQ.get(part):
            found += _parts(part)
    return found


def words(text: str, *, index: bool) -> list[str]:
    """The words of ``text``, lower-cased and stemmed, stopwords left out; with ``index`` also the parts.

    Short texts are remembered: a title is cut for several fields (words, pinyin, sounds) and a
    teacher's name for every lesson of the course, which the rebuild would otherwise do each time."""
    if text and len(text) <= 120:
        return list(_cached_words(text, index))
    return _words(text, index)


@functools.lru_cache(maxsize=20000)
def _cached_words(text: str, index: bool) -> tuple[str, ...]:
    return tuple(_words(text, index))


def _words(text: str, index: bool) -> list[str]:
    load()
    found: list[str] = []
    for run in _RUN.findall(text or ""):
        if _CJK.match(run):
            found += _chinese(run, index)
        else:
            word = run.lower()
            found.append(stem(word) if word.isascii() and word.isalpha() else word)
    return [w for w in found if w not in STOPWORDS]


def _chinese(run: str, index: bool) -> list[str]:
    """jieba's precise words of a run of characters, by the dictionary alone (no HMM): the HMM glues
    unknown characters to their neighbours depending on what follows (弓毛要 in a caption, 弓毛 in a
    query), so a query would miss the caption it quotes. Indexing adds a long word's parts, and a
    dictionary word that two single characters make together (一个|大|球 → 大球), which the best
    split of the sentence around them left apart."""
    pieces = jieba.lcut(run, HMM=False)
    if not index:
        return pieces
    found: list[str] = []
    for n, word in enumerate(pieces):
        found.append(word)
        if len(word) > 2 and jieba.dt.FREQ.get(word):
            found += _parts(word)
        following = pieces[n + 1] if n + 1 < len(pieces) else ""
        if len(word) == 1 and len(following) == 1 and jieba.dt.FREQ.get(word + following):
            found.append(word + following)
    return found


def pinyin_words(text: str) -> list[str]:
    """Pinyin forms of ``text``'s Chinese words: syllables, joined syllables, initials (see the docstring)."""
    found: list[str] = []
    whole = set(words(text, index=False))
    for word in words(text, index=True):
        if not _CJK.search(word):
            continue
        syllables = [s for s in lazy_pinyin(word, errors="ignore") if s.isascii() and s.isalpha()]
        if not syllables:
            continue
        if word in whole:  # the parts of a long word add their joined forms, not its syllables again
            found += syllables
        if len(syllables) > 1:
            found.append("".join(syllables))
            found.append("".join(s[0] for s in syllables))
    return found + _pair_forms(text)


def _pair_forms(text: str) -> list[str]:
    """Two neighbouring words of a run joined, as one pinyin word and its initials, when they make three
    syllables or more: a learner types the name as they say it (广场|舞 → guangchangwu, gcw; 手机|摄影
    → sjsy; 静夜|思 → jingyesi), not knowing where jieba cuts. Two single syllables are left out: their
    two initials would collide with every two-character word's."""
    found: list[str] = []
    for pair in word_pairs(text):
        syllables = [s for s in lazy_pinyin(pair, errors="ignore") if s.isascii() and s.isalpha()]
        if len(syllables) >= 3:
            found += ["".join(syllables), "".join(s[0] for s in syllables)]
    return found


def chinese_runs(text: str) -> list[str]:
    return [run for run in _RUN.findall(text or "") if _CJK.match(run)]


def word_pairs(text: str) -> list[str]:
    """Each two neighbouring words of a run of characters, joined (广场舞基础 → 广场舞, 舞基础)."""
    found = []
    for run in chinese_runs(text):
        cut = words(run, index=False)
        found += [a + b for a, b in itertools.pairwise(cut)]
    return found


def is_dictionary_word(text: str) -> bool:
    load()
    return bool(jieba.dt.FREQ.get(text))


def query_words(text: str) -> list[tuple[str, str | None]]:
    """A query's words in precise mode, each with the form to look up among pinyin (Latin words only,
    lower-cased and not stemmed, since ``ruhe`` is a syllable pair and not an English word)."""
    found = []
    for run in _RUN.findall(text or ""):
        if _CJK.match(run):
            found += [(w, None) for w in words(run, index=False)]
        else:
            word = run.lower()
            if word in STOPWORDS:
                continue
            found.append((words(word, index=False)[0], word if is_latin(word) else None))
    return found


def is_latin(word: str) -> bool:
    return word.isascii() and word.isalpha()


def joined_pinyin(text: str) -> str:
    """太级 → taiji: how a homophone typo sounds, to look the intended word up."""
    return "".join(s for s in lazy_pinyin(text, errors="ignore") if s.isascii() and s.isalpha())


#: What pinyin input methods call fuzzy sounds (模糊音), the pairs many southern speakers do not tell
#: apart: 静夜诗 (jingyeshi) is typed for 静夜思 (jingyesi).
_FUZZY = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"))


def sound_key(text: str) -> str:
    """How ``text`` sounds, fuzzy sounds folded: characters by their pinyin, pinyin as typed."""
    sound = text.lower().replace(" ", "") if text.isascii() else joined_pinyin(text)
    for fuzzy, plain in _FUZZY:
        sound = sound.replace(fuzzy, plain)
    return sound


class WordTokenizer(Tokenizer):
    """Whoosh tokenizer over ``words``: index mode adds the parts of long words."""

    def __init__(self, pinyin: bool = False):
        self.pinyin = pinyin

    def __eq__(self, other):
        return type(self) is type(other) and self.pinyin == getattr(other, "pinyin", None)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        found = pinyin_words(value) if self.pinyin else words(value, index=mode != "query")
        for pos, word in enumerate(found):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            yield token


def text_analyzer():
    return WordTokenizer()


def pinyin_analyzer():
    return WordTokenizer(pinyin=True)
