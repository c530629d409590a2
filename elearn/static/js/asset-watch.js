/* elearn.assetWatch: follows a video being prepared by asking its own endpoint
   (GET /api/v1/assets/<id>) every few seconds, a new question only after the last was answered,
   and not at all while the tab is hidden (``hidden()`` true): ``visibility()`` pauses and, when
   the tab is seen again, asks at once. No DOM here: the page passes fetch, timers and callbacks. */
(function (root, factory) {
  var node = typeof module === "object" && module.exports;
  var mod = factory(node ? { http: require("./http.js") } : root.elearn || {});
  if (node) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.assetWatch = mod; }
})(this, function (elearn) {
  "use strict";

  //: Statuses that still change by themselves; any other one is where the video stays.
  var BUSY = { probing: true, queued: true, processing: true };
  var POLL_MS = 3000;

  /* options: url(assetId), fetch, hidden(), setTimeout/clearTimeout, interval (ms), and callbacks
     on.asset(body) (every answer), on.settled(body) (no longer busy), on.gone(assetId) (404/403). */
  function AssetWatch(options) {
    this.url = options.url;
    this.fetch = options.fetch;
    this.hidden = options.hidden || function () { return false; };
    this.setTimeout = options.setTimeout;
    this.clearTimeout = options.clearTimeout;
    this.interval = options.interval || POLL_MS;
    this.on = options.on || {};
    this.watched = {};  // asset id -> {timer, asking}
  }

  AssetWatch.prototype.isWatching = function (assetId) { return !!this.watched[assetId]; };

  AssetWatch.prototype.watch = function (asset) {
    if (!BUSY[asset.status] || this.watched[asset.id]) { return; }
    this.watched[asset.id] = { timer: null, asking: false };
    this.later(asset.id);
  };

  AssetWatch.prototype.stop = function (assetId) {
    var one = this.watched[assetId];
    if (!one) { return; }
    if (one.timer !== null) { this.clearTimeout(one.timer); }
    delete this.watched[assetId];
  };

  AssetWatch.prototype.later = function (assetId) {
    var self = this, one = this.watched[assetId];
    if (!one || one.timer !== null || one.asking || this.hidden()) { return; }
    one.timer = this.setTimeout(function () { one.timer = null; self.ask(assetId); }, this.interval);
  };

  // One question about one asset; returns a promise (for tests) that settles with the answer.
  AssetWatch.prototype.ask = function (assetId) {
    var self = this, one = this.watched[assetId];
    if (!one || one.asking) { return Promise.resolve(); }
    one.asking = true;
    return this.fetch(this.url(assetId), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(elearn.http.readJson, function () { return null; })
      .then(function (answer) {
        one.asking = false;
        if (self.watched[assetId] !== one) { return; }  // stopped meanwhile
        if (answer && (answer.status === 404 || answer.status === 403)) {
          self.stop(assetId);  // removed, or no longer ours to follow: nothing left to show
          if (self.on.gone) { self.on.gone(assetId); }
          return;
        }
        if (!answer || !answer.ok || !answer.body) { self.later(assetId); return; }  // ask again at the next tick
        if (self.on.asset) { self.on.asset(answer.body); }
        if (BUSY[answer.body.status]) { self.later(assetId); return; }
        self.stop(assetId);
        if (self.on.settled) { self.on.settled(answer.body); }
      })
      .then(null, function () {  // the page failed to show an answer: keep following all the same
        one.asking = false;
        self.later(assetId);
      });
  };

  // The tab was hidden or shown again (visibilitychange).
  AssetWatch.prototype.visibility = function () {
    var self = this, ids = Object.keys(this.watched);
    if (this.hidden()) {
      ids.forEach(function (id) {
        var one = self.watched[id];
        if (one.timer !== null) { self.clearTimeout(one.timer); one.timer = null; }
      });
      return Promise.resolve();
    }
    return Promise.all(ids.map(function (id) {
      var one = self.watched[id];
      if (one.timer !== null) { self.clearTimeout(one.timer); one.timer = null; }
      return self.ask(id);
    }));
  };

  return { AssetWatch: AssetWatch, BUSY: BUSY, POLL_MS: POLL_MS };
});
