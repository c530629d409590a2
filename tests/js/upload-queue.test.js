"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var uq = require("../../elearn/static/js/upload-queue.js");

function item(name, log, start) {
  var it = { name: name, state: "waiting" };
  it.start = function () { log.push("start " + name); it.state = "uploading"; return start(it); };
  return it;
}

test("files go one at a time, in the order chosen", async function () {
  var log = [], release = {};
  var q = new uq.UploadQueue();
  ["a", "b"].forEach(function (name) {
    q.add(item(name, log, function (it) { return new Promise(function (resolve) { release[name] = function () { it.state = "done"; resolve(); }; }); }));
  });
  assert.deepEqual(log, ["start a"], "the second waits");
  release.a();
  await new Promise(setImmediate);
  assert.deepEqual(log, ["start a", "start b"]);
  release.b();
  await q.idle;
});

test("a file whose start rejects shows its failure and the queue goes on", async function () {
  var log = [], failed = [];
  var q = new uq.UploadQueue(function (it, err) { failed.push([it.name, err.message]); it.state = "refused"; });
  q.add(item("broken", log, function () { return Promise.reject(new Error("storage refused")); }));
  q.add(item("fine", log, function (it) { it.state = "done"; return Promise.resolve(); }));
  await q.idle;
  assert.deepEqual(failed, [["broken", "storage refused"]]);
  assert.deepEqual(log, ["start broken", "start fine"]);
  assert.equal(q.running, null);
});

test("a start that throws at once, or a failure display that throws, does not freeze the queue either", async function () {
  var log = [];
  var q = new uq.UploadQueue(function () { throw new Error("display broken"); });
  q.add(item("throws", log, function () { throw new Error("no tus"); }));
  q.add(item("next", log, function () { return Promise.resolve(); }));
  await q.idle;
  assert.deepEqual(log, ["start throws", "start next"]);
});

test("items no longer waiting (cancelled before their turn) are skipped", async function () {
  var log = [];
  var q = new uq.UploadQueue();
  var hold;
  q.add(item("first", log, function () { return new Promise(function (resolve) { hold = resolve; }); }));
  var cancelled = item("cancelled", log, function () { return Promise.resolve(); });
  q.add(cancelled);
  cancelled.state = "cancelled";
  q.add(item("third", log, function () { return Promise.resolve(); }));
  hold();
  await q.idle;
  assert.deepEqual(log, ["start first", "start third"]);
});
