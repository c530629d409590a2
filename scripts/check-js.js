#!/usr/bin/env node
/* Every page script must parse as ES2017 classic script: the browsers of older TV boxes and phones
   run them untranslated (no bundler), so `?.`, `??`, class fields, `import` and the like would
   break the page there while the latest Chromium runs it happily.

   node scripts/check-js.js [FILE_OR_FOLDER ...]   (default: elearn/static/js)
   Prints each file that does not parse with the line and column, and exits 1 if there is one. */
"use strict";

var fs = require("fs");
var path = require("path");
var acorn = require("acorn");

var ECMA_VERSION = 2017;

function scripts(target) {
  if (fs.statSync(target).isDirectory()) {
    return fs.readdirSync(target).filter(function (name) { return /\.js$/.test(name); }).sort()
      .map(function (name) { return path.join(target, name); });
  }
  return [target];
}

// The parser's complaint about one file, or null when it is plain ES2017.
function problem(file) {
  try {
    acorn.parse(fs.readFileSync(file, "utf8"), { ecmaVersion: ECMA_VERSION, sourceType: "script" });
    return null;
  } catch (err) {
    return file + ": " + err.message + " (not ES" + ECMA_VERSION + ")";
  }
}

function main(args) {
  var targets = args.length ? args : [path.join(__dirname, "..", "elearn", "static", "js")];
  var files = [].concat.apply([], targets.map(scripts));
  var problems = files.map(problem).filter(Boolean);
  problems.forEach(function (text) { console.error(text); });
  if (!problems.length) { console.log(files.length + " page scripts are ES" + ECMA_VERSION); }
  return problems.length ? 1 : 0;
}

if (require.main === module) { process.exitCode = main(process.argv.slice(2)); }

module.exports = { problem: problem, ECMA_VERSION: ECMA_VERSION };
