"use strict";
var test = require("node:test");
var assert = require("node:assert/strict");
var fs = require("fs");
var os = require("os");
var path = require("path");
var childProcess = require("child_process");
var check = require("../../scripts/check-js.js");

var SCRIPT = path.join(__dirname, "..", "..", "scripts", "check-js.js");

function withFile(source, run) {
  var dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-js-"));
  var file = path.join(dir, "page.js");
  fs.writeFileSync(file, source);
  try { return run(file, dir); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}

test("newer syntax than ES2017 is refused", function () {
  ["var a = b?.c;", "var a = b ?? 1;", "class A { x = 1; }", "class A { #secret; }", "a ||= 1;",
   "try { f(); } catch { }", "var n = 1_000;", "import x from './x.js';", "var big = 10n;",
   "for await (const x of y) {}"].forEach(function (source) {
    withFile(source, function (file) { assert.ok(check.problem(file), source + " should be refused"); });
  });
});

test("ES2017 itself passes: async functions, arrow functions, classes, template strings", function () {
  withFile("async function f() { await g(); }\nvar h = (a) => `${a}`;\nclass B { m() { return 2 ** 3; } }",
    function (file) { assert.equal(check.problem(file), null); });
});

test("the command fails on a folder holding one bad script and names it", function () {
  withFile("var a = b?.c;", function (file, dir) {
    var run = childProcess.spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /page\.js/);
  });
});

test("every page script of the site is within ES2017", function () {
  var run = childProcess.spawnSync(process.execPath, [SCRIPT], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});
