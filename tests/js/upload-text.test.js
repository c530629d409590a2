"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var words = require("../../elearn/static/js/upload-text.js");
var text = require("../../elearn/static/js/text.js");

var MSG = { speedMb: "{n} MB/s", speedKb: "{n} KB/s", etaCalculating: "working it out", etaSeconds: "under a minute",
            etaMinutes: "about {minutes} min", etaHours: "about {hours} h {minutes} min" };
function msg(name) { return MSG[name]; }

test("speeds in KB (at least 1) or MB per second", function () {
  assert.equal(words.speed(100, msg), "1 KB/s");
  assert.equal(words.speed(300 * 1024, msg), "300 KB/s");
  assert.equal(words.speed(2.5 * 1024 * 1024, msg), "2.5 MB/s");
});

test("time left in the same words as the page's template", function () {
  assert.equal(words.eta(Infinity, msg), "working it out");
  assert.equal(words.eta(59, msg), "under a minute");
  assert.equal(words.eta(61, msg), "about 2 min");
  assert.equal(words.eta(3600, msg), "about 1 h 0 min");
  assert.equal(words.eta(3661, msg), "about 1 h 2 min");
});

test("a video's status sentence with its percent or its error", function () {
  var dataset = { statusProcessing: "{percent}% prepared", statusFailed: "cannot be used: {error}", statusUnknown: "unknown problem" };
  assert.equal(words.assetStatus({ status: "processing", progress: 55.5 }, dataset), "56% prepared");
  assert.equal(words.assetStatus({ status: "failed", error: null }, dataset), "cannot be used: unknown problem");
  assert.equal(words.assetStatus({ status: "odd" }, dataset), "odd");
});

test("fill leaves unknown placeholders alone; clock writes minutes and hours", function () {
  assert.equal(text.fill("{a} of {b}", { a: 1 }), "1 of {b}");
  assert.equal(text.fill("{constructor}", {}), "{constructor}");
  assert.equal(text.clock(75), "1:15");
  assert.equal(text.clock(3725), "1:02:05");
  assert.equal(text.clock(-3), "0:00");
  assert.equal(text.clock(undefined), "0:00");
});

test("a sound file chosen as the lesson's recording is called sound", function () {
  var names = { video: "video", sound: "sound", captions: "captions", handout: "handout" };
  assert.equal(words.kindName("video", { name: "lecture.mp3", type: "audio/mpeg" }, names), "sound");
  assert.equal(words.kindName("video", { name: "LECTURE.MP3", type: "" }, names), "sound");
  assert.equal(words.kindName("video", { name: "talk.m4a", type: "" }, names), "sound");
  assert.equal(words.kindName("video", { name: "lecture.mp4", type: "video/mp4" }, names), "video");
  assert.equal(words.kindName("handout", { name: "notes.pdf", type: "application/pdf" }, names), "handout");
});

test("a length in whole minutes and seconds, as the panel's template says it", function () {
  assert.equal(words.length(59.6, "{minutes} min {seconds} s"), "1 min 0 s");
  assert.equal(words.length(125.2, "{minutes} min {seconds} s"), "2 min 5 s");
});
