/* elearn.playerControls: what the learner presses and sees around the lesson video. Big controls,
   keys (also a TV remote's arrows and OK), captions drawn by the page (so their size can be chosen),
   "sound only" through the audio-only rendition, full screen, the resume offer and the end of the
   lesson with the next one. For unsteady hands: a tap on the picture plays or pauses, a double press
   counts once (elearn.playerChoice.PressGuard), the rarer settings wait behind 更多设置. Works on
   the shared elearn.player.Player ``p``. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.playerControls = mod; }
})(this, function (elearn) {
  "use strict";

  var fill = elearn.text.fill, clock = elearn.text.clock, choice = elearn.playerChoice;
  var CAPTION_KEY = "elearn.captionLang";

  function remembered() {
    try { return window.localStorage.getItem(CAPTION_KEY); } catch (e) { return null; }
  }

  function remember(lang) {
    try { window.localStorage.setItem(CAPTION_KEY, lang); } catch (e) { /* private mode: this page only */ }
  }

  function fullscreenElement() { return document.fullscreenElement || document.webkitFullscreenElement; }

  function Controls(p) {
    this.p = p;
    this.seek = document.getElementById("seek");
    this.display = document.getElementById("captions-display");
    this.playButton = p.root.querySelector("[data-action=play]");
    this.offer = document.getElementById("resume-offer");
    this.countdownTimer = null;
    this.presses = new choice.PressGuard();
    this.trackIndex = -1;
    var self = this, video = p.video;
    this.actions = {
      play: function () { self.togglePlay(); },
      back: function () { self.jumpTo(video.currentTime - 15); },
      forward: function () { self.jumpTo(video.currentTime + 15); },
      mute: function () { video.muted = !video.muted; },
      captions: function () { self.setCaptions(!p.prefs.captions_on); },
      fullscreen: function () { self.toggleFullscreen(); },
      "sound-only": function () { self.switchMode(p.mode === "audio" ? "video" : "audio"); },
      replay: function () { p.q("#lesson-end").hidden = true; self.stopCountdown(); self.jumpTo(0); p.start(); },
      "cancel-next": function () { self.stopCountdown(); }
    };
  }

  // ------------------------------------------------------------ time, state, the play button

  Controls.prototype.showDuration = function () {
    var video = this.p.video;
    if (isFinite(video.duration)) {
      this.seek.max = Math.ceil(video.duration);
      document.getElementById("time-total").textContent = clock(video.duration);
    }
  };

  Controls.prototype.showTime = function () {
    var p = this.p, video = p.video, seek = this.seek;
    if (!seek.dragging) { seek.value = Math.floor(video.currentTime); }
    seek.setAttribute("aria-valuetext", fill(p.T.seekText, { current: clock(video.currentTime), total: clock(video.duration || p.cfg.video.duration) }));
    document.getElementById("time-current").textContent = clock(video.currentTime);
  };

  Controls.prototype.showState = function (state) {
    var watched = document.getElementById("watched");
    if (watched && state) {
      watched.textContent = state.completed ? watched.getAttribute("data-done") :
        fill(watched.getAttribute("data-share"), { percent: Math.floor(state.coverage * 100) });
    }
  };

  Controls.prototype.updatePlayButton = function () {
    var video = this.p.video, playing = !video.paused && !video.ended;
    this.playButton.querySelector(".label").textContent = playing ? this.p.T.pause : this.p.T.play;
    this.playButton.setAttribute("data-playing", playing ? "true" : "false");
  };

  Controls.prototype.togglePlay = function () {
    var p = this.p, video = p.video;
    if (!this.presses.accept(Date.now())) { return; }  // the second half of a double press
    this.hideOffer();
    if (video.paused) {
      if (!p.started && p.cfg.resumeAt && video.currentTime < 1) { p.pendingSeek = p.cfg.resumeAt; this.jumpTo(p.cfg.resumeAt); }
      p.start();
    } else {
      video.pause();
    }
  };

  Controls.prototype.jumpTo = function (seconds) {
    var p = this.p, video = p.video, end = video.duration || p.cfg.video.duration || 0;
    seconds = Math.max(0, end ? Math.min(seconds, end - 0.5) : seconds);
    if (video.readyState > 0) { video.currentTime = seconds; } else { p.pendingSeek = seconds; }
  };

  // Remembered on the account, so every device plays the same way.
  Controls.prototype.setPref = function (name, value) {
    var p = this.p;
    p.prefs[name] = value;
    if (!p.cfg.prefsUrl) { return; }
    var body = {};
    body[name] = value;
    window.fetch(p.cfg.prefsUrl, { method: "PATCH", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": p.csrf.value } }).catch(function () {});
  };

  Controls.prototype.switchMode = function (next) {
    var p = this.p, video = p.video, at = video.currentTime, playing = !video.paused;
    p.extendRun();
    p.closeRun();
    p.mode = next;
    p.root.setAttribute("data-mode", next);
    var button = p.q("[data-action=sound-only]");
    if (button) { button.setAttribute("aria-pressed", p.mode === "audio" ? "true" : "false"); }
    document.getElementById("sound-only-card").hidden = p.mode !== "audio";
    p.q(".quality-control").hidden = true;
    p.load(at, playing || p.started);
  };

  // ------------------------------------------------------------ full screen

  Controls.prototype.toggleFullscreen = function () {
    var root = this.p.root, video = this.p.video;
    if (fullscreenElement()) {
      (document.exitFullscreen || document.webkitExitFullscreen).call(document);
    } else if (root.requestFullscreen || root.webkitRequestFullscreen) {
      (root.requestFullscreen || root.webkitRequestFullscreen).call(root);
    } else if (video.webkitEnterFullscreen) {
      video.webkitEnterFullscreen();  // iPhone: only the video itself can fill the screen
    }
  };

  Controls.prototype.onFullscreenChange = function () {
    var label = this.p.q("[data-action=fullscreen] .label");
    if (label) { label.textContent = fullscreenElement() ? this.p.T.exitFullscreen : this.p.T.fullscreen; }
  };

  // ------------------------------------------------------------ captions, drawn by the page

  Controls.prototype.trackElements = function () { return this.p.video.querySelectorAll("track"); };

  Controls.prototype.activeTrack = function () {
    var track = this.trackElements()[this.trackIndex];
    return track ? track.track : null;
  };

  // One track loads its cues and changes them ("hidden": the page draws them); the others rest.
  Controls.prototype.chooseTrack = function (index) {
    var tracks = this.trackElements(), select = document.getElementById("caption-lang");
    this.trackIndex = index;
    for (var i = 0; i < tracks.length; i++) { tracks[i].track.mode = i === index ? "hidden" : "disabled"; }
    if (select) { select.value = String(index); }
    this.drawCaptions();
  };

  Controls.prototype.drawCaptions = function () {
    var display = this.display, track = this.activeTrack(), lines = [];
    var cues = track && track.activeCues ? track.activeCues : [];
    for (var i = 0; i < cues.length; i++) {
      lines = lines.concat(cues[i].getCueAsHTML ? cues[i].getCueAsHTML().textContent.split("\n") : [cues[i].text]);
    }
    display.textContent = "";
    lines.forEach(function (line, index) {
      if (index) { display.appendChild(document.createElement("br")); }
      display.appendChild(document.createTextNode(line));
    });
    display.hidden = !this.p.prefs.captions_on || !lines.length;
  };

  Controls.prototype.setCaptions = function (on) {
    var button = this.p.q("[data-action=captions]");
    if (!button) { return; }
    button.setAttribute("aria-pressed", on ? "true" : "false");
    this.setPref("captions_on", on);
    this.drawCaptions();
  };

  Controls.prototype.showCaptionSize = function (size) {
    this.display.setAttribute("data-size", size);
    this.p.root.querySelectorAll("[data-caption-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-caption-size") === size ? "true" : "false");
    });
  };

  Controls.prototype.setCaptionSize = function (size) {
    this.showCaptionSize(size);
    this.setPref("caption_size", size);
  };

  // ------------------------------------------------------------ keys

  Controls.prototype.onKey = function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var video = this.p.video, actions = this.actions, target = event.target, tag = target.tagName;
    var typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || target.isContentEditable;
    var pressable = tag === "BUTTON" || tag === "A" || tag === "SUMMARY";
    // Only in the player, or with nothing else focused: elsewhere the keys keep their usual work.
    if (!this.p.root.contains(target) && target !== document.body && target !== document.documentElement) { return; }
    var key = event.key, handled = true;
    if ((key === " " || key === "Spacebar") && !typing && !pressable) { this.togglePlay(); }
    else if (key === "ArrowLeft" && !typing) { actions.back(); }
    else if (key === "ArrowRight" && !typing) { actions.forward(); }
    else if (key === "ArrowUp" && !typing) { video.volume = Math.min(1, video.volume + 0.1); }
    else if (key === "ArrowDown" && !typing) { video.volume = Math.max(0, video.volume - 0.1); }
    else if ((key === "c" || key === "C") && !typing) { actions.captions(); }
    else if ((key === "f" || key === "F") && !typing) { this.toggleFullscreen(); }
    else { handled = false; }
    if (handled) {
      event.preventDefault();
      this.p.root.setAttribute("data-keys", "used");  // the keys hint shows from now on
    }
  };

  // ------------------------------------------------------------ resume offer, the end, next lesson

  Controls.prototype.hideOffer = function () { if (this.offer) { this.offer.hidden = true; } };

  Controls.prototype.stopCountdown = function () {
    window.clearInterval(this.countdownTimer);
    this.countdownTimer = null;
    var box = document.getElementById("countdown");
    if (box) { box.hidden = true; }
  };

  Controls.prototype.startCountdown = function (seconds) {
    var self = this, p = this.p, box = document.getElementById("countdown"), text = box.querySelector(".countdown-text");
    box.hidden = false;
    text.textContent = fill(p.T.countdown, { n: seconds });
    this.countdownTimer = window.setInterval(function () {
      seconds -= 1;
      text.textContent = fill(p.T.countdown, { n: Math.max(0, seconds) });
      if (seconds <= 0) { self.stopCountdown(); window.location.href = p.cfg.nextUrl; }
    }, 1000);
  };

  Controls.prototype.onEnded = function () {
    var p = this.p, end = document.getElementById("lesson-end");
    end.hidden = false;
    var next = document.getElementById("next-lesson");
    (next || end.querySelector("a, button")).focus();
    if (next && p.cfg.nextUrl && p.prefs.autoplay_next) { this.startCountdown(10); }
  };

  // ------------------------------------------------------------ wiring

  Controls.prototype.listen = function () {
    var self = this, p = this.p, video = p.video, seek = this.seek;
    p.root.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (button && self.actions[button.getAttribute("data-action")]) { self.actions[button.getAttribute("data-action")](); }
      var size = event.target.closest("[data-caption-size]");
      if (size) { self.setCaptionSize(size.getAttribute("data-caption-size")); }
    });
    document.getElementById("quality").addEventListener("change", function (event) {
      if (p.hls) { p.hls.currentLevel = parseInt(event.target.value, 10); }
    });
    seek.addEventListener("input", function () { seek.dragging = true; });
    seek.addEventListener("change", function () { seek.dragging = false; self.jumpTo(parseFloat(seek.value)); });
    document.getElementById("speed").addEventListener("change", function (event) {
      var rate = parseFloat(event.target.value);
      video.defaultPlaybackRate = video.playbackRate = rate;
      self.setPref("playback_rate", rate);
    });
    var volume = document.getElementById("volume");
    volume.addEventListener("input", function () { video.volume = parseFloat(volume.value); video.muted = false; });
    video.addEventListener("volumechange", function () {
      p.q("[data-action=mute]").setAttribute("aria-pressed", video.muted ? "true" : "false");
      volume.value = video.muted ? 0 : video.volume;
    });
    var autoplayBox = document.getElementById("autoplay-next");
    if (autoplayBox) {
      autoplayBox.parentNode.hidden = false;
      autoplayBox.addEventListener("change", function () { self.setPref("autoplay_next", autoplayBox.checked); });
    }
    document.addEventListener("fullscreenchange", function () { self.onFullscreenChange(); });
    document.addEventListener("webkitfullscreenchange", function () { self.onFullscreenChange(); });
    document.addEventListener("keydown", function (event) { self.onKey(event); });
    if (this.offer) {
      this.offer.querySelector("[data-action=resume]").addEventListener("click", function () {
        self.hideOffer(); self.jumpTo(p.cfg.resumeAt); p.pendingSeek = p.cfg.resumeAt; p.start();
      });
      this.offer.querySelector("[data-action=restart]").addEventListener("click", function () {
        self.hideOffer(); self.jumpTo(0); p.pendingSeek = null; p.start();
      });
    }
    video.addEventListener("ended", function () { self.onEnded(); });
    this.listenMore();
  };

  // The browser loads and changes the cues but draws nothing ("hidden"): the page draws them.
  Controls.prototype.setUp = function () {
    var self = this, tracks = this.trackElements(), langs = [];
    for (var i = 0; i < tracks.length; i++) {
      langs.push(tracks[i].getAttribute("srclang"));
      tracks[i].track.addEventListener("cuechange", function (event) {
        if (event.target === self.activeTrack()) { self.drawCaptions(); }
      });
    }
    this.chooseTrack(choice.pickTrack(langs, remembered(), document.documentElement.lang));
    this.showCaptionSize(this.p.prefs.caption_size);
    this.p.root.setAttribute("data-mode", this.p.mode);
  };

  // The picture takes the video's own shape (a phone's portrait recording fills the width).
  Controls.prototype.fitPicture = function () {
    var video = this.p.video;
    if (video.videoWidth && video.videoHeight) { video.style.aspectRatio = video.videoWidth + " / " + video.videoHeight; }
  };

  Controls.prototype.listenMore = function () {
    var self = this, p = this.p, toggle = document.getElementById("more-toggle"), more = document.getElementById("more-settings");
    toggle.addEventListener("click", function () {
      more.hidden = !more.hidden;
      toggle.setAttribute("aria-expanded", more.hidden ? "false" : "true");
    });
    var select = document.getElementById("caption-lang");
    if (select) {
      select.addEventListener("change", function () {
        var index = parseInt(select.value, 10);
        self.chooseTrack(index);
        remember(self.trackElements()[index].getAttribute("srclang"));
      });
    }
    // A tap or click on the picture (or the sound-only card over it) plays and pauses.
    p.q(".player-stage").addEventListener("click", function () { self.togglePlay(); });
    p.video.addEventListener("loadedmetadata", function () { self.fitPicture(); });
  };

  return { Controls: Controls };
});
