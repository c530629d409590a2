"""Accessibility of every page, as each role sees it, in the standard and the high-contrast theme.

axe-core checks WCAG 2.2 A/AA and the enhanced (7:1) contrast rule. Because axe counts 26-32 px
text as "large" and then asks only 4.5:1, checks.js adds our own promise: 7:1 for every visible
text at every text size, targets of 48x48 px (primary actions 60x60). One walk per theme does
both, so the suite stays quick.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import html_get_endpoints, make_world, visit_every_page, visited_endpoints

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHECKS = (Path(__file__).parent / "checks.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
THEMES = ("standard", "high")
TEXT_SIZES = {"standard": 20, "large": 26, "xlarge": 32}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: {"color-contrast-enhanced": {enabled: true}},
    resultTypes: ["violations"],  // passes etc. keep one node each: much quicker
  });
  const ran = [].concat(result.passes, result.violations, result.incomplete, result.inapplicable).map((r) => r.id);
  return {
    ran: ran,
    violations: result.violations.map((v) => ({
      id: v.id, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
    })),
  };
}"""


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


def test_every_html_page_is_visited(app):
    """Every HTML GET endpoint has a visit in tests/browser/pages.py, and every visit still exists."""
    missing = html_get_endpoints(app) - visited_endpoints()
    assert not missing, (
        f"New pages without a browser visit: {sorted(missing)}. Add a Visit to VISITS in "
        "tests/browser/pages.py (or list a JSON/media endpoint in NON_HTML_ENDPOINTS)."
    )
    stale = visited_endpoints() - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not stale, f"Visits for endpoints that no longer exist: {sorted(stale)}"


def axe_problems(page) -> list[str]:
    """axe's violations on the page as it is now, one line per element (the page needs bypass_csp)."""
    if not page.evaluate("typeof window.axe === 'object'"):  # not already there by add_init_script
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(RUN_AXE, AXE_TAGS)
    problems = []
    if "color-contrast-enhanced" not in result["ran"] or "target-size" not in result["ran"]:
        problems.append("axe did not run the enhanced-contrast and target-size rules")
    for violation in result["violations"]:
        for node in violation["nodes"]:
            summary = " ".join(node["summary"].split())
            problems.append(f"axe [{violation['id']}] {node['target']}: {violation['help']}. {summary}")
    return problems


# One round trip per page: switch the text size the way the server does (data-text), check, repeat.
AT_EVERY_SIZE = """(args) => {
  const check = %s;
  const html = document.documentElement, before = html.dataset.text, found = [];
  for (const [size, pixels] of args.sizes) {
    html.dataset.text = size;
    found.push({size: size, pixels: pixels, root: parseFloat(getComputedStyle(html).fontSize),
                result: check(args.options)});
  }
  if (before === undefined) { delete html.dataset.text; } else { html.dataset.text = before; }
  return found;
}""" % CHECKS.strip().rstrip(";")


def own_problems(page) -> list[str]:
    """Our contrast and target checks at each text size (20, 26 and 32 px)."""
    problems = []
    found = page.evaluate(AT_EVERY_SIZE, {"sizes": list(TEXT_SIZES.items()),
                                          "options": {"minContrast": 7, "minTarget": 48, "minPrimary": 60}})
    for each in found:
        if each["root"] != each["pixels"]:
            problems.append(f"text size {each['size']}: root font-size {each['root']}px, expected {each['pixels']}px")
        problems += [f"{each['pixels']}px, contrast: {p}" for p in each["result"]["contrast"]]
        problems += [f"{each['pixels']}px, target: {p}" for p in each["result"]["targets"]]
    return problems


@pytest.mark.browser
@pytest.mark.parametrize("theme", THEMES)
def test_every_page_passes_axe_and_our_contrast_and_target_checks(theme, new_page, live_server, live_db):
    """No axe WCAG 2.2 A/AA or enhanced-contrast violation; 7:1 text and 48/60 px targets at 20, 26, 32 px."""
    assert AXE.is_file(), f"{AXE} is missing: run `npm install --no-audit --no-fund` (or `make setup`)"
    world = make_world(live_db, contrast=theme)

    def check(page, visit):
        shown = page.evaluate("document.documentElement.dataset.contrast")
        if visit.themed and shown != theme:
            return [f"shown in the {shown} theme, not {theme}"]
        return axe_problems(page) + own_problems(page)

    def new_axe_page(**options):
        # bypass_csp only so that axe can be injected; test_shell walks every page under the real CSP.
        page = new_page(bypass_csp=True, **options)
        page.context.add_init_script(path=str(AXE))  # in every document: quicker than a script tag each time
        return page

    problems = visit_every_page(new_axe_page, live_server, world, check, contrast=theme)
    assert not problems, _report(problems)
