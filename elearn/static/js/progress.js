/* elearn.progress: sends the waiting progress reports, one at a time, and decides after each
   answer (elearn.retry.reportVerdict) whether it is stored, kept for later, sent again with a
   fresh CSRF token, or dropped as refused for good. No DOM: the page passes fetch, sendBeacon,
   the queue and callbacks, so Node's test runner drives it with fakes of those. */
(function (root, factory) {
  var node = typeof module === "object" && module.exports;
  var mod = factory(node ? { http: require("./http.js"), retry: require("./retry.js") } : root.elearn || {});
  if (node) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.progress = mod; }
})(this, function (elearn) {
  "use strict";

  var readJson = elearn.http.readJson, reportVerdict = elearn.retry.reportVerdict;

  /* options: queue (ProgressQueue), url(lessonId), csrf (http.CsrfToken), fetch, sendBeacon (or
     null), and callbacks on.stored(state), on.offline(), on.signedOut(), on.refused(code). */
  function Reporter(options) {
    this.queue = options.queue;
    this.url = options.url;
    this.csrf = options.csrf;
    this.fetch = options.fetch;
    this.sendBeacon = options.sendBeacon || null;
    this.on = options.on || {};
    this.active = true;
    this.sending = false;
  }

  Reporter.prototype.notify = function (name, value) {
    try { if (this.on[name]) { this.on[name](value); } } catch (e) { /* the page's display is not the queue's business */ }
  };

  Reporter.prototype.stop = function () { this.active = false; };

  // Sends every waiting report of this user (any lesson), one at a time. The promise settles when
  // the queue is empty or a report must wait; it never rejects.
  Reporter.prototype.flush = function () {
    if (!this.active || this.sending) { return Promise.resolve(); }
    var next = this.queue.pick();
    if (!next) { return Promise.resolve(); }
    var self = this;
    this.sending = true;
    return this.send(next.lessonId, next.entry, false).then(null, function () { return "unsent"; }).then(function (outcome) {
      self.sending = false;
      if (outcome === "stored" || outcome === "refused") {
        self.queue.forget(next.lessonId, next.entry.beat);
        return self.flush();
      }
      if (outcome === "unsent") { self.queue.markUnsent(next.lessonId, next.entry.beat); }
      // "kept" (signed out): it stays marked sent, with its id, for this user's next visit.
      return undefined;
    });
  };

  // One report -> Promise of "stored", "refused", "unsent" or "kept".
  Reporter.prototype.send = function (lessonId, entry, renewed) {
    var self = this;
    var request = {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf.value, Accept: "application/json" },
      body: JSON.stringify({ beat: entry.beat, position: entry.position, intervals: entry.intervals, viewing: entry.viewing })
    };
    return this.fetch(this.url(lessonId), request).then(readJson, function () { return null; }).then(function (answer) {
      if (!answer) { self.notify("offline"); return "unsent"; }
      var verdict = reportVerdict(answer.status, answer.body);
      if (verdict === "csrf") {
        if (renewed) { return "unsent"; }  // a fresh token refused too: try again another time
        return self.csrf.refresh(self.fetch).then(function () { return self.send(lessonId, entry, true); },
                                                  function () { return "unsent"; });
      }
      if (verdict === "stored") { self.notify("stored", answer.body); return "stored"; }
      if (verdict === "signedOut") { self.stop(); self.notify("signedOut"); return "kept"; }
      if (verdict === "refused") { self.notify("refused", answer.body.code); return "refused"; }
      return "unsent";
    });
  };

  // The page is going away or out of sight: ``lessonId``'s waiting reports go as beacons, which
  // cannot set headers, so the CSRF token travels in the body.
  Reporter.prototype.beacon = function (lessonId) {
    if (!this.active) { return; }
    var self = this, url = this.url(lessonId);
    this.queue.beacons(lessonId).forEach(function (entry) {
      var body = JSON.stringify({ beat: entry.beat, position: entry.position, intervals: entry.intervals,
                                  viewing: entry.viewing, csrf_token: self.csrf.value });
      if (!(self.sendBeacon && self.sendBeacon(url, body)) && self.fetch) {
        self.fetch(url, { method: "POST", credentials: "same-origin", keepalive: true, body: body,
                          headers: { "Content-Type": "text/plain;charset=UTF-8" } }).then(null, function () {});
      }
    });
  };

  return { Reporter: Reporter };
});
