/* elearn.rollcall: the roll-call page. Each tap moves a person to the next status at once on the
   screen and queues the mark (with the time it was made and an id of its own) in localStorage, so
   that on a weak classroom connection nothing is lost: the queue is sent when the connection is
   back, also after a reload; a mark sent twice counts once on the server (its ref). The server
   keeps the mark made last, whenever it arrives. Without JavaScript each tap is a form POST.
   Each person's "more" form (mode 现场/线上/送学上门 and a note) is queued the same way. */
(function (root, factory) {
  var mod = factory();
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.rollcall = mod; }
})(this, function () {
  "use strict";

  function newRef() { return "m" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  // One queue per signed-in person and session: marks are never sent under another login.
  function keyFor(userId, sessionId) { return "elearn.roll." + userId + "." + sessionId; }

  // Marks waiting to be sent for one session: [{person, status, made_at, ref, mode?, note?}], oldest
  // first. A tap carries no mode: the server keeps the person's mode (a home visit stays one).
  function MarkQueue(storage, key) {
    this.storage = storage;
    this.key = key;
    this.memory = [];
  }

  MarkQueue.prototype.read = function () {
    try {
      var raw = this.storage.getItem(this.key);
      return raw ? JSON.parse(raw) : [];
    } catch (e) { return this.memory; }
  };

  MarkQueue.prototype.write = function (marks) {
    this.memory = marks;
    try { this.storage.setItem(this.key, JSON.stringify(marks)); } catch (e) { /* kept in memory */ }
  };

  MarkQueue.prototype.add = function (person, status, now, detail) {
    var marks = this.read();
    var mark = { person: person, status: status, made_at: new Date(now).toISOString(), ref: newRef() };
    if (detail) { mark.mode = detail.mode; mark.note = detail.note; }
    marks.push(mark);
    this.write(marks);
    return mark;
  };

  // The server stored these (by ref): drop them, keep what was added meanwhile.
  MarkQueue.prototype.done = function (sent) {
    var refs = {};
    sent.forEach(function (m) { refs[m.ref] = true; });
    this.write(this.read().filter(function (m) { return !refs[m.ref]; }));
  };

  function nextStatus(cycle, status) {
    var at = cycle.indexOf(status);
    return at < 0 ? cycle[0] : cycle[(at + 1) % cycle.length];
  }

  // The status a person shows: the last queued mark for them, else what the page was given.
  function shownStatus(queue, person, fallback) {
    var mark = lastMark(queue, person, "status");
    return mark ? mark.status : fallback;
  }

  // The last queued mark for a person that has ``field`` (a tap has no mode or note).
  function lastMark(queue, person, field) {
    var marks = queue.read();
    for (var i = marks.length - 1; i >= 0; i--) {
      if (marks[i].person === person && marks[i][field] !== undefined) { return marks[i]; }
    }
    return null;
  }

  function start(doc, win) {
    var list = doc.querySelector("[data-roll]");
    if (!list || !win.fetch) { return; }
    var http = win.elearn.http;
    var meta = doc.querySelector('meta[name="csrf-token"]');
    var csrf = new http.CsrfToken(meta ? meta.content : "", "/api/v1/auth/csrf");
    var cycle = list.getAttribute("data-cycle").split(",");
    var labels = JSON.parse(list.getAttribute("data-labels"));
    var modes = JSON.parse(list.getAttribute("data-modes"));
    var state = doc.querySelector("[data-roll-state]");
    var storage = null;
    try { storage = win.localStorage; } catch (e) { storage = null; }
    var queue = new MarkQueue(storage, keyFor(list.getAttribute("data-user"), list.getAttribute("data-session")));
    var sending = false;

    function say(key, count) {
      if (state) { state.textContent = (state.getAttribute("data-" + key) || "").replace("{count}", count); }
    }

    function show(button, status) {
      button.setAttribute("data-status", status || "");
      button.querySelector(".status").textContent = labels[status] || button.querySelector(".status").textContent;
      var source = button.querySelector(".source");
      if (source) { source.textContent = ""; }
      button.value = nextStatus(cycle, status);
    }

    function showDetail(button, mode, note) {
      var shownMode = button.querySelector(".mode"), shownNote = button.querySelector(".note");
      shownMode.textContent = modes[mode] || "";
      shownMode.hidden = !mode || mode === "on_site";
      shownNote.textContent = note || "";
      shownNote.hidden = !note;
    }

    // The "more" form: status, mode and note in one mark, queued like a tap.
    function detailForm(form, button, person) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var status = form.querySelector("select[name=status]").value;
        var mode = form.querySelector("input[name=mode]:checked").value;
        var note = form.querySelector("input[name=note]").value.trim();
        queue.add(person, status, Date.now(), { mode: mode, note: note });
        show(button, status);
        showDetail(button, mode, note);
        var details = form.closest("details");
        if (details) { details.open = false; }
        button.focus();
        send();
      });
      var queued = lastMark(queue, person, "mode");
      if (queued) {
        showDetail(button, queued.mode, queued.note);
        form.querySelector("input[name=note]").value = queued.note || "";
        var radio = form.querySelector('input[name=mode][value="' + queued.mode + '"]');
        if (radio) { radio.checked = true; }
      }
    }

    function send() {
      var marks = queue.read();
      if (sending || !marks.length) { if (!marks.length) { say("saved", 0); } return; }
      sending = true;
      say("pending", marks.length);
      var post = function () {
        return win.fetch(list.getAttribute("data-api"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf.value },
          body: JSON.stringify({ marks: marks })
        }).then(http.readJson);
      };
      post().then(function (answer) {
        if (answer.status === 400 && answer.body && /csrf/i.test(answer.body.code || "")) {
          return csrf.refresh(win.fetch.bind(win)).then(post);
        }
        return answer;
      }).then(function (answer) {
        sending = false;
        if (answer.ok) { queue.done(marks); send(); return; }
        if (answer.status >= 400 && answer.status < 500 && answer.status !== 401 && answer.status !== 408 && answer.status !== 429) {
          queue.done(marks);  // refused for good (not on the list any more...): say so, keep the page honest
          if (state) { state.textContent = (answer.body && answer.body.message) || ""; }
          return;
        }
        say("offline", marks.length);
      }, function () { sending = false; say("offline", marks.length); });
    }

    Array.prototype.forEach.call(list.querySelectorAll("button.roll-person"), function (button) {
      var person = parseInt(button.getAttribute("data-person"), 10);
      var status = shownStatus(queue, person, button.getAttribute("data-status") || null);
      if (status) { show(button, status); }
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var next = nextStatus(cycle, button.getAttribute("data-status") || null);
        queue.add(person, next, Date.now());
        show(button, next);
        send();
      });
      var form = doc.querySelector('form.roll-detail[data-person="' + person + '"]');
      if (form) { detailForm(form, button, person); }
    });
    win.addEventListener("online", send);
    win.setInterval(send, 15000);
    send();
  }

  if (typeof document !== "undefined") {
    document.addEventListener("DOMContentLoaded", function () { start(document, window); });
  }
  return { MarkQueue: MarkQueue, keyFor: keyFor, nextStatus: nextStatus, shownStatus: shownStatus, lastMark: lastMark };
});
