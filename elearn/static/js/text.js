/* elearn.text: the few words-from-numbers helpers the page scripts share. The words themselves
   come translated from the server (data attributes); these only put numbers into them. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.text = mod; }
})(this, function () {
  "use strict";

  // "{n} seconds" with {n: 5} -> "5 seconds"; a placeholder without a value stays as it is.
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  // 75 -> "1:15", 3725 -> "1:02:05".
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }

  return { fill: fill, clock: clock };
});
