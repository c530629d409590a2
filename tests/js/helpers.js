/* Fakes of what the page gives the pure modules: a fetch answering from a script of real
   Response objects (Node's own), a localStorage, and timers run by hand. */
"use strict";

function json(status, body) {
  return new Response(JSON.stringify(body), { status: status, headers: { "Content-Type": "application/json" } });
}

function html(status, text) {
  return new Response(text || "<html><body>502 Bad Gateway</body></html>", { status: status, headers: { "Content-Type": "text/html" } });
}

// answers: an array of Response, Error (a network failure) or function(url, options) -> either.
function fakeFetch(answers) {
  var calls = [];
  function fetch(url, options) {
    calls.push({ url: url, options: options || {}, body: options && options.body ? JSON.parse(options.body) : null });
    var next = answers.shift();
    if (typeof next === "function") { next = next(url, options); }
    if (next === undefined) { return Promise.reject(new Error("unexpected request to " + url)); }
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
  fetch.calls = calls;
  return fetch;
}

function fakeStorage() {
  var items = {};
  return {
    items: items,
    getItem: function (key) { return Object.prototype.hasOwnProperty.call(items, key) ? items[key] : null; },
    setItem: function (key, value) { items[key] = String(value); }
  };
}

function manualTimers() {
  var pending = [], nextId = 1;
  return {
    pending: pending,
    setTimeout: function (run, ms) { var id = nextId++; pending.push({ id: id, run: run, ms: ms }); return id; },
    clearTimeout: function (id) {
      var at = pending.findIndex(function (t) { return t.id === id; });
      if (at >= 0) { pending.splice(at, 1); }
    },
    runAll: function () { pending.splice(0).forEach(function (t) { t.run(); }); }
  };
}

function tick() { return new Promise(function (resolve) { setImmediate(resolve); }); }

module.exports = { json: json, html: html, fakeFetch: fakeFetch, fakeStorage: fakeStorage, manualTimers: manualTimers, tick: tick };
