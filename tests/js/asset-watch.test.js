"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var aw = require("../../elearn/static/js/asset-watch.js");
var h = require("./helpers.js");

function watcher(answers, hidden) {
  var timers = h.manualTimers(), seen = [], state = { hidden: !!hidden };
  var fetch = h.fakeFetch(answers);
  var w = new aw.AssetWatch({
    url: function (id) { return "/api/v1/assets/" + id; },
    fetch: fetch,
    hidden: function () { return state.hidden; },
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    on: {
      asset: function (a) { seen.push(["asset", a.status, a.progress]); },
      settled: function (a) { seen.push(["settled", a.status]); },
      gone: function (id) { seen.push(["gone", String(id)]); }
    }
  });
  return { w: w, timers: timers, seen: seen, fetch: fetch, state: state };
}

async function tickOnce(t) { t.timers.runAll(); await h.tick(); await h.tick(); }

test("a busy video is followed from its own asset endpoint until it is ready, then no more", async function () {
  var t = watcher([h.json(200, { id: 5, status: "processing", progress: 40 }), h.json(200, { id: 5, status: "ready", progress: 100 })]);
  t.w.watch({ id: 5, status: "queued" });
  assert.equal(t.fetch.calls.length, 0, "the first question comes after the interval");
  assert.equal(t.timers.pending[0].ms, aw.POLL_MS);
  await tickOnce(t);
  await tickOnce(t);
  assert.deepEqual(t.fetch.calls.map(function (c) { return c.url; }), ["/api/v1/assets/5", "/api/v1/assets/5"]);
  assert.deepEqual(t.seen, [["asset", "processing", 40], ["asset", "ready", 100], ["settled", "ready"]]);
  assert.equal(t.timers.pending.length, 0);
  assert.equal(t.w.isWatching(5), false);
});

test("a video not busy is not followed at all, nor one already followed twice over", function () {
  var t = watcher([]);
  t.w.watch({ id: 1, status: "ready" });
  t.w.watch({ id: 2, status: "failed" });
  t.w.watch({ id: 3, status: "processing" });
  t.w.watch({ id: 3, status: "processing" });
  assert.equal(t.timers.pending.length, 1);
});

test("a hidden tab asks nothing; shown again, it asks at once and goes on", async function () {
  var t = watcher([h.json(200, { id: 5, status: "processing", progress: 60 })]);
  t.w.watch({ id: 5, status: "processing" });
  t.state.hidden = true;
  await t.w.visibility();
  assert.equal(t.timers.pending.length, 0, "hidden: the timer is gone");
  await tickOnce(t);
  assert.equal(t.fetch.calls.length, 0);
  t.state.hidden = false;
  await t.w.visibility();
  assert.equal(t.fetch.calls.length, 1);
  await h.tick();
  assert.equal(t.timers.pending.length, 1, "and it is followed again");
});

test("a watch started in a hidden tab waits for the tab to be seen", async function () {
  var t = watcher([h.json(200, { id: 8, status: "ready" })], true);
  t.w.watch({ id: 8, status: "queued" });
  assert.equal(t.timers.pending.length, 0);
  t.state.hidden = false;
  await t.w.visibility();
  await h.tick();
  assert.deepEqual(t.seen, [["asset", "ready", undefined], ["settled", "ready"]]);
});

test("a removed video (404) or one no longer ours (403) stops the following", async function () {
  var t = watcher([h.json(404, { code: "asset_not_found", message: "gone" })]);
  t.w.watch({ id: 9, status: "queued" });
  await tickOnce(t);
  assert.deepEqual(t.seen, [["gone", "9"]]);
  assert.equal(t.timers.pending.length, 0);
});

test("no answer, a server error or a page that is not JSON: asked again at the next tick", async function () {
  var t = watcher([new Error("offline"), h.html(502), h.html(200), h.json(200, { id: 4, status: "ready" })]);
  t.w.watch({ id: 4, status: "processing" });
  for (var i = 0; i < 4; i++) { await tickOnce(t); }
  assert.equal(t.fetch.calls.length, 4);
  assert.deepEqual(t.seen, [["asset", "ready", undefined], ["settled", "ready"]]);
});

test("a question is asked only after the previous one was answered", async function () {
  var release;
  var t = watcher([function () { return new Promise(function (resolve) { release = resolve; }); }]);
  t.w.watch({ id: 6, status: "processing" });
  t.timers.runAll();
  t.state.hidden = false;
  t.w.visibility();
  assert.equal(t.fetch.calls.length, 1);
  release(h.json(200, { id: 6, status: "ready" }));
  await h.tick(); await h.tick();
  assert.deepEqual(t.seen[1], ["settled", "ready"]);
});

test("stopping while a question is under way ignores its answer", async function () {
  var release;
  var t = watcher([function () { return new Promise(function (resolve) { release = resolve; }); }]);
  t.w.watch({ id: 6, status: "processing" });
  t.timers.runAll();
  t.w.stop(6);
  release(h.json(200, { id: 6, status: "processing", progress: 1 }));
  await h.tick(); await h.tick();
  assert.deepEqual(t.seen, []);
  assert.equal(t.timers.pending.length, 0);
});
