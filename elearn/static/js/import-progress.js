/* elearn.importProgress: the progress page of a spreadsheet import asks its JSON endpoint every
   two seconds (a new question only after the last was answered), moves the bar, and opens the page
   again when the job is done, which then shows the preview or the report. Without this script the
   page refreshes itself now and then (a <noscript> refresh) and has a "Look again" link. */
(function (root, factory) {
  var mod = factory();
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.importProgress = mod; }
})(this, function () {
  "use strict";

  var POLL_MS = 2000;

  // "{done} of {total} rows done" with the numbers filled in.
  function countText(template, body) {
    return template.replace("{done}", String(body.done)).replace("{total}", String(body.total));
  }

  /* options: url, fetch, setTimeout, on.progress(body), on.finished(body). Returns a start function. */
  function follow(options) {
    function ask() {
      return options.fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          if (body && body.finished) { options.on.finished(body); return; }
          if (body) { options.on.progress(body); }
          options.setTimeout(ask, POLL_MS);
        }, function () { options.setTimeout(ask, POLL_MS); });  // a weak connection: ask again later
    }
    return function () { options.setTimeout(ask, POLL_MS); };
  }

  var doc = typeof document === "object" ? document : null;
  var panel = doc && doc.querySelector("[data-import-progress]");
  if (panel && typeof fetch === "function") {
    var bar = panel.querySelector("progress"), count = panel.querySelector("[data-import-count]");
    follow({
      url: panel.getAttribute("data-import-progress"), fetch: fetch.bind(window),
      setTimeout: window.setTimeout.bind(window),
      on: {
        progress: function (body) {
          if (!body.total) { return; }
          bar.max = body.total;
          bar.value = body.done;
          bar.textContent = body.done + " / " + body.total;
          count.textContent = countText(count.getAttribute("data-template"), body);
        },
        finished: function (body) { window.location.assign(body.page); }
      }
    })();
  }

  return { follow: follow, countText: countText };
});
