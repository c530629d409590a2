"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var retry = require("../../elearn/static/js/retry.js");

var ERROR = { code: "some_code", message: "words", status: 0 };

test("report verdicts: stored, signed out, renew the token, refused for good, or try later", function () {
  var v = retry.reportVerdict;
  assert.equal(v(200, { position: 1 }), "stored");
  assert.equal(v(200, null), "transient");
  assert.equal(v(401, ERROR), "signedOut");
  assert.equal(v(400, { code: "csrf_failed", message: "expired" }), "csrf");
  assert.equal(v(400, { code: "invalid_intervals", message: "bad" }), "refused");
  [403, 404, 409, 413, 422].forEach(function (status) { assert.equal(v(status, ERROR), "refused", status); });
  [408, 425, 429, 500, 502, 503, 504].forEach(function (status) { assert.equal(v(status, ERROR), "transient", status); });
  assert.equal(v(404, null), "transient", "a 404 page that is not ours says nothing about the lesson");
  assert.equal(v(403, { detail: "proxy says no" }), "transient", "JSON without our error code is not our refusal");
  assert.equal(v(0, null), "transient");
});

test("uploads retry by themselves on no answer, server errors and offset conflicts, only while online", function () {
  [0, 500, 503, 409, 423].forEach(function (status) { assert.equal(retry.uploadShouldRetry(status, true), true, status); });
  [400, 403, 404, 413, 415].forEach(function (status) { assert.equal(retry.uploadShouldRetry(status, true), false, status); });
  assert.equal(retry.uploadShouldRetry(0, false), false);
  assert.equal(retry.uploadShouldRetry(500, undefined), true, "a browser that cannot tell counts as online");
});

test("an upload is refused for good on a 4xx other than the offset conflict or lock", function () {
  [400, 403, 404, 410, 413, 415].forEach(function (status) { assert.equal(retry.uploadRefused(status), true, status); });
  [0, 409, 423, 500].forEach(function (status) { assert.equal(retry.uploadRefused(status), false, status); });
});

test("expired media links are renewed, but not again within 20 seconds", function () {
  assert.equal(retry.mayRenewLinks(-Infinity, 1000), true);
  assert.equal(retry.mayRenewLinks(1000, 1000 + 19999), false);
  assert.equal(retry.mayRenewLinks(1000, 1000 + 20000), true);
});

test("upload retry delays start at once and settle at a minute", function () {
  assert.equal(retry.UPLOAD_DELAYS[0], 0);
  assert.equal(retry.UPLOAD_DELAYS[retry.UPLOAD_DELAYS.length - 1], 60000);
  assert.deepEqual(retry.UPLOAD_DELAYS.slice().sort(function (a, b) { return a - b; }), retry.UPLOAD_DELAYS);
});
