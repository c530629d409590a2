"use strict";
/* The page scripts as a browser runs them: classic scripts, one after another, in one global
   object, with no module system. Each must add itself to window.elearn and find what it needs there. */
var test = require("node:test");
var assert = require("node:assert/strict");
var fs = require("fs");
var path = require("path");
var vm = require("vm");

var JS = path.join(__dirname, "..", "..", "elearn", "static", "js");
var TEMPLATES = path.join(__dirname, "..", "..", "elearn", "templates");

// The order the page's <script src> tags give, from the template itself.
function scriptsOf(template) {
  var html = fs.readFileSync(path.join(TEMPLATES, template), "utf8");
  var names = [], pattern = /filename='js\/([\w-]+\.js)'/g, match;
  while ((match = pattern.exec(html))) { names.push(match[1]); }
  return names;
}

// A window without the player or the upload panel on the page: the scripts load and do nothing.
function browserLike() {
  var document = { getElementById: function () { return null; }, querySelector: function () { return null; },
                   querySelectorAll: function () { return []; }, addEventListener: function () {} };
  var window = { document: document, addEventListener: function () {} };
  window.window = window;
  return vm.createContext(window);
}

function load(names) {
  var context = browserLike();
  names.forEach(function (name) {
    vm.runInContext(fs.readFileSync(path.join(JS, name), "utf8"), context, { filename: name });
  });
  return context;
}

test("the lesson page's scripts fill window.elearn in their order", function () {
  var names = scriptsOf("learning/lesson.html");
  assert.equal(names[names.length - 1], "player.js");
  var elearn = load(names).elearn;
  ["text", "intervals", "http", "retry", "progressQueue", "progress", "playerControls", "player"].forEach(function (name) {
    assert.equal(typeof elearn[name], "object", name);
  });
  assert.equal(typeof elearn.progress.Reporter, "function");
});

test("the uploader's scripts (lesson media panel, activity files) fill window.elearn in their order", function () {
  var names = scriptsOf("_macros/upload.html");
  assert.equal(names[names.length - 1], "upload.js");
  var elearn = load(names).elearn;
  ["text", "http", "retry", "uploadText", "uploadQueue", "assetWatch", "uploads"].forEach(function (name) {
    assert.equal(typeof elearn[name], "object", name);
  });
});

test("no page script leaves anything but elearn in the global scope", function () {
  var names = [];
  scriptsOf("learning/lesson.html").concat(scriptsOf("_macros/upload.html"), scriptsOf("attendance/_roll.html"),
                                           scriptsOf("attendance/_screen.html")).forEach(function (name) {
    if (names.indexOf(name) < 0) { names.push(name); }
  });
  var context = load(names);
  var globals = Object.keys(context).filter(function (key) { return ["document", "window", "elearn", "addEventListener"].indexOf(key) < 0; });
  assert.deepEqual(globals, []);
});

test("every script in the folder is loaded by some page", function () {
  var used = ["app.js"];
  (function walk(folder) {
    fs.readdirSync(path.join(TEMPLATES, folder)).forEach(function (name) {
      var relative = folder ? folder + "/" + name : name;
      if (fs.statSync(path.join(TEMPLATES, relative)).isDirectory()) { walk(relative); }
      else if (/\.html$/.test(name)) { used = used.concat(scriptsOf(relative)); }
    });
  })("");
  fs.readdirSync(JS).filter(function (name) { return /\.js$/.test(name); }).forEach(function (name) {
    assert.ok(used.indexOf(name) >= 0, name + " is loaded by no page");
  });
});
