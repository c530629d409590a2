/* The classroom's check-in screen: the QR code changes every 30 s (asked from the server, which
   signs it), and the names appear as people check in, for the teacher's headcount. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var screen = document.querySelector("[data-checkin-screen]");
    if (!screen || !window.fetch) { return; }
    var qr = screen.querySelector("[data-qr]");
    var names = screen.querySelector("[data-names]");
    var count = screen.querySelector("[data-count]");

    function draw() {
      qr.src = qr.getAttribute("data-src") + "?t=" + Date.now();
    }

    function update() {
      window.fetch(screen.getAttribute("data-api"), { credentials: "same-origin", cache: "no-store",
                                                       headers: { Accept: "application/json" } })
        .then(window.elearn.http.readJson)
        .then(function (answer) {
          if (!answer.ok || !answer.body) { window.setTimeout(update, 5000); return; }
          var body = answer.body;
          if (qr.getAttribute("data-code") !== body.code) { qr.setAttribute("data-code", body.code); draw(); }
          while (names.firstChild) { names.removeChild(names.firstChild); }
          body.checked_in.forEach(function (name) {
            var li = document.createElement("li");
            li.textContent = name;
            names.appendChild(li);
          });
          count.textContent = String(body.checked_in.length);
          window.setTimeout(update, Math.min(5000, Math.max(500, body.seconds_left * 1000)));
        }, function () { window.setTimeout(update, 5000); });
    }
    update();
  });
})();
