/* elearn.intervals: which stretches of a lesson were really played. The player tells the recorder
   the media time and the wall clock; a jump (seeking, a skip the clock cannot explain) ends one
   stretch and starts the next, so only what played in order is reported. No DOM here. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.intervals = mod; }
})(this, function () {
  "use strict";

  //: A report carries at most this many intervals (the server refuses far more).
  var MAX_INTERVALS = 100;

  function round(seconds) { return Math.round(seconds * 1000) / 1000; }

  function Recorder() {
    this.start = null;
    this.last = null;
    this.wall = 0;
    this.played = [];
  }

  Recorder.prototype.isOpen = function () { return this.start !== null; };

  // Playing starts (or goes on after a jump) at media time ``t``; ``now`` is Date.now().
  Recorder.prototype.open = function (t, now) {
    this.start = this.last = t;
    this.wall = now;
  };

  Recorder.prototype.extend = function (t, now, rate) {
    if (this.start === null) { return; }
    var wall = (now - this.wall) / 1000;
    // Forward, and no further than the clock allows at this speed: anything else was a jump.
    if (t >= this.last && t - this.last <= wall * rate * 1.5 + 1) {
      this.last = t;
      this.wall = now;
    } else {
      this.close();
      this.open(t, now);
    }
  };

  Recorder.prototype.close = function () {
    if (this.start !== null && this.last - this.start > 0.05) {
      this.played.push([round(this.start), round(this.last)]);
    }
    this.start = this.last = null;
  };

  // The stretches played since the last call; the recorder keeps none of them.
  Recorder.prototype.take = function () {
    var played = this.played;
    this.played = [];
    return played;
  };

  // After a long time offline with many jumps, overlapping intervals are joined: the coverage is
  // the same, only re-watched minutes count once. At most MAX_INTERVALS, the latest kept.
  function compact(intervals) {
    if (intervals.length <= MAX_INTERVALS) { return intervals; }
    var sorted = intervals.slice().sort(function (a, b) { return a[0] - b[0]; }), joined = [];
    sorted.forEach(function (pair) {
      var last = joined[joined.length - 1];
      if (last && pair[0] <= last[1]) { last[1] = Math.max(last[1], pair[1]); } else { joined.push(pair.slice()); }
    });
    return joined.slice(-MAX_INTERVALS);
  }

  return { Recorder: Recorder, compact: compact, MAX_INTERVALS: MAX_INTERVALS };
});
