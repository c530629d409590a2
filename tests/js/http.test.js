"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var http = require("../../elearn/static/js/http.js");
var h = require("./helpers.js");

test("readJson gives the body of a JSON answer", async function () {
  assert.deepEqual(await http.readJson(h.json(201, { id: 4 })), { status: 201, ok: true, body: { id: 4 } });
});

test("readJson never rejects on an HTML page or an empty body: body is null", async function () {
  assert.deepEqual(await http.readJson(h.html(502)), { status: 502, ok: false, body: null });
  assert.deepEqual(await http.readJson(new Response(null, { status: 204 })), { status: 204, ok: true, body: null });
  var throwing = { status: 200, ok: true, json: function () { throw new Error("used"); } };
  assert.deepEqual(await http.readJson(throwing), { status: 200, ok: true, body: null });
});

test("a CSRF token is renewed once for callers asking together", async function () {
  var fetch = h.fakeFetch([h.json(200, { csrf_token: "new" })]);
  var token = new http.CsrfToken("old", "/api/v1/auth/csrf");
  var both = await Promise.all([token.refresh(fetch), token.refresh(fetch)]);
  assert.deepEqual(both, ["new", "new"]);
  assert.equal(fetch.calls.length, 1);
  assert.equal(token.value, "new");
});

test("a renewal that fails keeps the old token and can be tried again", async function () {
  var fetch = h.fakeFetch([h.html(502), new Error("offline"), h.json(200, { csrf_token: "new" })]);
  var token = new http.CsrfToken("old", "/api/v1/auth/csrf");
  await assert.rejects(token.refresh(fetch));
  await assert.rejects(token.refresh(fetch));
  assert.equal(token.value, "old");
  assert.equal(await token.refresh(fetch), "new");
  await assert.rejects(new http.CsrfToken("x", null).refresh(fetch), "without an address there is nothing to ask");
});
