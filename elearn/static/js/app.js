/* Small progressive enhancements shared by every page. No inline scripts (CSP). */
(function () {
  "use strict";

  // Read aloud: uses the browser's own speech synthesis, in the page's language.
  function setUpReadAloud(button) {
    if (!("speechSynthesis" in window)) { return; }
    button.hidden = false;
    var speaking = false;
    var startLabel = button.innerHTML;
    var stopLabel = document.documentElement.lang === "en" ? "Stop reading" : "停止朗读";
    button.addEventListener("click", function () {
      if (speaking) {
        window.speechSynthesis.cancel();
        return;
      }
      var target = document.querySelector(button.getAttribute("data-read-target") || "#main");
      if (!target) { return; }
      var clone = target.cloneNode(true);
      clone.querySelectorAll("script, style, form, button, nav, [aria-hidden='true']").forEach(function (el) { el.remove(); });
      var text = clone.textContent.replace(/\s+/g, " ").trim();
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
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
