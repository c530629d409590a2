"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var pq = require("../../elearn/static/js/progress-queue.js");
var h = require("./helpers.js");

function counter() { var n = 0; return function () { n += 1; return "beat-" + n; }; }

test("reports wait in storage under the user's own key", function () {
  var storage = h.fakeStorage();
  var queue = new pq.ProgressQueue(storage, pq.keyFor(7), counter());
  queue.add(3, [[0, 5]], 5);
  assert.deepEqual(JSON.parse(storage.items["elearn.progress.7"]),
                   { 3: [{ intervals: [[0, 5]], position: 5, beat: "beat-1" }] });
});

test("new intervals join the unsent report with a new id; a sent one is left as it is", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.add(3, [[0, 5]], 5);
  queue.add(3, [[5, 9]], 9);
  assert.deepEqual(queue.read()[3], [{ intervals: [[0, 5], [5, 9]], position: 9, beat: "beat-2" }]);
  var picked = queue.pick();
  assert.equal(picked.entry.beat, "beat-2");
  queue.add(3, [[9, 12]], 12);
  var entries = queue.read()[3];
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0].intervals, [[0, 5], [5, 9]], "a report being sent does not change under way");
  assert.deepEqual(entries[1].intervals, [[9, 12]]);
});

test("pick merges everything unsent of a lesson into one report", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.write({ 4: [{ beat: "a", position: 3, intervals: [[0, 3]] }, { beat: "b", position: 8, intervals: [[6, 8]] }] });
  var picked = queue.pick();
  assert.equal(picked.lessonId, "4");
  assert.deepEqual(picked.entry, { beat: "beat-1", position: 8, intervals: [[0, 3], [6, 8]], sent: true });
  assert.deepEqual(queue.read()[4], [picked.entry]);
});

test("an unanswered report goes back to unsent, unless a beacon carried it", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.add(1, [[0, 2]], 2);
  var picked = queue.pick();
  queue.markUnsent(1, picked.entry.beat);
  assert.equal(queue.read()[1][0].sent, false);
  var beaconed = queue.beacons(1);
  assert.equal(beaconed.length, 1);
  assert.deepEqual(queue.beacons(1), [], "a report is beaconed once");
  queue.markUnsent(1, beaconed[0].beat);
  assert.equal(queue.read()[1][0].sent, true);
  assert.equal(queue.read()[1][0].beaconed, true);
});

test("forget removes the report and the lesson once it has none", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.add(1, [[0, 2]], 2);
  queue.forget(1, "beat-1");
  assert.deepEqual(queue.read(), {});
  assert.equal(queue.pick(), null);
});

test("without localStorage (it throws) the queue lives in memory", function () {
  var broken = { getItem: function () { throw new Error("SecurityError"); }, setItem: function () { throw new Error("QuotaExceeded"); } };
  var queue = new pq.ProgressQueue(broken, "k", counter());
  queue.add(2, [[0, 1]], 1);
  assert.deepEqual(queue.pick().entry.intervals, [[0, 1]]);
  var none = new pq.ProgressQueue(null, "k", counter());
  none.add(2, [[0, 1]], 1);
  assert.equal(none.read()[2].length, 1);
});

test("each report keeps its viewing; a new viewing starts a new report", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.add(3, [[0, 5]], 5, "viewing-one-aaaaaaaa");
  queue.add(3, [[5, 9]], 9, "viewing-one-aaaaaaaa");
  queue.add(3, [[9, 12]], 12, "viewing-two-bbbbbbbb");
  assert.deepEqual(queue.read()[3], [
    { intervals: [[0, 5], [5, 9]], position: 9, beat: "beat-2", viewing: "viewing-one-aaaaaaaa" },
    { intervals: [[9, 12]], position: 12, beat: "beat-3", viewing: "viewing-two-bbbbbbbb" }
  ]);
});

test("an offline backlog is merged per viewing, never across viewings", function () {
  var queue = new pq.ProgressQueue(h.fakeStorage(), "k", counter());
  queue.write({ 4: [
    { beat: "a", position: 3, intervals: [[0, 3]], viewing: "v1" },
    { beat: "b", position: 20, intervals: [[10, 20]], viewing: "v2" },
    { beat: "c", position: 8, intervals: [[6, 8]], viewing: "v1" }
  ] });
  var picked = queue.pick();
  assert.deepEqual(picked.entry, { beat: "beat-1", position: 8, intervals: [[0, 3], [6, 8]], viewing: "v1", sent: true });
  assert.deepEqual(queue.read()[4][1], { beat: "b", position: 20, intervals: [[10, 20]], viewing: "v2" });
  queue.forget(4, picked.entry.beat);
  assert.equal(queue.pick().entry.viewing, "v2", "the other viewing's report follows, with its own id");
});
