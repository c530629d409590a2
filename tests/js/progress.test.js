"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var pq = require("../../elearn/static/js/progress-queue.js");
var progress = require("../../elearn/static/js/progress.js");
var http = require("../../elearn/static/js/http.js");
var h = require("./helpers.js");

var STATE = { position: 5, coverage: 0.5, completed: false };

function reporter(answers, extra) {
  var n = 0;
  var queue = new pq.ProgressQueue(h.fakeStorage(), "elearn.progress.1", function () { n += 1; return "beat-" + n; });
  var fetch = h.fakeFetch(answers);
  var seen = [];
  var r = new progress.Reporter(Object.assign({
    queue: queue,
    url: function (lessonId) { return "/api/v1/lessons/" + lessonId + "/progress"; },
    csrf: new http.CsrfToken("old-token", "/api/v1/auth/csrf"),
    fetch: fetch,
    on: {
      stored: function (state) { seen.push(["stored", state]); },
      offline: function () { seen.push(["offline"]); },
      signedOut: function () { seen.push(["signedOut"]); },
      refused: function (code) { seen.push(["refused", code]); }
    }
  }, extra || {}));
  return { r: r, queue: queue, fetch: fetch, seen: seen };
}

test("a stored report leaves the queue and the next lesson's report follows", async function () {
  var t = reporter([h.json(200, STATE), h.json(200, STATE)]);
  t.queue.add(3, [[0, 5]], 5);
  t.queue.add(4, [[0, 2]], 2);
  await t.r.flush();
  assert.deepEqual(t.queue.read(), {});
  assert.deepEqual(t.fetch.calls.map(function (c) { return c.url; }), ["/api/v1/lessons/3/progress", "/api/v1/lessons/4/progress"]);
  assert.deepEqual(t.fetch.calls[0].body, { beat: "beat-1", position: 5, intervals: [[0, 5]] });
  assert.equal(t.fetch.calls[0].options.headers["X-CSRFToken"], "old-token");
  assert.deepEqual(t.seen[0], ["stored", STATE]);
});

test("an expired CSRF token is renewed and the same report sent again; nothing is lost", async function () {
  var t = reporter([h.json(400, { code: "csrf_failed", message: "expired", status: 400 }),
                    h.json(200, { csrf_token: "fresh-token" }),
                    h.json(200, STATE)]);
  t.queue.add(3, [[0, 5]], 5);
  await t.r.flush();
  var calls = t.fetch.calls;
  assert.equal(calls.length, 3);
  assert.equal(calls[1].url, "/api/v1/auth/csrf");
  assert.equal(calls[1].options.cache, "no-store");
  assert.equal(calls[2].options.headers["X-CSRFToken"], "fresh-token");
  assert.deepEqual(calls[2].body, calls[0].body, "the same report, same id: the server cannot count it twice");
  assert.equal(t.r.csrf.value, "fresh-token");
  assert.deepEqual(t.queue.read(), {});
});

test("if the fresh token cannot be had or is refused too, the report stays queued", async function () {
  var csrfFailed = function () { return h.json(400, { code: "csrf_failed", message: "expired", status: 400 }); };
  var t = reporter([csrfFailed(), new Error("offline")]);
  t.queue.add(3, [[0, 5]], 5);
  await t.r.flush();
  assert.equal(t.queue.read()[3][0].sent, false);
  var u = reporter([csrfFailed(), h.json(200, { csrf_token: "fresh" }), csrfFailed()]);
  u.queue.add(3, [[0, 5]], 5);
  await u.r.flush();
  assert.equal(u.fetch.calls.length, 3, "one renewal per attempt, no loop");
  assert.deepEqual(u.queue.read()[3][0].intervals, [[0, 5]]);
  assert.equal(u.r.active, true);
});

test("a page that is not JSON (a proxy's error page, a portal's 200) is transient: the report stays", async function () {
  for (const answer of [h.html(200, "<html>Wi-Fi login</html>"), h.html(502), h.html(404), h.json(503, { code: "busy" }),
                        h.json(429, { code: "too_many", message: "wait" })]) {
    var t = reporter([answer]);
    t.queue.add(3, [[0, 5]], 5);
    await t.r.flush();
    var waiting = t.queue.read()[3];
    assert.equal(waiting.length, 1, "kept after " + answer.status);
    assert.equal(waiting[0].sent, false);
    assert.deepEqual(t.seen, []);
  }
});

test("a report refused for good (403, 404, 409, 422, a malformed 400) is dropped and the queue goes on", async function () {
  for (const status of [403, 404, 409, 422, 400]) {
    var t = reporter([h.json(status, { code: "lesson_not_found", message: "gone", status: status }), h.json(200, STATE)]);
    t.queue.add(3, [[0, 5]], 5);
    t.queue.add(4, [[0, 2]], 2);
    await t.r.flush();
    assert.deepEqual(t.queue.read(), {}, "dropped after " + status);
    assert.deepEqual(t.seen[0], ["refused", "lesson_not_found"]);
    assert.equal(t.fetch.calls.length, 2);
  }
});

test("no network: the report waits and the page is told it is kept on this device", async function () {
  var t = reporter([new TypeError("Failed to fetch")]);
  t.queue.add(3, [[0, 5]], 5);
  await t.r.flush();
  assert.deepEqual(t.seen, [["offline"]]);
  assert.equal(t.queue.read()[3][0].sent, false);
});

test("signed out (401): reporting stops and the report is kept for this user's next visit", async function () {
  var t = reporter([h.json(401, { code: "login_required", message: "sign in", status: 401 })]);
  t.queue.add(3, [[0, 5]], 5);
  await t.r.flush();
  assert.equal(t.r.active, false);
  assert.deepEqual(t.seen, [["signedOut"]]);
  assert.equal(t.queue.read()[3].length, 1);
  await t.r.flush();
  assert.equal(t.fetch.calls.length, 1, "nothing more is sent from this page");
});

test("one flush at a time: a second call while sending sends nothing more", async function () {
  var t = reporter([h.json(200, STATE)]);
  t.queue.add(3, [[0, 5]], 5);
  var first = t.r.flush();
  await t.r.flush();
  await first;
  assert.equal(t.fetch.calls.length, 1);
});

test("a beacon carries the CSRF token in its body and falls back to a keepalive fetch", function () {
  var beacons = [];
  var t = reporter([h.json(200, STATE)], { sendBeacon: function (url, body) { beacons.push([url, JSON.parse(body)]); return false; } });
  t.queue.add(3, [[0, 5]], 5);
  t.r.beacon(3);
  assert.deepEqual(beacons, [["/api/v1/lessons/3/progress", { beat: "beat-1", position: 5, intervals: [[0, 5]], csrf_token: "old-token" }]]);
  assert.equal(t.fetch.calls[0].options.keepalive, true);
  assert.equal(t.queue.read()[3][0].beaconed, true, "still queued: the next visit makes sure it arrived");
});

test("every report and beacon carries the viewing it was played in", async function () {
  var beacons = [];
  var t = reporter([h.json(200, STATE)], { sendBeacon: function (url, body) { beacons.push(JSON.parse(body)); return true; } });
  t.queue.add(3, [[0, 5]], 5, "viewing-aaaaaaaaaaaa");
  await t.r.flush();
  assert.equal(t.fetch.calls[0].body.viewing, "viewing-aaaaaaaaaaaa");
  t.queue.add(3, [[5, 8]], 8, "viewing-aaaaaaaaaaaa");
  t.r.beacon(3);
  assert.equal(beacons[0].viewing, "viewing-aaaaaaaaaaaa");
});
