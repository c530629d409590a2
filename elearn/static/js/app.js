/* Small progressive enhancements shared by every page. No inline scripts (CSP). */
(function () {
  "use strict";

  // 菜单: the link to #site-menu (which works without JavaScript through :target) becomes a button
  // that opens and closes the menu in place; the menu pushes the page down, it covers nothing.
  function setUpMenu(link) {
    var menu = document.getElementById("site-menu");
    if (!menu) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = link.className;
    button.id = link.id;
    button.innerHTML = link.innerHTML;
    button.setAttribute("aria-controls", menu.id);
    var open = window.location.hash === "#" + menu.id;
    function show(on) {
      open = on;
      menu.classList.toggle("open", on);
      button.setAttribute("aria-expanded", on ? "true" : "false");
    }
    show(open);
    button.addEventListener("click", function () { show(!open); });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open) { show(false); button.focus(); }
    });
    link.parentNode.replaceChild(button, link);
  }

  var menuLink = document.getElementById("menu-toggle");
  if (menuLink) { setUpMenu(menuLink); }

  // The device's voices for the page's language (zh or en); they may arrive a moment after the page.
  function withVoices(lang, then) {
    var synth = window.speechSynthesis, done = false;
    function matching() {
      return synth.getVoices().filter(function (v) { return (v.lang || "").toLowerCase().indexOf(lang) === 0; });
    }
    if (synth.getVoices().length) { then(matching()); return; }
    function finish() {
      if (done) { return; }
      done = true;
      synth.removeEventListener("voiceschanged", finish);
      then(matching());
    }
    synth.addEventListener("voiceschanged", finish);
    window.setTimeout(finish, 1000);
  }

  // Read aloud: uses the browser's own speech synthesis, in the page's language. A device without a
  // voice for it would say nothing at all: the status line next to the button says so instead.
  function setUpReadAloud(button) {
    if (!("speechSynthesis" in window)) { return; }
    button.hidden = false;
    var speaking = false;
    var startLabel = button.innerHTML;
    var english = document.documentElement.lang === "en";
    var stopLabel = english ? "Stop reading" : "停止朗读";
    var status = button.nextElementSibling && button.nextElementSibling.matches(".read-aloud-status") ?
      button.nextElementSibling : null;
    function speak(voices) {
      if (!voices.length) {
        if (status) { status.textContent = status.getAttribute("data-no-voice"); }
        return;
      }
      var target = document.querySelector(button.getAttribute("data-read-target") || "#main");
      if (!target) { return; }
      var clone = target.cloneNode(true);
      clone.querySelectorAll("script, style, form, button, nav, [aria-hidden='true'], .read-aloud-status").forEach(function (el) { el.remove(); });
      var text = clone.textContent.replace(/\s+/g, " ").trim();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = english ? "en-US" : "zh-CN";
      utterance.voice = voices[0];
      utterance.rate = 0.9;
      utterance.onend = utterance.onerror = function () {
        speaking = false;
        button.innerHTML = startLabel;
        button.setAttribute("aria-pressed", "false");
      };
      speaking = true;
      button.textContent = stopLabel;
      button.setAttribute("aria-pressed", "true");
      window.speechSynthesis.speak(utterance);
    }
    button.addEventListener("click", function () {
      if (speaking) {
        window.speechSynthesis.cancel();
        return;
      }
      withVoices(english ? "en" : "zh", speak);
    });
  }

  document.querySelectorAll(".read-aloud").forEach(setUpReadAloud);

  // Show password: older eyes and stiff fingers mistype what they cannot see. The button is pressed
  // while the password shows; sending the form hides it again, so the browser keeps no copy as text.
  document.querySelectorAll("[data-show-password]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-show-password"));
    if (!input) { return; }
    var showLabel = button.textContent.trim();
    var hideLabel = button.getAttribute("data-hide-label");
    function show(visible) {
      input.type = visible ? "text" : "password";
      button.setAttribute("aria-pressed", visible ? "true" : "false");
      button.textContent = visible ? hideLabel : showLabel;
    }
    button.hidden = false;
    button.addEventListener("click", function () { show(input.type === "password"); });
    if (input.form) { input.form.addEventListener("submit", function () { show(false); }); }
  });

  // A print button (used on slips).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Forms marked data-once cannot be sent twice by a double click.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  });
})();
