/* elearn.playerChoice: two small decisions of the lesson player, kept apart so that they can be
   tested without a page.
   - PressGuard: an unsteady hand often presses twice (a double click on 播放, a tap that bounces).
     Presses closer together than ``windowMs`` count as one, so that 播放 plays and stays playing.
   - pickTrack: which caption track to show when a lesson has several: the one the person chose
     before (kept on this device), else the one in the page's language, else the first. */
(function (root, factory) {
  var mod = factory();
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.playerChoice = mod; }
})(this, function () {
  "use strict";

  var DOUBLE_PRESS_MS = 400;

  function PressGuard(windowMs) {
    this.windowMs = windowMs === undefined ? DOUBLE_PRESS_MS : windowMs;
    this.last = -Infinity;
  }

  // True for a press to act on; false for the second half of a double press.
  PressGuard.prototype.accept = function (now) {
    if (now - this.last < this.windowMs) { return false; }
    this.last = now;
    return true;
  };

  function base(lang) { return String(lang || "").toLowerCase().split(/[-_]/)[0]; }

  function indexOfLang(langs, lang) {
    if (!lang) { return -1; }
    for (var i = 0; i < langs.length; i++) { if (langs[i] === lang) { return i; } }
    for (var j = 0; j < langs.length; j++) { if (base(langs[j]) === base(lang)) { return j; } }
    return -1;
  }

  // ``langs``: the tracks' srclang in page order; ``chosen``: the srclang chosen before, or null;
  // ``pageLang``: <html lang>. Returns the index to show, or -1 when there is no track.
  function pickTrack(langs, chosen, pageLang) {
    if (!langs.length) { return -1; }
    var found = indexOfLang(langs, chosen);
    if (found < 0) { found = indexOfLang(langs, pageLang); }
    return found < 0 ? 0 : found;
  }

  return { PressGuard: PressGuard, pickTrack: pickTrack, DOUBLE_PRESS_MS: DOUBLE_PRESS_MS };
});
