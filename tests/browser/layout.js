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
  const broken = [];
  document.querySelectorAll("button, .button, input[type=submit], summary").forEach((el) => {
    if (!visible(el) || !el.textContent.trim()) { return; }
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const inner = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) -
      parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
    const lines = Math.round(inner / line);
    // A long label may wrap in a button as wide as the screen allows; a narrow button must not.
    const room = Math.min(window.innerWidth - 32, el.parentElement.getBoundingClientRect().width);
    if (lines > 2 && box.width < 0.9 * room) {
      broken.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().replace(/\s+/g, " ").slice(0, 30)}": ` +
                  `${lines} lines in ${Math.round(box.width)}px`);
    }
  });
  const header = document.querySelector(".site-header"), main = document.getElementById("main");
  return {
    header: header ? Math.round(header.getBoundingClientRect().height) : 0,
    mainTop: main ? Math.round(main.getBoundingClientRect().top + window.scrollY) : 0,
    scrollWidth: html.scrollWidth,
    broken: broken,
  };
}
