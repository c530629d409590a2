/* elearn.progressQueue: progress reports waiting to be sent, kept in localStorage under the user's
   id (so they survive a reload, a lost network, a closed tab, and are never sent under another
   login), in memory when the browser keeps no localStorage (private windows on some phones).
   Each report keeps the viewing it was played in (the server credits it by that viewing's clock,
   whenever it arrives). Shape: {lessonId: [{beat, position, intervals, viewing?, sent?, beaconed?}, ...]}.
   No DOM here. */
(function (root, factory) {
  var node = typeof module === "object" && module.exports;
  var mod = factory(node ? { intervals: require("./intervals.js") } : root.elearn || {});
  if (node) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.progressQueue = mod; }
})(this, function (elearn) {
  "use strict";

  var compact = elearn.intervals.compact;

  function newId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  function keyFor(userId) { return "elearn.progress." + userId; }

  // ``storage``: localStorage or anything with getItem/setItem (null: memory only).
  function ProgressQueue(storage, key, makeId) {
    this.storage = storage;
    this.key = key;
    this.memory = {};
    this.newId = makeId || newId;
  }

  ProgressQueue.prototype.read = function () {
    try {
      var raw = this.storage.getItem(this.key);
      return raw ? JSON.parse(raw) : {};
    } catch (e) { return this.memory; }
  };

  ProgressQueue.prototype.write = function (queue) {
    this.memory = queue;
    try { this.storage.setItem(this.key, JSON.stringify(queue)); } catch (e) { /* kept in memory */ }
  };

  // Adds what was played in ``viewing`` to this lesson's report waiting to be sent (a new one if
  // that was sent or belongs to another viewing).
  ProgressQueue.prototype.add = function (lessonId, played, position, viewing) {
    var queue = this.read(), entries = queue[lessonId] || [];
    var last = entries[entries.length - 1];
    if (!last || last.sent || (last.viewing || null) !== (viewing || null)) {
      last = { intervals: [] };
      if (viewing) { last.viewing = viewing; }
      entries.push(last);
    }
    last.intervals = compact(last.intervals.concat(played));
    last.position = position;
    last.beat = this.newId();  // new content, new id: only an unchanged report is a retry
    queue[lessonId] = entries;
    this.write(queue);
  };

  // Reports not yet sent of one viewing go as one (fewer requests after a time offline); those of
  // different viewings stay apart, each to be credited by its own viewing's clock.
  ProgressQueue.prototype.merge = function (entries) {
    var self = this, groups = [], byViewing = {};
    var sent = entries.filter(function (entry) { return entry.sent; });
    entries.forEach(function (entry) {
      if (entry.sent) { return; }
      var key = "v:" + (entry.viewing || "");
      if (!byViewing[key]) { byViewing[key] = []; groups.push(byViewing[key]); }
      byViewing[key].push(entry);
    });
    return sent.concat(groups.map(function (group) {
      if (group.length === 1) { return group[0]; }
      var merged = { beat: self.newId(), intervals: [], position: group[group.length - 1].position };
      if (group[0].viewing) { merged.viewing = group[0].viewing; }
      group.forEach(function (entry) { merged.intervals = merged.intervals.concat(entry.intervals); });
      merged.intervals = compact(merged.intervals);
      return merged;
    }));
  };

  // The next report to send, of any lesson, marked sent: from now on it goes as it is (same id)
  // until the server has answered. Null when nothing waits.
  ProgressQueue.prototype.pick = function () {
    var queue = this.read();
    var lessonIds = Object.keys(queue).filter(function (id) { return (queue[id] || []).length; });
    if (!lessonIds.length) { return null; }
    var lessonId = lessonIds[0];
    queue[lessonId] = this.merge(queue[lessonId]);
    var entry = queue[lessonId][0];
    entry.sent = true;
    this.write(queue);
    return { lessonId: lessonId, entry: entry };
  };

  // The page is going away: this lesson's reports not yet beaconed, marked as beaconed. They stay
  // queued (same id), so the next visit sends them again and the server sees they were stored.
  ProgressQueue.prototype.beacons = function (lessonId) {
    var queue = this.read();
    if (!(queue[lessonId] || []).length) { return []; }
    queue[lessonId] = this.merge(queue[lessonId]);
    var out = [];
    queue[lessonId].forEach(function (entry) {
      if (entry.beaconed) { return; }
      entry.beaconed = entry.sent = true;
      out.push(entry);
    });
    this.write(queue);
    return out;
  };

  // No answer: the report may take new intervals again (unless a beacon carried it already).
  ProgressQueue.prototype.markUnsent = function (lessonId, beat) {
    var queue = this.read();
    (queue[lessonId] || []).forEach(function (entry) { if (entry.beat === beat && !entry.beaconed) { entry.sent = false; } });
    this.write(queue);
  };

  ProgressQueue.prototype.forget = function (lessonId, beat) {
    var queue = this.read();
    queue[lessonId] = (queue[lessonId] || []).filter(function (entry) { return entry.beat !== beat; });
    if (!queue[lessonId].length) { delete queue[lessonId]; }
    this.write(queue);
  };

  return { ProgressQueue: ProgressQueue, keyFor: keyFor, newId: newId };
});
