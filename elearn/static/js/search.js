/* The header's search box: suggestions while typing, as an ARIA combobox.
   Arrow keys move through the list (aria-activedescendant keeps the focus in the box, so screen
   readers read the chosen title), Enter opens it, Escape closes the list; a live region says how
   many suggestions there are. Without JavaScript the box is a plain form to /search. */
(function () {
  "use strict";
  var form = document.querySelector("form.search-box[data-suggest-url]");
  if (!form) { return; }
  var input = form.querySelector("[role=combobox]");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[data-search-status]");
  var countText = form.getAttribute("data-text-count") || "{n}";
  var items = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function say(count) {
    if (!status) { return; }
    if (!count) { status.textContent = ""; return; }
    status.textContent = countText.replace("{n}", String(count));
  }

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    var options = list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", options[index].id); }
    else { input.removeAttribute("aria-activedescendant"); }
  }

  function show(found) {
    close();
    items = found;
    found.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = "site-search-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = item.title;  // text, never HTML
      li.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = item.url; });
      list.appendChild(li);
    });
    if (found.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    say(found.length);
  }

  function ask() {
    var text = input.value.trim();
    if (!text) { close(); say(0); return; }
    var mine = ++asked;
    fetch(form.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) { if (mine === asked) { show(found || []); } })
      .catch(function () { /* offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) { return; }
      event.preventDefault();
      var next = active + (event.key === "ArrowDown" ? 1 : -1);
      if (next >= items.length) { next = -1; }  // past the last: back to what was typed
      if (next < -1) { next = items.length - 1; }
      choose(next);
    } else if (event.key === "Enter" && active >= 0 && items[active]) {
      event.preventDefault();
      window.location.href = items[active].url;
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
