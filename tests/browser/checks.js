/* In-page checks that axe-core does not make for us (evaluated by Playwright, not served).
   Returns {contrast: [...], targets: [...]}: one plain-language problem per entry.
   - contrast: every visible text (and form control value) against its effective background,
     WCAG 2 relative luminance, must reach options.minContrast (7:1 at every text size);
   - targets: every visible interactive element at least options.minTarget px square (primary
     actions options.minPrimary), except links inside running text (WCAG 2.5.8 inline exception). */
(options) => {
  "use strict";

  function describe(el) {
    let text = el.tagName.toLowerCase();
    if (el.id) { text += "#" + el.id; }
    if (el.classList.length) { text += "." + Array.from(el.classList).join("."); }
    const parent = el.parentElement;
    if (parent && parent !== document.body) {
      text = describe.short(parent) + " > " + text;
    }
    return text;
  }
  describe.short = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + Array.from(el.classList).join(".") : "");

  function parseColor(value) {
    const m = /^rgba?\(([^)]+)\)$/.exec(value.trim());
    if (!m) { return null; }
    const parts = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  }

  function over(top, bottom) {  // top composited over an opaque bottom
    const a = top.a;
    return {r: top.r * a + bottom.r * (1 - a), g: top.g * a + bottom.g * (1 - a),
            b: top.b * a + bottom.b * (1 - a), a: 1};
  }

  function luminance(c) {
    const channel = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  }

  function ratio(a, b) {
    const la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  const hex = (c) => "#" + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");

  // The colour behind el: its own and its ancestors' backgrounds down to the first opaque one.
  function background(el) {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") {
        return {error: "has a background image (" + describe.short(node) + "); the contrast cannot be judged"};
      }
      const colour = parseColor(style.backgroundColor);
      if (!colour) { return {error: "background colour " + style.backgroundColor + " not understood"}; }
      if (colour.a > 0) { layers.push(colour); }
      if (colour.a >= 1) { break; }
    }
    let result = {r: 255, g: 255, b: 255, a: 1};  // the canvas, if nothing is opaque
    for (let i = layers.length - 1; i >= 0; i--) { result = over(layers[i], result); }
    return {colour: result};
  }

  // Shown to a sighted person: rendered, not transparent, not clipped to the 1 px of .visually-hidden.
  function visible(el) {
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) { return false; }
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) { return false; }
    for (let node = el.parentElement; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflow !== "visible" || style.clip !== "auto") {
        const outer = node.getBoundingClientRect();
        if (outer.width <= 1 || outer.height <= 1) { return false; }
      }
    }
    return true;
  }

  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "OPTION", "OPTGROUP", "TITLE", "HEAD"]);
  const VALUE_CONTROLS = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file])" +
    ":not([type=range]):not([type=color]):not([type=image]), select, textarea";

  function hasOwnText(el) {
    for (const child of el.childNodes) {
      if (child.nodeType === Node.TEXT_NODE && /\S/.test(child.textContent)) { return true; }
    }
    return false;
  }

  const contrast = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (SKIP.has(el.tagName) || el.closest(":disabled") || (el.parentElement && el.parentElement.closest("select"))) {
      continue;  // inactive controls are exempt; a select's options are drawn by the browser
    }
    if (!(hasOwnText(el) || el.matches(VALUE_CONTROLS))) { continue; }
    if (!visible(el)) { continue; }
    const style = getComputedStyle(el);
    const fg = parseColor(style.color);
    const bg = background(el);
    const sample = (el.matches(VALUE_CONTROLS) ? (el.value || el.placeholder || "") : el.textContent)
      .replace(/\s+/g, " ").trim().slice(0, 40);
    if (!fg || bg.error) {
      contrast.push(describe(el) + " \"" + sample + "\": " + (bg.error || "colour " + style.color + " not understood"));
      continue;
    }
    const shown = fg.a < 1 ? over(fg, bg.colour) : fg;
    const value = ratio(shown, bg.colour);
    if (value < options.minContrast) {
      contrast.push(describe(el) + " \"" + sample + "\": " + hex(shown) + " on " + hex(bg.colour) + " is " +
                    value.toFixed(2) + ":1 at " + style.fontSize + ", needs " + options.minContrast + ":1");
    }
  }

  const INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const TEXT_BLOCKS = new Set(["P", "LI", "DD", "TD"]);

  function inlineInText(el) {  // a link that is part of a sentence (WCAG 2.5.8 inline exception)
    const parent = el.parentElement;
    if (el.tagName !== "A" || !parent || !TEXT_BLOCKS.has(parent.tagName)) { return false; }
    return parent.textContent.replace(el.textContent, "").trim().length > 0;
  }

  const targets = [];
  for (const el of document.querySelectorAll(INTERACTIVE)) {
    if (!visible(el) || inlineInText(el)) { continue; }
    const box = el.getBoundingClientRect();
    const least = el.matches(".primary") ? options.minPrimary : options.minTarget;
    // Half a pixel of slack for sub-pixel layout (rem sizes at 26 px, for instance).
    if (box.width < least - 0.5 || box.height < least - 0.5) {
      const label = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim();
      targets.push(describe(el) + " \"" + label.slice(0, 40) + "\": " + box.width.toFixed(1) + "x" +
                   box.height.toFixed(1) + " px, needs at least " + least + "x" + least);
    }
  }
  return {contrast: contrast, targets: targets};
}
