/* The lesson player. hls.js where Media Source Extensions exist, the browser's own HLS elsewhere
   (Safari, TVs), the MP4 download as the last resort. Big controls, keys, captions drawn by the
   page (so their size can be chosen), "sound only" through the audio-only rendition, resume, and
   honest progress: the intervals actually played go to the server every 10 s, on pause and when
   the page is hidden (sendBeacon); reports that cannot be sent wait in localStorage under the
   user's id and go when the network is back. Everything it says comes, translated, in the
   data-config of #player (no inline script under the CSP). */
(function () {
  "use strict";

  var root = document.getElementById("player");
  if (!root) { return; }

  var cfg = JSON.parse(root.getAttribute("data-config"));
  var T = cfg.text;
  var video = document.getElementById("lesson-video");
  var controls = document.getElementById("player-controls");
  var playButton = root.querySelector("[data-action=play]");
  var seek = document.getElementById("seek");
  var display = document.getElementById("captions-display");
  var message = document.getElementById("player-message");
  var statusLine = document.getElementById("player-status");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var audioAsset = cfg.video.kind === "audio";

  var hls = null;
  var mode = audioAsset ? "audio" : "video";
  var started = false;          // the first play of this page has happened
  var pendingSeek = null;
  var lastRefresh = 0;
  var loadErrors = 0;         // network failures since the last segment that loaded
  var prefs = cfg.preferences;

  function q(selector) { return root.querySelector(selector); }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? String(values[key]) : whole; });
  }
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    var mm = h ? (m < 10 ? "0" : "") + m : String(m);
    return (h ? h + ":" : "") + mm + ":" + (s < 10 ? "0" : "") + s;
  }
  function say(text) { statusLine.textContent = text || ""; }

  // ------------------------------------------------------------ sources and engines

  function isPlaylist(url) { return /\.m3u8(\?|$)/.test(url || ""); }

  function sourceFor(which) {
    var v = cfg.video;
    // hls.js ignores audio-only variants in a master playlist: sound only plays the audio playlist itself.
    if (which === "audio") { return v.audio_url || (audioAsset ? v.hls_url : null) || v.mp4_url; }
    return v.hls_url || v.mp4_url;
  }

  function teardown() {
    if (hls) { hls.destroy(); hls = null; }
    video.removeAttribute("src");
    while (video.querySelector("source")) { video.removeChild(video.querySelector("source")); }
  }

  function load(at, play) {
    var src = sourceFor(mode);
    pendingSeek = at > 0 ? at : null;  // before teardown: a "pause" it causes must not report 0:00
    teardown();
    if (isPlaylist(src) && window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ autoStartLoad: false, capLevelToPlayerSize: true, startPosition: at > 0 ? at : -1 });
      hls.on(window.Hls.Events.ERROR, onHlsError);
      hls.on(window.Hls.Events.MANIFEST_PARSED, onManifest);
      hls.on(window.Hls.Events.FRAG_LOADED, function () { loadErrors = 0; });
      hls.loadSource(src);
      hls.attachMedia(video);
      root.setAttribute("data-engine", "hls.js");
    } else if (isPlaylist(src) && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      root.setAttribute("data-engine", "native");
    } else if (cfg.video.mp4_url) {
      video.src = cfg.video.mp4_url;
      root.setAttribute("data-engine", "mp4");
    }
    video.defaultPlaybackRate = prefs.playback_rate;
    video.playbackRate = prefs.playback_rate;
    if (play) { start(); }
  }

  function start() {
    if (hls && !hls.started) { hls.started = true; hls.startLoad(pendingSeek || -1); }
    var promise = video.play();
    if (promise && promise.catch) {
      promise.catch(function () { updatePlayButton(); });  // autoplay refused: the big button waits
    }
  }

  video.addEventListener("loadedmetadata", function () {
    if (pendingSeek !== null && Math.abs(video.currentTime - pendingSeek) > 1) { video.currentTime = pendingSeek; }
    pendingSeek = null;
    video.playbackRate = prefs.playback_rate;
    if (isFinite(video.duration)) {
      seek.max = Math.ceil(video.duration);
      document.getElementById("time-total").textContent = clock(video.duration);
    }
  });

  function onManifest(event, data) {
    var select = document.getElementById("quality");
    var box = q(".quality-control");
    while (select.options.length > 1) { select.remove(1); }
    (data.levels || []).forEach(function (level, index) {
      if (level.height) { select.add(new Option(level.height + "p", String(index))); }
    });
    box.hidden = mode === "audio" || select.options.length < 3;
  }

  document.getElementById("quality").addEventListener("change", function (event) {
    if (hls) { hls.currentLevel = parseInt(event.target.value, 10); }
  });

  // ------------------------------------------------------------ errors, expired links, retry

  function showError(text) {
    message.querySelector(".player-message-text").textContent = text;
    message.hidden = false;
    root.setAttribute("data-error", text);
  }

  function hideError() {
    message.hidden = true;
    root.removeAttribute("data-error");
  }

  function onHlsError(event, data) {
    var code = data.response && data.response.code;
    if (code === 403) { renewLinks(); return; }  // the signed URLs expired: fresh ones, same place
    if (!data.fatal) {
      // hls.js keeps retrying some failures (a segment it cannot fetch, the network gone): once the
      // picture has nothing left to play, say so plainly instead of showing a frozen picture.
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR && ++loadErrors >= 3 && video.readyState < 3) {
        hls.stopLoad();
        hls.started = false;
        showError(errorText(code, true));
      }
      return;
    }
    if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && !hls.recovered) {
      hls.recovered = true;
      hls.recoverMediaError();
      return;
    }
    hls.stopLoad();
    showError(errorText(code, data.type === window.Hls.ErrorTypes.NETWORK_ERROR));
  }

  function errorText(status, network) {
    if (navigator.onLine === false) { return T.offline; }
    if (status === 404) { return T.missing; }
    return network ? T.network : T.broken;
  }

  video.addEventListener("error", function () {
    if (root.getAttribute("data-engine") === "hls.js") { return; }  // hls.js reports its own errors
    showError(errorText(null, true));
  });

  function fetchPlayback() {
    return fetch(cfg.playbackUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("playback " + response.status); }
        return response.json();
      })
      .then(function (body) {
        if (body.video) { cfg.video = body.video; }
        return body;
      });
  }

  function renewLinks() {
    var now = Date.now();
    if (now - lastRefresh < 20000) { showError(T.broken); return; }  // fresh links were refused too
    lastRefresh = now;
    reload(!video.paused);
  }

  // Fresh signed URLs, then the same second again (playing if ``play``).
  function reload(play) {
    var at = video.currentTime || pendingSeek || 0;
    return fetchPlayback().then(function () {
      hideError();
      load(at, play);
    }, function () {
      showError(errorText(null, true));
    });
  }

  q("[data-action=retry]").addEventListener("click", function () { hideError(); reload(true); });
  video.addEventListener("playing", hideError);

  // ------------------------------------------------------------ intervals actually played

  var runStart = null, runLast = null, runWall = 0;
  var played = [];

  function openRun() { runStart = runLast = video.currentTime; runWall = Date.now(); }

  function extendRun() {
    if (runStart === null) { return; }
    var t = video.currentTime, wall = (Date.now() - runWall) / 1000;
    // Forward, and no further than the clock allows at this speed: anything else was a jump.
    if (t >= runLast && t - runLast <= wall * video.playbackRate * 1.5 + 1) {
      runLast = t;
      runWall = Date.now();
    } else {
      closeRun();
      openRun();
    }
  }

  function closeRun() {
    if (runStart !== null && runLast - runStart > 0.05) {
      played.push([Math.round(runStart * 1000) / 1000, Math.round(runLast * 1000) / 1000]);
    }
    runStart = runLast = null;
  }

  video.addEventListener("timeupdate", function () {
    if (!video.paused && !video.seeking) { extendRun(); }
    if (!seek.dragging) { seek.value = Math.floor(video.currentTime); }
    seek.setAttribute("aria-valuetext", fill(T.seekText, { current: clock(video.currentTime), total: clock(video.duration || cfg.video.duration) }));
    document.getElementById("time-current").textContent = clock(video.currentTime);
  });
  video.addEventListener("seeking", closeRun);
  video.addEventListener("seeked", function () { if (!video.paused) { openRun(); } });
  video.addEventListener("playing", function () {
    if (runStart === null) { openRun(); }
    if (!started) { started = true; report(); }  // the first report starts the server's clock
    startBeats();
    updatePlayButton();
  });
  video.addEventListener("pause", function () {
    extendRun();
    closeRun();
    stopBeats();
    report();
    updatePlayButton();
  });

  // ------------------------------------------------------------ reports: queue, send, beacon

  var queueKey = cfg.userId ? "elearn.progress." + cfg.userId : null;
  var beatTimer = null;
  var sending = false;

  function newId() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  var memoryQueue = {};  // when the browser keeps no localStorage (private windows on some phones)

  function storage() {
    try {
      var raw = window.localStorage.getItem(queueKey);
      return raw ? JSON.parse(raw) : {};
    } catch (e) { return memoryQueue; }
  }

  function writeQueue(queue) {
    memoryQueue = queue;
    try { window.localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* kept in memory */ }
  }

  function position() { return pendingSeek !== null ? pendingSeek : video.currentTime; }
  var lastPosition = null;

  // What was played since the last report, added to this lesson's report waiting to be sent.
  // Returns false when there is nothing new to say.
  function takeReport() {
    var playing = runStart !== null;
    if (playing) { extendRun(); closeRun(); }
    if (playing && !video.paused) { openRun(); }
    if (!played.length && lastPosition !== null && Math.abs(position() - lastPosition) < 0.5) { return false; }
    var queue = storage(), entries = queue[cfg.lessonId] || [];
    var last = entries[entries.length - 1];
    if (!last || last.sent) { last = { intervals: [] }; entries.push(last); }
    last.intervals = compact(last.intervals.concat(played));
    last.position = lastPosition = position();
    last.beat = newId();  // new content, new id: only an unchanged report is a retry
    played = [];
    queue[cfg.lessonId] = entries;
    writeQueue(queue);
    return true;
  }

  // A report carries at most a few hundred intervals: after a long time offline with many jumps,
  // overlapping ones are joined (the coverage is the same; only re-watched minutes count once).
  function compact(intervals) {
    if (intervals.length <= 100) { return intervals; }
    var sorted = intervals.slice().sort(function (a, b) { return a[0] - b[0]; }), joined = [];
    sorted.forEach(function (pair) {
      var last = joined[joined.length - 1];
      if (last && pair[0] <= last[1]) { last[1] = Math.max(last[1], pair[1]); } else { joined.push(pair.slice()); }
    });
    return joined.slice(-100);
  }

  function report() {
    if (!queueKey || !started) { return; }  // opening the page and leaving changes nothing
    takeReport();
    flush();
  }

  function progressUrl(lessonId) { return cfg.progressUrl.replace("/lessons/" + cfg.lessonId + "/", "/lessons/" + lessonId + "/"); }

  // Reports not yet sent go as one: the server credits a report by the time since the previous one,
  // so several sent back to back after a time offline would be cut short.
  function nextToSend(entries) {
    var sent = entries.filter(function (entry) { return entry.sent; });
    var unsent = entries.filter(function (entry) { return !entry.sent; });
    if (unsent.length > 1) {
      var merged = { beat: newId(), intervals: [], position: unsent[unsent.length - 1].position };
      unsent.forEach(function (entry) { merged.intervals = merged.intervals.concat(entry.intervals); });
      merged.intervals = compact(merged.intervals);
      unsent = [merged];
    }
    return sent.concat(unsent);
  }

  // Send every waiting report of this user (any lesson), one at a time.
  function flush() {
    if (!queueKey || sending) { return; }
    var queue = storage(), lessonIds = Object.keys(queue).filter(function (id) { return (queue[id] || []).length; });
    if (!lessonIds.length) { return; }
    var lessonId = lessonIds[0];
    queue[lessonId] = nextToSend(queue[lessonId]);
    var entry = queue[lessonId][0];
    entry.sent = true;  // from now on it is sent as it is (same id) until the server has answered
    writeQueue(queue);
    sending = true;
    send(lessonId, entry).then(function (outcome) {
      sending = false;
      if (outcome === "done") { forget(lessonId, entry.beat); flush(); }
      if (outcome === "unsent") { markUnsent(lessonId, entry.beat); }
    });
  }

  function send(lessonId, entry) {
    return fetch(progressUrl(lessonId), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ beat: entry.beat, position: entry.position, intervals: entry.intervals })
    }).then(function (response) {
      if (response.status === 401) { stopReporting(); return "kept"; }  // signed out: kept for this user
      if (response.ok) { response.json().then(showState); say(""); return "done"; }
      // A 4xx says why it was refused, and sending it again would not help; a 5xx or 429 stored nothing.
      return response.status >= 400 && response.status < 500 && response.status !== 429 ? "done" : "unsent";
    }, function () {
      say(T.savedHere);
      return "unsent";
    });
  }

  function markUnsent(lessonId, beat) {
    var queue = storage();
    (queue[lessonId] || []).forEach(function (entry) { if (entry.beat === beat && !entry.beaconed) { entry.sent = false; } });
    writeQueue(queue);
  }

  function forget(lessonId, beat) {
    var queue = storage();
    queue[lessonId] = (queue[lessonId] || []).filter(function (entry) { return entry.beat !== beat; });
    if (!queue[lessonId].length) { delete queue[lessonId]; }
    writeQueue(queue);
  }

  // The page is going away or out of sight: this lesson's waiting reports go as beacons. They also
  // stay queued (same id), so the next visit sends them again and the server sees they were stored.
  function beacon() {
    if (!queueKey || !started) { return; }
    takeReport();
    var queue = storage();
    if (!(queue[cfg.lessonId] || []).length) { return; }
    queue[cfg.lessonId] = nextToSend(queue[cfg.lessonId]);
    queue[cfg.lessonId].forEach(function (entry) {
      if (entry.beaconed) { return; }
      entry.beaconed = entry.sent = true;
      var body = JSON.stringify({ beat: entry.beat, position: entry.position, intervals: entry.intervals, csrf_token: csrf });
      if (!(navigator.sendBeacon && navigator.sendBeacon(progressUrl(cfg.lessonId), body)) && window.fetch) {
        fetch(progressUrl(cfg.lessonId), { method: "POST", credentials: "same-origin", keepalive: true, body: body,
          headers: { "Content-Type": "text/plain;charset=UTF-8" } }).catch(function () {});
      }
    });
    writeQueue(queue);
  }

  function stopReporting() { queueKey = null; stopBeats(); }
  function startBeats() { if (!beatTimer && queueKey) { beatTimer = window.setInterval(report, cfg.heartbeatSeconds * 1000); } }
  function stopBeats() { window.clearInterval(beatTimer); beatTimer = null; }

  function showState(state) {
    var watched = document.getElementById("watched");
    if (watched && state) {
      watched.textContent = state.completed ? watched.getAttribute("data-done") :
        fill(watched.getAttribute("data-share"), { percent: Math.floor(state.coverage * 100) });
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beacon(); } else { flush(); }
  });
  window.addEventListener("pagehide", beacon);
  window.addEventListener("online", flush);

  // ------------------------------------------------------------ controls

  function updatePlayButton() {
    var playing = !video.paused && !video.ended;
    playButton.querySelector(".label").textContent = playing ? T.pause : T.play;
    playButton.setAttribute("data-playing", playing ? "true" : "false");
  }

  function togglePlay() {
    hideOffer();
    if (video.paused) {
      if (!started && cfg.resumeAt && video.currentTime < 1) { pendingSeek = cfg.resumeAt; jumpTo(cfg.resumeAt); }
      start();
    } else {
      video.pause();
    }
  }

  function jumpTo(seconds) {
    var end = video.duration || cfg.video.duration || 0;
    seconds = Math.max(0, end ? Math.min(seconds, end - 0.5) : seconds);
    if (video.readyState > 0) { video.currentTime = seconds; } else { pendingSeek = seconds; }
  }

  function setPref(name, value) {
    prefs[name] = value;
    if (!cfg.prefsUrl) { return; }
    var body = {};
    body[name] = value;
    fetch(cfg.prefsUrl, { method: "PATCH", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf } }).catch(function () {});
  }

  var actions = {
    play: togglePlay,
    back: function () { jumpTo(video.currentTime - 15); },
    forward: function () { jumpTo(video.currentTime + 15); },
    mute: function () { video.muted = !video.muted; },
    captions: function () { setCaptions(!prefs.captions_on); },
    fullscreen: toggleFullscreen,
    "sound-only": function () { switchMode(mode === "audio" ? "video" : "audio"); },
    replay: function () { q("#lesson-end").hidden = true; stopCountdown(); jumpTo(0); start(); },
    "cancel-next": stopCountdown
  };

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (button && actions[button.getAttribute("data-action")]) { actions[button.getAttribute("data-action")](); }
    var size = event.target.closest("[data-caption-size]");
    if (size) { setCaptionSize(size.getAttribute("data-caption-size")); }
  });

  seek.addEventListener("input", function () { seek.dragging = true; });
  seek.addEventListener("change", function () { seek.dragging = false; jumpTo(parseFloat(seek.value)); });

  document.getElementById("speed").addEventListener("change", function (event) {
    var rate = parseFloat(event.target.value);
    video.defaultPlaybackRate = video.playbackRate = rate;
    setPref("playback_rate", rate);
  });

  var volume = document.getElementById("volume");
  volume.addEventListener("input", function () { video.volume = parseFloat(volume.value); video.muted = false; });
  video.addEventListener("volumechange", function () {
    q("[data-action=mute]").setAttribute("aria-pressed", video.muted ? "true" : "false");
    volume.value = video.muted ? 0 : video.volume;
  });

  var autoplayBox = document.getElementById("autoplay-next");
  if (autoplayBox) {
    autoplayBox.parentNode.hidden = false;
    autoplayBox.addEventListener("change", function () { setPref("autoplay_next", autoplayBox.checked); });
  }

  function switchMode(next) {
    var at = video.currentTime, playing = !video.paused;
    extendRun();
    closeRun();
    mode = next;
    var button = q("[data-action=sound-only]");
    if (button) { button.setAttribute("aria-pressed", mode === "audio" ? "true" : "false"); }
    document.getElementById("sound-only-card").hidden = mode !== "audio";
    q(".quality-control").hidden = true;
    load(at, playing || started);
  }

  // ------------------------------------------------------------ full screen

  function fullscreenElement() { return document.fullscreenElement || document.webkitFullscreenElement; }

  function toggleFullscreen() {
    if (fullscreenElement()) {
      (document.exitFullscreen || document.webkitExitFullscreen).call(document);
    } else if (root.requestFullscreen || root.webkitRequestFullscreen) {
      (root.requestFullscreen || root.webkitRequestFullscreen).call(root);
    } else if (video.webkitEnterFullscreen) {
      video.webkitEnterFullscreen();  // iPhone: only the video itself can fill the screen
    }
  }

  function onFullscreenChange() {
    var label = q("[data-action=fullscreen] .label");
    if (label) { label.textContent = fullscreenElement() ? T.exitFullscreen : T.fullscreen; }
  }
  document.addEventListener("fullscreenchange", onFullscreenChange);
  document.addEventListener("webkitfullscreenchange", onFullscreenChange);

  // ------------------------------------------------------------ captions, drawn by the page

  function activeTrack() {
    for (var i = 0; i < video.textTracks.length; i++) {
      if (video.textTracks[i].kind === "captions" || video.textTracks[i].kind === "subtitles") { return video.textTracks[i]; }
    }
    return null;
  }

  function drawCaptions() {
    var track = activeTrack(), lines = [];
    var cues = track && track.activeCues ? track.activeCues : [];
    for (var i = 0; i < cues.length; i++) {
      lines = lines.concat(cues[i].getCueAsHTML ? cues[i].getCueAsHTML().textContent.split("\n") : [cues[i].text]);
    }
    display.textContent = "";
    lines.forEach(function (line, index) {
      if (index) { display.appendChild(document.createElement("br")); }
      display.appendChild(document.createTextNode(line));
    });
    display.hidden = !prefs.captions_on || !lines.length;
  }

  function setUpCaptions() {
    var track = activeTrack();
    if (!track) { return; }
    track.mode = "hidden";  // the cues load and change, the browser draws nothing: the page does
    track.addEventListener("cuechange", drawCaptions);
  }

  function setCaptions(on) {
    var button = q("[data-action=captions]");
    if (!button) { return; }
    button.setAttribute("aria-pressed", on ? "true" : "false");
    setPref("captions_on", on);
    drawCaptions();
  }

  function showCaptionSize(size) {
    display.setAttribute("data-size", size);
    root.querySelectorAll("[data-caption-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-caption-size") === size ? "true" : "false");
    });
  }

  function setCaptionSize(size) {
    showCaptionSize(size);
    setPref("caption_size", size);
  }

  // ------------------------------------------------------------ keys

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target, tag = target.tagName;
    var typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
    var pressable = tag === "BUTTON" || tag === "A" || tag === "SUMMARY";
    // Only in the player, or with nothing else focused: elsewhere the keys keep their usual work.
    if (!root.contains(target) && target !== document.body && target !== document.documentElement) { return; }
    var key = event.key, handled = true;
    if ((key === " " || key === "Spacebar") && !typing && !pressable) { togglePlay(); }
    else if (key === "ArrowLeft" && !typing) { actions.back(); }
    else if (key === "ArrowRight" && !typing) { actions.forward(); }
    else if (key === "ArrowUp" && !typing) { video.volume = Math.min(1, video.volume + 0.1); }
    else if (key === "ArrowDown" && !typing) { video.volume = Math.max(0, video.volume - 0.1); }
    else if ((key === "c" || key === "C") && !typing) { actions.captions(); }
    else if ((key === "f" || key === "F") && !typing) { toggleFullscreen(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // ------------------------------------------------------------ resume offer, the end, next lesson

  var offer = document.getElementById("resume-offer");
  function hideOffer() { if (offer) { offer.hidden = true; } }
  if (offer) {
    offer.querySelector("[data-action=resume]").addEventListener("click", function () {
      hideOffer(); jumpTo(cfg.resumeAt); pendingSeek = cfg.resumeAt; start();
    });
    offer.querySelector("[data-action=restart]").addEventListener("click", function () {
      hideOffer(); jumpTo(0); pendingSeek = null; start();
    });
  }

  var countdownTimer = null;
  function stopCountdown() {
    window.clearInterval(countdownTimer);
    countdownTimer = null;
    var box = document.getElementById("countdown");
    if (box) { box.hidden = true; }
  }

  video.addEventListener("ended", function () {
    var end = document.getElementById("lesson-end");
    end.hidden = false;
    var next = document.getElementById("next-lesson");
    (next || end.querySelector("a, button")).focus();
    if (next && cfg.nextUrl && prefs.autoplay_next) { startCountdown(10); }
  });

  function startCountdown(seconds) {
    var box = document.getElementById("countdown"), text = box.querySelector(".countdown-text");
    box.hidden = false;
    text.textContent = fill(T.countdown, { n: seconds });
    countdownTimer = window.setInterval(function () {
      seconds -= 1;
      text.textContent = fill(T.countdown, { n: Math.max(0, seconds) });
      if (seconds <= 0) { stopCountdown(); window.location.href = cfg.nextUrl; }
    }, 1000);
  }

  // ------------------------------------------------------------ start

  video.removeAttribute("controls");
  controls.hidden = false;
  setUpCaptions();
  showCaptionSize(prefs.caption_size);
  load(0, false);
  if (cfg.autoplay) {
    hideOffer();
    pendingSeek = cfg.resumeAt || null;
    start();
  }
  flush();  // reports left from an earlier visit, without a network, or from another lesson
})();
