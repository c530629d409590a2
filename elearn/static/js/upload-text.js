/* elearn.uploadText: an upload's and a video's numbers in words. ``msg(name)`` gives the
   translated sentence (from the panel's data- attributes); these only choose and fill it. */
(function (root, factory) {
  var node = typeof module === "object" && module.exports;
  var mod = factory(node ? { text: require("./text.js") } : root.elearn || {});
  if (node) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.uploadText = mod; }
})(this, function (elearn) {
  "use strict";

  var fill = elearn.text.fill;

  function speed(bytesPerSecond, msg) {
    if (bytesPerSecond >= 1024 * 1024) {
      return fill(msg("speedMb"), { n: (bytesPerSecond / 1024 / 1024).toFixed(1) });
    }
    return fill(msg("speedKb"), { n: Math.max(1, Math.round(bytesPerSecond / 1024)) });
  }

  // The same words as the media panel's template (eta_words) says for a video being prepared.
  function eta(seconds, msg) {
    if (!isFinite(seconds)) { return msg("etaCalculating"); }
    if (seconds < 60) { return msg("etaSeconds"); }
    var minutes = Math.ceil(seconds / 60);
    if (minutes < 60) { return fill(msg("etaMinutes"), { minutes: minutes }); }
    return fill(msg("etaHours"), { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
  }

  // ``words``: the panel's dataset (statusQueued, statusFailed, statusUnknown, ...).
  function assetStatus(asset, words) {
    var text = words["status" + asset.status.charAt(0).toUpperCase() + asset.status.slice(1)] || asset.status;
    return fill(text, { percent: Math.round(asset.progress || 0), error: asset.error || words.statusUnknown });
  }

  //: Sound files a teacher may give as a lesson's recording (the picker's accept list, audio part).
  var SOUND = /\.(mp3|m4a|aac|wav|ogg|oga|opus|flac|amr|wma)$/i;

  // What the queue calls a file: a sound recording chosen in the video picker is "sound", not "video".
  // ``names``: the translated kind names (video, sound, captions, handout).
  function kindName(kind, file, names) {
    var sound = kind === "video" && (/^audio\//.test(file.type || "") || SOUND.test(file.name || ""));
    return (sound ? names.sound : names[kind]) || kind;
  }

  // "Length: {minutes} min {seconds} s." for a length in seconds (rounded to whole seconds, as the template).
  function length(seconds, template) {
    var whole = Math.round(seconds || 0);
    return fill(template, { minutes: Math.floor(whole / 60), seconds: whole % 60 });
  }

  return { speed: speed, eta: eta, assetStatus: assetStatus, kindName: kindName, length: length };
});
