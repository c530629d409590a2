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


def test_a_caption_is_cut_the_way_a_query_quoting_it_is():
    """jieba's HMM glued unknown characters to what follows (弓毛要 in the caption, 弓毛 typed)."""
    caption = set(analysis.words("弓毛要贴着琴弦", index=True))
    assert {w for w, _ in analysis.query_words("弓毛")} <= caption
    assert {w for w, _ in analysis.query_words("抱着大球")} <= set(analysis.words("手臂像抱着一个大球", index=True))


def test_two_neighbouring_words_are_also_one_pinyin_word_and_initials():
    assert {"guangchangwu", "gcw"} <= set(analysis.pinyin_words("广场舞基础"))  # jieba cuts 广场|舞
    assert {"shoujisheying", "sjsy"} <= set(analysis.pinyin_words("手机摄影"))
    assert "jingyesi" in analysis.pinyin_words("李白的静夜思")


def test_fuzzy_sounds_are_folded_as_pinyin_input_methods_do():
    assert analysis.sound_key("静夜诗") == analysis.sound_key("静夜思") == analysis.sound_key("jingyesi")
    assert analysis.sound_key("广场午") == analysis.sound_key("广场舞")
    assert analysis.sound_key("书法") != analysis.sound_key("书包")
