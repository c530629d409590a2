/* In-page layout checks for small screens and large text (evaluated by Playwright, not served).
   Returns {header, mainTop, scrollWidth, broken: [...]} for the page as it is laid out now:
   - header: the height of the site header, mainTop: where the main content starts (px from the top);
   - scrollWidth: the document's width (more than the window's means sideways scrolling);
   - broken: buttons whose label breaks apart (more than two lines although the button is narrow). */
() => {
  "use strict";
  const html = document.documentElement;
  const visible = (el) => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden";
  };
  // The lines a label takes, and its widest line, from the boxes of its text (icons aside).
  const labelLines = (el) => {
    let lines = 0, widest = 0;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || node.parentElement.closest(".visually-hidden")) { continue; }
      const range = document.createRange(), tops = new Set();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width < 1) { continue; }
        tops.add(Math.round(rect.top / 4));
        widest = Math.max(widest, rect.width);
      }
      lines = Math.max(lines, tops.size);  // per text: an icon or ▶ beside the words is not a line
    }
    return {lines: lines, widest: widest};
  };
  const broken = [];
  document.querySelectorAll("button, .button, input[type=submit], summary").forEach((el) => {
    if (!visible(el) || !el.textContent.trim()) { return; }
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    const label = labelLines(el), size = parseFloat(style.fontSize);
    // A long label may wrap in a button as wide as the screen allows; a short one must not, and no
    // label may be squeezed into a column a few characters wide.
    const room = Math.min(window.innerWidth - 32, el.parentElement.getBoundingClientRect().width);
    if (label.lines > 2 && (box.width < 0.9 * room || label.widest < 3.5 * size)) {
      broken.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().replace(/\s+/g, " ").slice(0, 30)}": ` +
                  `${label.lines} lines, widest ${Math.round(label.widest)}px, in ${Math.round(box.width)}px`);
    }
  });
  // What sticks out on the right, deepest first, to say where sideways scrolling comes from.
  const wide = [];
  if (html.scrollWidth > window.innerWidth) {
    document.querySelectorAll("main *, header *").forEach((el) => {
      const box = el.getBoundingClientRect();
      if (box.right > window.innerWidth + 1 && box.width > 0 && !el.closest(".visually-hidden") &&
          !Array.from(el.children).some((c) => c.getBoundingClientRect().right > window.innerWidth + 1)) {
        const scroller = el.parentElement.closest(".table-wrap, .chart-scroll, .scroll-x");
        if (!scroller) {
          wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
                    ` to ${Math.round(box.right)}px`);
        }
      }
    });
  }
  const header = document.querySelector(".site-header"), main = document.getElementById("main");
  return {
    header: header ? Math.round(header.getBoundingClientRect().height) : 0,
    mainTop: main ? Math.round(main.getBoundingClientRect().top + window.scrollY) : 0,
    scrollWidth: html.scrollWidth,
    broken: broken,
    wide: wide.slice(0, 5),
  };
}
