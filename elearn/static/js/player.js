/* elearn.player: the lesson player. hls.js where Media Source Extensions exist, the browser's own
   HLS elsewhere (Safari, TVs), the MP4 download as the last resort; resume, and honest progress:
   the intervals actually played (elearn.intervals) go to the server every 10 s, on pause and when
   the page is hidden (sendBeacon); reports that cannot be sent wait in localStorage under the
   user's id (elearn.progressQueue) and go when the network is back (elearn.progress). The controls,
   keys, captions and the end of the lesson are in player-controls.js. Everything it says comes,
   translated, in the data-config of #player (no inline script under the CSP).
   Needs, loaded before it: text.js, intervals.js, http.js, retry.js, progress-queue.js,
   progress.js, player-controls.js. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.player = mod; }
})(this, function (elearn) {
  "use strict";

  function isPlaylist(url) { return /\.m3u8(\?|$)/.test(url || ""); }

  function errorText(T, status, network) {
    if (navigator.onLine === false) { return T.offline; }
    if (status === 404) { return T.missing; }
    return network ? T.network : T.broken;
  }

  function storageOrNull() {
    try { return window.localStorage; } catch (e) { return null; }  // access itself may throw
  }

  // Everything the player and its controls share: the elements, the settings, the state.
  function Player(root) {
    var cfg = JSON.parse(root.getAttribute("data-config"));
    var csrfMeta = document.querySelector('meta[name="csrf-token"]');
    this.root = root;
    this.cfg = cfg;
    this.T = cfg.text;
    this.prefs = cfg.preferences;
    this.video = document.getElementById("lesson-video");
    this.message = document.getElementById("player-message");
    this.statusLine = document.getElementById("player-status");
    this.audioAsset = cfg.video.kind === "audio";
    this.mode = this.audioAsset ? "audio" : "video";
    this.hls = null;
    this.started = false;       // the first play of this page has happened
    this.pendingSeek = null;
    this.lastRefresh = -Infinity;
    this.loadErrors = 0;        // network failures since the last segment that loaded
    this.recorder = new elearn.intervals.Recorder();
    this.lastPosition = null;
    this.beatTimer = null;
    this.viewing = null;        // the server's viewing of this playing: every report carries it
    this.askingViewing = false;
    this.csrf = new elearn.http.CsrfToken(csrfMeta ? csrfMeta.getAttribute("content") : "", cfg.csrfUrl);
    this.reporter = cfg.userId ? this.makeReporter() : null;
  }

  Player.prototype.q = function (selector) { return this.root.querySelector(selector); };
  Player.prototype.say = function (text) { this.statusLine.textContent = text || ""; };

  // ------------------------------------------------------------ sources and engines

  Player.prototype.sourceFor = function (which) {
    var v = this.cfg.video;
    // hls.js ignores audio-only variants in a master playlist: sound only plays the audio playlist itself.
    if (which === "audio") { return v.audio_url || (this.audioAsset ? v.hls_url : null) || v.mp4_url; }
    return v.hls_url || v.mp4_url;
  };

  Player.prototype.teardown = function () {
    var video = this.video;
    if (this.hls) { this.hls.destroy(); this.hls = null; }
    video.removeAttribute("src");
    while (video.querySelector("source")) { video.removeChild(video.querySelector("source")); }
  };

  Player.prototype.load = function (at, play) {
    var self = this, video = this.video, src = this.sourceFor(this.mode), Hls = window.Hls;
    this.pendingSeek = at > 0 ? at : null;  // before teardown: a "pause" it causes must not report 0:00
    this.teardown();
    if (isPlaylist(src) && Hls && Hls.isSupported()) {
      var hls = this.hls = new Hls({ autoStartLoad: false, capLevelToPlayerSize: true, startPosition: at > 0 ? at : -1 });
      hls.on(Hls.Events.ERROR, function (event, data) { self.onHlsError(data); });
      hls.on(Hls.Events.MANIFEST_PARSED, function (event, data) { self.onManifest(data); });
      hls.on(Hls.Events.FRAG_LOADED, function () { self.loadErrors = 0; });
      hls.loadSource(src);
      hls.attachMedia(video);
      this.root.setAttribute("data-engine", "hls.js");
    } else if (isPlaylist(src) && video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      this.root.setAttribute("data-engine", "native");
    } else if (this.cfg.video.mp4_url) {
      video.src = this.cfg.video.mp4_url;
      this.root.setAttribute("data-engine", "mp4");
    }
    video.defaultPlaybackRate = this.prefs.playback_rate;
    video.playbackRate = this.prefs.playback_rate;
    if (play) { this.start(); }
  };

  Player.prototype.start = function () {
    var self = this;
    if (this.hls && !this.hls.started) { this.hls.started = true; this.hls.startLoad(this.pendingSeek || -1); }
    var promise = this.video.play();
    if (promise && promise.catch) {
      promise.catch(function () { self.controls.updatePlayButton(); });  // autoplay refused: the big button waits
    }
  };

  Player.prototype.onManifest = function (data) {
    var select = document.getElementById("quality");
    while (select.options.length > 1) { select.remove(1); }
    (data.levels || []).forEach(function (level, index) {
      if (level.height) { select.add(new Option(level.height + "p", String(index))); }
    });
    this.q(".quality-control").hidden = this.mode === "audio" || select.options.length < 3;
  };

  // ------------------------------------------------------------ errors, expired links, retry

  Player.prototype.showError = function (text) {
    this.message.querySelector(".player-message-text").textContent = text;
    this.message.hidden = false;
    this.root.setAttribute("data-error", text);
  };

  Player.prototype.hideError = function () {
    this.message.hidden = true;
    this.root.removeAttribute("data-error");
  };

  Player.prototype.onHlsError = function (data) {
    var Hls = window.Hls, hls = this.hls, code = data.response && data.response.code;
    if (code === 403) { this.renewLinks(); return; }  // the signed URLs expired: fresh ones, same place
    if (!data.fatal) {
      // hls.js keeps retrying some failures (a segment it cannot fetch, the network gone): once the
      // picture has nothing left to play, say so plainly instead of showing a frozen picture.
      if (data.type === Hls.ErrorTypes.NETWORK_ERROR && ++this.loadErrors >= 3 && this.video.readyState < 3) {
        hls.stopLoad();
        hls.started = false;
        this.showError(errorText(this.T, code, true));
      }
      return;
    }
    if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !hls.recovered) {
      hls.recovered = true;
      hls.recoverMediaError();
      return;
    }
    hls.stopLoad();
    this.showError(errorText(this.T, code, data.type === Hls.ErrorTypes.NETWORK_ERROR));
  };

  Player.prototype.fetchPlayback = function () {
    var self = this, cfg = this.cfg;
    // Renewing the links mid-playing: the server keeps this playing's viewing instead of starting another.
    var url = this.viewing ? cfg.playbackUrl + (cfg.playbackUrl.indexOf("?") < 0 ? "?" : "&") +
      "viewing=" + encodeURIComponent(this.viewing) : cfg.playbackUrl;
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(elearn.http.readJson)
      .then(function (answer) {
        if (!answer.ok || !answer.body) { throw new Error("playback " + answer.status); }
        if (answer.body.video) { cfg.video = answer.body.video; }
        if (answer.body.viewing && !self.viewing) { self.viewing = answer.body.viewing; }  // the first one stays
        return answer.body;
      });
  };

  Player.prototype.renewLinks = function () {
    var now = Date.now();
    if (!elearn.retry.mayRenewLinks(this.lastRefresh, now)) { this.showError(this.T.broken); return; }  // fresh links were refused too
    this.lastRefresh = now;
    this.reload(!this.video.paused);
  };

  // Fresh signed URLs, then the same second again (playing if ``play``).
  Player.prototype.reload = function (play) {
    var self = this, at = this.video.currentTime || this.pendingSeek || 0;
    return this.fetchPlayback().then(function () {
      self.hideError();
      self.load(at, play);
    }, function () {
      self.showError(errorText(self.T, null, true));
    });
  };

  // ------------------------------------------------------------ what was played, and the reports

  Player.prototype.openRun = function () { this.recorder.open(this.video.currentTime, Date.now()); };
  Player.prototype.extendRun = function () { this.recorder.extend(this.video.currentTime, Date.now(), this.video.playbackRate); };
  Player.prototype.closeRun = function () { this.recorder.close(); };

  Player.prototype.makeReporter = function () {
    var self = this, cfg = this.cfg;
    var queue = new elearn.progressQueue.ProgressQueue(storageOrNull(), elearn.progressQueue.keyFor(cfg.userId));
    return new elearn.progress.Reporter({
      queue: queue,
      csrf: this.csrf,
      url: function (lessonId) {
        return cfg.progressUrl.replace("/lessons/" + cfg.lessonId + "/", "/lessons/" + lessonId + "/");
      },
      fetch: function (url, options) { return window.fetch(url, options); },
      sendBeacon: navigator.sendBeacon ? function (url, body) { return navigator.sendBeacon(url, body); } : null,
      on: {
        stored: function (state) { self.controls.showState(state); self.say(""); },
        offline: function () { self.say(self.T.savedHere); },
        signedOut: function () { self.stopBeats(); }
      }
    });
  };

  Player.prototype.reporting = function () { return !!(this.reporter && this.reporter.active && this.started); };
  Player.prototype.position = function () { return this.pendingSeek !== null ? this.pendingSeek : this.video.currentTime; };

  // What was played since the last report, added to this lesson's report waiting to be sent.
  // Returns false when there is nothing new to say.
  Player.prototype.takeReport = function () {
    var playing = this.recorder.isOpen();
    if (playing) { this.extendRun(); this.closeRun(); }
    if (playing && !this.video.paused) { this.openRun(); }
    var played = this.recorder.take();
    if (!played.length && this.lastPosition !== null && Math.abs(this.position() - this.lastPosition) < 0.5) { return false; }
    this.lastPosition = this.position();
    this.reporter.queue.add(this.cfg.lessonId, played, this.lastPosition, this.viewing);
    return true;
  };

  // The server credits a report by the clock of its viewing, which GET playback starts: asked at the
  // first play (and again at a beat while it could not be had). Until it comes, what is played
  // waits in the recorder: a report without a viewing would be credited nothing.
  Player.prototype.startViewing = function () {
    var self = this;
    if (this.viewing || this.askingViewing) { return; }
    this.askingViewing = true;
    this.fetchPlayback().then(function () {
      self.askingViewing = false;
      if (self.viewing) { self.report(); }
    }, function () { self.askingViewing = false; });
  };

  Player.prototype.report = function () {
    if (!this.reporting()) { return; }  // opening the page and leaving changes nothing
    if (!this.viewing) { this.startViewing(); return; }
    this.takeReport();
    this.reporter.flush();
  };

  Player.prototype.flush = function () { if (this.reporter) { this.reporter.flush(); } };

  Player.prototype.beacon = function () {
    if (!this.reporting()) { return; }
    if (this.viewing) { this.takeReport(); }
    this.reporter.beacon(this.cfg.lessonId);
  };

  Player.prototype.startBeats = function () {
    var self = this;
    if (!this.beatTimer && this.reporter && this.reporter.active) {
      this.beatTimer = window.setInterval(function () { self.report(); }, this.cfg.heartbeatSeconds * 1000);
    }
  };

  Player.prototype.stopBeats = function () { window.clearInterval(this.beatTimer); this.beatTimer = null; };

  // ------------------------------------------------------------ events of the video and the page

  Player.prototype.listen = function () {
    var self = this, video = this.video;
    video.addEventListener("loadedmetadata", function () {
      if (self.pendingSeek !== null && Math.abs(video.currentTime - self.pendingSeek) > 1) { video.currentTime = self.pendingSeek; }
      self.pendingSeek = null;
      video.playbackRate = self.prefs.playback_rate;
      self.controls.showDuration();
    });
    video.addEventListener("error", function () {
      if (self.root.getAttribute("data-engine") === "hls.js") { return; }  // hls.js reports its own errors
      self.showError(errorText(self.T, null, true));
    });
    this.q("[data-action=retry]").addEventListener("click", function () { self.hideError(); self.reload(true); });
    video.addEventListener("playing", function () { self.hideError(); });
    video.addEventListener("timeupdate", function () {
      if (!video.paused && !video.seeking) { self.extendRun(); }
      self.controls.showTime();
    });
    video.addEventListener("seeking", function () { self.closeRun(); });
    video.addEventListener("seeked", function () { if (!video.paused) { self.openRun(); } });
    video.addEventListener("playing", function () {
      if (!self.recorder.isOpen()) { self.openRun(); }
      if (!self.started) { self.started = true; self.report(); }  // the first report asks for the viewing
      self.startBeats();
      self.controls.updatePlayButton();
    });
    video.addEventListener("pause", function () {
      self.extendRun();
      self.closeRun();
      self.stopBeats();
      self.report();
      self.controls.updatePlayButton();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { self.beacon(); } else { self.flush(); }
    });
    window.addEventListener("pagehide", function () { self.beacon(); });
    window.addEventListener("online", function () { self.flush(); });
  };

  Player.prototype.begin = function () {
    this.controls = new elearn.playerControls.Controls(this);
    this.listen();
    this.controls.listen();
    this.video.removeAttribute("controls");
    document.getElementById("player-controls").hidden = false;
    this.controls.setUp();
    this.load(0, false);
    if (this.cfg.autoplay) {
      this.controls.hideOffer();
      this.pendingSeek = this.cfg.resumeAt || null;
      this.start();
    }
    this.flush();  // reports left from an earlier visit, without a network, or from another lesson
  };

  if (typeof document === "object" && document.getElementById("player")) {
    new Player(document.getElementById("player")).begin();
  }

  return { Player: Player };
});
