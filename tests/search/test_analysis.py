"""Words for the index and for queries: jieba's segmentation, a long word's parts, pinyin and
initials for titles and names, English stemmed."""
from __future__ import annotations

from elearn.search import analysis


def test_a_long_word_is_indexed_with_its_parts_but_not_words_that_only_sit_inside():
    assert {"太极拳", "太极"} <= set(analysis.words("太极拳入门", index=True))
    phone = analysis.words("智能手机的使用", index=True)
    assert {"智能手机", "手机", "智能"} <= set(phone)
    assert "能手" not in phone  # jieba's own search mode would add it


def test_queries_are_cut_in_precise_mode_without_stopwords():
    assert analysis.words("高血压的饮食", index=False) == ["高血压", "饮食"]
    assert [w for w, _ in analysis.query_words("太极拳")] == ["太极拳"]


def test_titles_get_full_pinyin_and_initials():
    forms = set(analysis.pinyin_words("太极拳"))
    assert {"taijiquan", "taiji", "tai", "ji", "tjq", "tj"} <= forms
    assert "shufa" in analysis.pinyin_words("书法基础")
    assert {"wangjianguo", "wjg"} <= set(analysis.pinyin_words("王建国"))


def test_english_is_stemmed_and_pinyin_queries_are_not():
    assert analysis.words("Greetings and lessons", index=True) == analysis.words("greeting lesson", index=False)
    assert analysis.query_words("ruhe") == [(analysis.words("ruhe", index=False)[0], "ruhe")]


def test_a_homophone_sounds_the_same():
    assert analysis.joined_pinyin("太级") == analysis.joined_pinyin("太极") == "taiji"
