"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var rc = require("../../elearn/static/js/rollcall.js");
var h = require("./helpers.js");

var CYCLE = ["present", "late", "left_early", "excused", "absent"];

test("a tap moves to the next status and comes round again", function () {
  assert.equal(rc.nextStatus(CYCLE, null), "present");
  assert.equal(rc.nextStatus(CYCLE, "present"), "late");
  assert.equal(rc.nextStatus(CYCLE, "absent"), "present");
  assert.equal(rc.nextStatus(CYCLE, "made_up"), "present");
});

test("marks wait in storage under the person's and the session's key, with when they were made", function () {
  var storage = h.fakeStorage();
  var queue = new rc.MarkQueue(storage, rc.keyFor(7, 3));
  var mark = queue.add(11, "late", Date.UTC(2027, 2, 2, 1, 5));
  var kept = JSON.parse(storage.items["elearn.roll.7.3"]);
  assert.equal(kept.length, 1);
  assert.equal(kept[0].made_at, "2027-03-02T01:05:00.000Z");
  assert.equal(kept[0].ref, mark.ref);
  assert.match(mark.ref, /^[A-Za-z0-9:_.-]{1,64}$/);
});

test("what the server stored leaves the queue; marks added meanwhile stay", function () {
  var queue = new rc.MarkQueue(h.fakeStorage(), "k");
  var first = queue.add(1, "present", 0);
  var sent = queue.read();
  var second = queue.add(1, "late", 1000);
  queue.done(sent);
  assert.deepEqual(queue.read().map(function (m) { return m.ref; }), [second.ref]);
  assert.notEqual(first.ref, second.ref);
});

test("the status shown is the last queued one for that person", function () {
  var queue = new rc.MarkQueue(h.fakeStorage(), "k");
  assert.equal(rc.shownStatus(queue, 1, "absent"), "absent");
  queue.add(1, "present", 0);
  queue.add(2, "late", 0);
  queue.add(1, "left_early", 0);
  assert.equal(rc.shownStatus(queue, 1, null), "left_early");
});

test("without storage the queue lives in memory", function () {
  var queue = new rc.MarkQueue(null, "k");
  queue.add(1, "present", 0);
  assert.equal(queue.read().length, 1);
});

test("a mark from the 'more' form carries mode and note; a later tap does not hide them", function () {
  var queue = new rc.MarkQueue(h.fakeStorage(), "k");
  queue.add(1, "present", 0, { mode: "home_visit", note: "王老师上门" });
  queue.add(1, "late", 1000);
  var kept = queue.read();
  assert.equal(kept[0].mode, "home_visit");
  assert.equal(kept[0].note, "王老师上门");
  assert.equal("mode" in kept[1], false);  // a tap: the server keeps the person's mode
  assert.equal(rc.lastMark(queue, 1, "mode").note, "王老师上门");
  assert.equal(rc.shownStatus(queue, 1, null), "late");
  assert.equal(rc.lastMark(queue, 2, "mode"), null);
});
