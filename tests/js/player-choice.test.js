"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var choice = require("../../elearn/static/js/player-choice.js");

test("a double press counts as one press; presses further apart each count", function () {
  var guard = new choice.PressGuard(400);
  assert.equal(guard.accept(1000), true, "the first press acts");
  assert.equal(guard.accept(1150), false, "the second click of a double click does nothing");
  assert.equal(guard.accept(1399), false, "still within 400 ms of the press that acted");
  assert.equal(guard.accept(1400), true, "400 ms later: a new press");
  assert.equal(guard.accept(5000), true);
  assert.equal(new choice.PressGuard().windowMs, choice.DOUBLE_PRESS_MS);
});

test("the caption track: the one chosen before, else the page's language, else the first", function () {
  var pick = choice.pickTrack;
  assert.equal(pick([], "zh", "zh-CN"), -1, "no track");
  assert.equal(pick(["en", "zh"], null, "zh-CN"), 1, "the page's language, not the first track");
  assert.equal(pick(["en", "zh"], "en", "zh-CN"), 0, "what the person chose wins over the page");
  assert.equal(pick(["en", "zh"], "fr", "zh-CN"), 1, "a choice no longer offered falls back to the page");
  assert.equal(pick(["en", "ja"], null, "zh-CN"), 0, "nothing in the page's language: the first");
  assert.equal(pick(["zh-Hans", "en"], null, "zh-CN"), 0, "languages match by their base");
  assert.equal(pick(["en", "zh"], null, "en"), 0);
});
