"""Teachers' Markdown is rendered, and whatever could run in a learner's browser is removed."""
from __future__ import annotations

import pytest

from elearn.courses.markdown import render_markdown


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "before\n\n<script src=https://evil.example/x.js></script>\n\nafter",
    "<SCRIPT>alert(1)</SCRIPT>",
])
def test_script_tags_are_removed(source):
    """Script elements disappear, in any case and with any attributes."""
    html = str(render_markdown(source))
    assert "<script" not in html.lower() and "alert(1)" not in html


@pytest.mark.parametrize("source", [
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">hi</p>',
    '<a href="https://example.com" onmouseover="alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
])
def test_event_handlers_and_styles_are_removed(source):
    """on* attributes and inline styles are stripped from whatever tags survive."""
    html = str(render_markdown(source)).lower()
    assert "onerror" not in html and "onclick" not in html and "onmouseover" not in html
    assert "onload" not in html and "style=" not in html and "javascript:" not in html


@pytest.mark.parametrize("source", [
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">click</a>',
    "![x](javascript:alert(1))",
])
def test_javascript_and_data_links_lose_their_target(source):
    """javascript: and data: URLs never end up in an href or src."""
    html = str(render_markdown(source)).lower()
    assert 'href="javascript' not in html and 'src="javascript' not in html and 'href="data' not in html


def test_ordinary_markdown_still_works():
    """Headings, emphasis, lists, safe links and tables are kept; links get rel=noopener."""
    html = str(render_markdown("## 要点\n\n**粗体** 和 *斜体*\n\n- 一\n- 二\n\n[网站](https://example.com)\n\n"
                               "| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h2>要点</h2>" in html and "<strong>粗体</strong>" in html and "<em>斜体</em>" in html
    assert "<li>一</li>" in html and "<table>" in html
    assert 'href="https://example.com"' in html and "noopener" in html


def test_empty_description_is_empty():
    """No description gives no markup at all."""
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""
