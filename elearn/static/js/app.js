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
