/* elearn.uploadShown: what the lesson edit page shows change as uploads finish, without a reload.
   A video that has become ready takes the place of "what learners get now" (in words, its length,
   a player to check it with, and the way to remove it), cloned from the panel's <template
   data-now-template> so the markup is the template's; a handout just uploaded joins the list of
   handouts. Words and URL patterns come from the panel's data- attributes (``data``).
   Needs, loaded before it: text.js, upload-text.js. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.uploadShown = mod; }
})(this, function (elearn) {
  "use strict";

  // "/teaching/assets/0/delete" with 7 -> "/teaching/assets/7/delete"; "/handouts/0" -> "/handouts/7".
  function withId(pattern, id) {
    return String(pattern).replace(/\/0(\/[^\/]*)?$/, function (whole, rest) { return "/" + id + (rest || ""); });
  }

  function showReady(panel, asset) {
    var data = panel.dataset, now = panel.querySelector("[data-media-now]");
    var template = panel.querySelector("[data-now-template]");
    if (!now || !template) { return; }
    var block = template.content.querySelector("[data-now-video]").cloneNode(true);
    var sound = asset.kind === "audio";
    block.setAttribute("data-now-video", asset.id);
    block.querySelector("[data-now-text]").textContent = sound ? data.msgNowSound : data.msgNowVideo;
    block.querySelector("[data-now-length]").textContent =
      asset.duration ? elearn.uploadText.length(asset.duration, data.msgLength) : "";
    var player = block.querySelector('[data-now-preview="' + (sound ? "audio" : "video") + '"]');
    block.querySelector('[data-now-preview="' + (sound ? "video" : "audio") + '"]').hidden = true;
    player.hidden = !asset.mp4_url;
    if (asset.mp4_url) { player.setAttribute("src", asset.mp4_url); }
    if (!sound && asset.poster_url) { player.setAttribute("poster", asset.poster_url); }
    block.querySelector("[data-now-remove]").setAttribute("href", withId(data.removeUrl, asset.id));
    while (now.firstChild) { now.removeChild(now.firstChild); }
    now.appendChild(block);
    // Its own block stays, saying (and announcing) that it is ready; learners no longer keep an older one.
    var hint = panel.querySelector("[data-pending-area] [data-keep-hint]");
    if (hint) { hint.parentNode.removeChild(hint); }
  }

  // ``handout``: {id, filename, size_text} from the upload's result.
  function addHandout(panel, handout) {
    var data = panel.dataset, list = document.querySelector("[data-handout-list]");
    if (!list || !handout || list.querySelector('[data-handout="' + handout.id + '"]')) { return; }
    var item = document.createElement("li"), link = document.createElement("a");
    var size = document.createElement("span"), remove = document.createElement("a");
    var hidden = document.createElement("span");
    item.setAttribute("data-handout", handout.id);
    link.href = withId(data.handoutUrl, handout.id);
    link.textContent = handout.filename;
    size.className = "hint";
    size.textContent = handout.size_text;
    remove.className = "button danger";
    remove.href = withId(data.handoutDeleteUrl, handout.id);
    remove.textContent = data.msgHandoutDelete;
    hidden.className = "visually-hidden";
    hidden.textContent = ": " + handout.filename;
    remove.appendChild(hidden);
    [link, size, remove].forEach(function (el) { item.appendChild(document.createTextNode(" ")); item.appendChild(el); });
    list.appendChild(item);
    list.hidden = false;
    var none = document.querySelector("[data-no-handouts]");
    if (none) { none.parentNode.removeChild(none); }
  }

  return { withId: withId, showReady: showReady, addHandout: addHandout };
});
