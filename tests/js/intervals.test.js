"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var intervals = require("../../elearn/static/js/intervals.js");

test("playing in order makes one interval, rounded to milliseconds", function () {
  var r = new intervals.Recorder();
  r.open(10, 0);
  r.extend(10.25, 250, 1);
  r.extend(12.0004, 2000, 1);
  r.close();
  assert.deepEqual(r.take(), [[10, 12]]);
  assert.deepEqual(r.take(), [], "taken intervals are not reported twice");
});

test("a jump forward the clock cannot explain ends the stretch and starts a new one", function () {
  var r = new intervals.Recorder();
  r.open(0, 0);
  r.extend(2, 2000, 1);
  r.extend(60, 3000, 1);  // 58 s of media in 1 s of wall clock: a seek, not playing
  r.extend(61, 4000, 1);
  r.close();
  assert.deepEqual(r.take(), [[0, 2], [60, 61]]);
});

test("a faster playback rate allows more media time per wall second", function () {
  var r = new intervals.Recorder();
  r.open(0, 0);
  r.extend(3.9, 2000, 1.5);   // within 2 s * 1.5 * 1.5 + 1
  r.close();
  assert.deepEqual(r.take(), [[0, 3.9]]);
  r.open(0, 0);
  r.extend(3.9, 2000, 0.5);   // more than 2 s * 0.5 * 1.5 + 1: a jump
  r.close();
  assert.deepEqual(r.take(), []);
});

test("going backwards is a jump, and stretches under 50 ms are not reported", function () {
  var r = new intervals.Recorder();
  r.open(30, 0);
  r.extend(31, 1000, 1);
  r.extend(5, 1100, 1);
  r.extend(5.04, 1140, 1);
  r.close();
  assert.deepEqual(r.take(), [[30, 31]]);
});

test("extend and close without an open stretch change nothing", function () {
  var r = new intervals.Recorder();
  r.extend(5, 1000, 1);
  r.close();
  assert.equal(r.isOpen(), false);
  assert.deepEqual(r.take(), []);
});

test("compact leaves up to 100 intervals alone and joins overlapping ones beyond", function () {
  var few = [[5, 6], [1, 2]];
  assert.equal(intervals.compact(few), few);
  var many = [];
  for (var i = 0; i < 150; i++) { many.push([i, i + 2]); }  // each overlaps the next
  many.push([500, 510]);
  assert.deepEqual(intervals.compact(many), [[0, 151], [500, 510]]);
});

test("compact keeps the latest 100 when even joined there are more", function () {
  var apart = [];
  for (var i = 0; i < 130; i++) { apart.push([i * 10, i * 10 + 1]); }
  var kept = intervals.compact(apart.slice().reverse());
  assert.equal(kept.length, intervals.MAX_INTERVALS);
  assert.deepEqual(kept[0], [300, 301]);
  assert.deepEqual(kept[99], [1290, 1291]);
});
