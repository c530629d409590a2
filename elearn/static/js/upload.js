/* elearn.uploads: the teacher's resumable uploader (tus 1.0 via tus-js-client) on the lesson edit
   page. Everything it says comes from data- attributes on [data-upload-panel], already translated.
   Files go one at a time (elearn.uploadQueue); each can be paused and continued, retries by itself
   after a dropped connection (elearn.retry), and continues after a page reload when the same file
   is chosen again (tus-js-client keeps the upload URL under a fingerprint). After an upload, the
   video's preparation is followed from its asset endpoint (elearn.assetWatch) while it is queued
   or being prepared: a large bar with percent and time left, and for a failure the reason and
   「重试」 (sent to the API; the form posts normally without it); once ready, it becomes what learners
   get now, with a player to check it (elearn.uploadShown), and a new handout joins the list.
   Nothing asks before the page is left (no pop-ups): the panel says that leaving pauses an upload.
   Needs, loaded before it: text.js, http.js, retry.js, upload-text.js, upload-queue.js, asset-watch.js,
   upload-shown.js. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.uploads = mod; }
})(this, function (elearn) {
  "use strict";

  var panel = typeof document === "object" ? document.querySelector("[data-upload-panel]") : null;
  if (!panel) { return {}; }

  var fill = elearn.text.fill, words = elearn.uploadText, retry = elearn.retry, readJson = elearn.http.readJson;
  var data = panel.dataset;
  var queueList = panel.querySelector("[data-upload-queue]");
  var template = panel.querySelector("[data-upload-item]");
  var kindNames = panel.querySelector("[data-kind-names]").dataset;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var queue = new elearn.uploadQueue.UploadQueue(function (item) { item.fail(); });

  function msg(name) { return data["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || ""; }
  function getJson(url) {
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(readJson);
  }

  // Without tus (or Promise) there is no uploading, but a video being prepared is still followed.
  var uploadsSupported = !!(window.tus && window.tus.isSupported && window.Promise);
  if (!uploadsSupported) {
    var warning = panel.querySelector("[data-upload-unsupported]");
    warning.textContent = msg("unsupported");
    warning.hidden = false;
    panel.querySelector("[data-upload-pickers]").hidden = true;
  }

  function errorMessage(err) {
    var response = err && err.originalResponse;
    if (response) {
      try {
        var body = JSON.parse(response.getBody());
        if (body && body.message) { return body.message; }
      } catch (ignored) { /* not our JSON: fall through */ }
    }
    return msg("error");
  }

  function statusOf(err) {
    return err && err.originalResponse ? err.originalResponse.getStatus() : 0;
  }

  // ------------------------------------------------------------ one file in the queue

  function Item(file, kind, lang) {
    this.file = file;
    this.kind = kind;
    this.lang = lang;
    this.state = "waiting";
    this.samples = [];
    this.resumed = false;
    this.el = template.content.firstElementChild.cloneNode(true);
    this.el.querySelector("[data-name]").textContent = file.name;
    this.el.querySelector("[data-kind-label]").textContent = "(" + words.kindName(kind, file, kindNames) + ")";
    this.progress = this.el.querySelector("[data-progress]");
    this.stateEl = this.el.querySelector("[data-state]");
    this.pauseButton = this.el.querySelector("[data-pause]");
    this.resumeButton = this.el.querySelector("[data-resume]");
    this.cancelButton = this.el.querySelector("[data-cancel]");
    this.progress.setAttribute("aria-label", file.name);
    var self = this;
    this.pauseButton.addEventListener("click", function () { self.pause(); });
    this.resumeButton.addEventListener("click", function () { self.resume(); });
    this.cancelButton.addEventListener("click", function () { self.cancel(); });
    this.setState("waiting", msg("waiting"));
  }

  Item.prototype.setState = function (state, text) {
    this.state = state;
    this.el.setAttribute("data-upload-state", state);
    if (text !== undefined) { this.stateEl.textContent = text; }
    var active = state === "uploading" || state === "retrying" || state === "starting";
    this.pauseButton.hidden = !active;
    this.resumeButton.hidden = !(state === "paused" || state === "offline");
    this.cancelButton.hidden = state === "done" || state === "refused" || state === "cancelled" || state === "finishing";
  };

  Item.prototype.fingerprint = function (file) {
    // The lesson and purpose are part of the key: the same file for another lesson is a new upload.
    return Promise.resolve(["elearn-upload", data.targetId || data.lessonId, this.kind, this.lang || "", file.name, file.type,
                            file.size, file.lastModified].join("/"));
  };

  Item.prototype.start = function () {
    var self = this;
    if (this.file.size > parseInt(data.maxBytes, 10)) {
      this.setState("refused", msg("tooLarge"));
      return Promise.resolve();
    }
    this.setState("starting", msg("starting"));
    var metadata = { filename: this.file.name, filetype: this.file.type || "", kind: this.kind };
    // What the file is for: a lesson here, or another object a panel names (data-target-field/-id).
    metadata[data.targetField || "lesson_id"] = data.targetId || data.lessonId;
    if (this.lang) { metadata.lang = this.lang; }
    this.upload = new window.tus.Upload(this.file, {
      endpoint: data.uploadsUrl,
      chunkSize: parseInt(data.chunkSize, 10),
      retryDelays: retry.UPLOAD_DELAYS,
      headers: { "X-CSRFToken": csrf },
      metadata: metadata,
      fingerprint: function (file) { return self.fingerprint(file); },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) { self.onProgress(sent, total); },
      onShouldRetry: function (err) { return self.shouldRetry(err); },
      onSuccess: function () { self.onSuccess(); },
      onError: function (err) { self.onError(err); }
    });
    this.done = new Promise(function (resolve) { self.finish = resolve; });
    return this.upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        self.upload.resumeFromPreviousUpload(previous[0]);
        self.resumed = true;
      }
      self.upload.start();
      return self.done;
    });
  };

  // It could not even start (the browser refused to read the file, its storage failed...): say so
  // plainly; the queue goes on with the next file.
  Item.prototype.fail = function () {
    if (this.upload) { try { this.upload.abort(); } catch (ignored) { /* never started */ } }
    this.setState("refused", msg("error"));
    if (this.finish) { this.finish(); }
  };

  Item.prototype.onProgress = function (sent, total) {
    var now = Date.now();
    var percent = total ? Math.floor(sent * 100 / total) : 0;
    this.progress.value = percent;
    this.el.querySelector("[data-percent]").textContent = fill(msg("percent"), { percent: percent });
    if (this.state !== "uploading") {
      this.setState("uploading", this.resumed && !this.samples.length && sent > 0 ? msg("resumed") : msg("uploading"));
    }
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 10000) { this.samples.shift(); }
    if (now - (this.shownAt || 0) < 1000 && sent < total) { return; }
    this.shownAt = now;
    var first = this.samples[0];
    var seconds = (now - first[0]) / 1000;
    var speed = seconds > 0.5 ? (sent - first[1]) / seconds : 0;
    this.el.querySelector("[data-speed]").textContent = speed > 0 ? "· " + words.speed(speed, msg) : "";
    this.el.querySelector("[data-eta]").textContent = sent >= total ? "" :
      "· " + words.eta(speed > 0 ? (total - sent) / speed : Infinity, msg);
    if (sent >= total) { this.setState("finishing", msg("finishing")); }
  };

  Item.prototype.shouldRetry = function (err) {
    var again = retry.uploadShouldRetry(statusOf(err), navigator.onLine);
    if (again) { this.setState("retrying", msg("retrying")); }
    return again;
  };

  Item.prototype.pause = function () {
    if (!this.upload) { return; }
    this.upload.abort();
    this.setState("paused", msg("paused"));
  };

  Item.prototype.resume = function () {
    if (!this.upload) { return; }
    this.samples = [];
    this.setState("starting", msg("starting"));
    this.upload.start();
  };

  Item.prototype.cancel = function () {
    // abort(true) also terminates the upload on the server (tus DELETE), so its bytes are freed.
    if (this.upload) { this.upload.abort(true).catch(function () { /* already gone */ }); }
    this.setState("cancelled", msg("cancelled"));
    if (this.finish) { this.finish(); }
    this.el.querySelector("[data-speed]").textContent = "";
    this.el.querySelector("[data-eta]").textContent = "";
  };

  Item.prototype.onError = function (err) {
    if (retry.uploadRefused(statusOf(err))) {
      this.setState("refused", errorMessage(err));
      this.finish();
    } else {
      this.setState("offline", msg("offline"));  // the queue waits for "Continue" or the network to return
    }
  };

  Item.prototype.onSuccess = function () {
    var self = this;
    this.progress.value = 100;
    this.el.querySelector("[data-speed]").textContent = "";
    this.el.querySelector("[data-eta]").textContent = "";
    this.setState("finishing", msg("finishing"));
    getJson(this.upload.url)
      .then(function (answer) {
        if (!answer.body) { throw new Error("upload result " + answer.status); }
        self.showResult(answer.body);
      })
      .catch(function () { self.setState("done", msg("finishing")); })
      .then(function () { self.finish(); });
  };

  Item.prototype.showResult = function (result) {
    if (result.state === "refused") {
      this.setState("refused", result.error || msg("error"));
    } else if (this.kind === "video" && result.asset) {
      this.stateEl.setAttribute("data-asset-status", result.asset.id);
      this.setState("done", words.assetStatus(result.asset, data));
      placeAssetBlock(result.asset);
      watcher.watch(result.asset);
    } else if (result.caption && result.caption.status === "failed") {
      this.setState("refused", fill(data.statusFailed, { error: result.caption.error || data.statusUnknown }));
    } else if (this.kind === "handout" || this.kind === "activity") {
      // A branch activity's attachment joins its list as a handout joins the lesson's.
      elearn.uploadShown.addHandout(panel, result.handout || result.attachment);
      this.setState("done", msg("handoutDone"));
    } else {
      this.setState("done", msg("captionDone"));
    }
  };

  function add(file, kind, lang) {
    var item = new Item(file, kind, lang);
    queueList.appendChild(item.el);
    panel.querySelector("[data-upload-queue-heading]").hidden = false;
    queue.add(item);
  }

  if (uploadsSupported) {
    panel.querySelectorAll("input[type=file][data-kind]").forEach(function (input) {
      input.addEventListener("change", function () {
        var kind = input.getAttribute("data-kind");
        var lang = kind === "caption" ? panel.querySelector("[data-caption-lang]").value : "";
        Array.prototype.forEach.call(input.files, function (file) { add(file, kind, lang); });
        input.value = "";  // choosing the same file again (after a reload, say) must fire "change" again
      });
    });
  }

  // Back online: carry on with whatever stopped for lack of a connection.
  window.addEventListener("online", function () {
    queue.items.forEach(function (item) { if (item.state === "offline") { item.resume(); } });
  });

  // ------------------------------------------------------------ processing state after upload

  function assetUrl(pattern, assetId) {
    return pattern.replace(/\/0(\/retry)?$/, "/" + assetId + "$1");
  }

  var watcher = new elearn.assetWatch.AssetWatch({
    url: function (assetId) { return assetUrl(data.assetApiUrl, assetId); },
    fetch: function (url, options) { return window.fetch(url, options); },
    hidden: function () { return document.hidden === true; },
    setTimeout: function (run, ms) { return window.setTimeout(run, ms); },
    clearTimeout: function (timer) { window.clearTimeout(timer); },
    on: {
      asset: function (asset) { showAsset(asset); },
      settled: function (asset) {
        if (asset.status === "failed") { showFailure(asset); }
        if (asset.status === "ready") { elearn.uploadShown.showReady(panel, asset); }
      }
    }
  });
  document.addEventListener("visibilitychange", function () { watcher.visibility(); });

  // The status line (announced), the bar, percent and time left, wherever this asset is shown.
  function showAsset(asset) {
    var status = words.assetStatus(asset, data);
    panel.querySelectorAll('[data-asset-status="' + asset.id + '"]').forEach(function (el) {
      if (el.textContent !== status) { el.textContent = status; }
      el.setAttribute("data-asset-state", asset.status);
    });
    var block = panel.querySelector('[data-asset="' + asset.id + '"]');
    if (!block) { return; }
    var percent = Math.round(asset.progress || 0);
    block.setAttribute("data-asset-state", asset.status);
    block.querySelector("[data-asset-running]").hidden = asset.status !== "processing";
    block.querySelector("[data-asset-progress]").value = asset.progress || 0;
    block.querySelector("[data-asset-progress]").textContent = percent + "%";
    block.querySelector("[data-asset-percent]").textContent = fill(msg("donePercent"), { percent: percent });
    block.querySelector("[data-asset-eta]").textContent =
      words.eta(asset.eta_seconds === null || asset.eta_seconds === undefined ? Infinity : asset.eta_seconds, msg);
    block.querySelector("[data-asset-failure]").hidden = asset.status !== "failed";
  }

  // A failure: whether 「重试」 applies, and ffmpeg's detail for admins, come from the asset endpoint.
  function loadFailure(assetId) {
    getJson(assetUrl(data.assetApiUrl, assetId))
      .then(function (answer) { if (answer.ok && answer.body) { showFailure(answer.body); } })
      .catch(function () { /* the reason is shown already; reloading shows the rest */ });
  }

  function showFailure(asset) {
    var block = panel.querySelector('[data-asset="' + asset.id + '"]');
    if (!block) { return; }
    block.querySelector("[data-asset-retry]").hidden = !asset.retryable;
    block.querySelector("[data-asset-reupload]").hidden = !!asset.retryable;
    block.querySelector("[data-asset-detail]").hidden = !asset.error_detail;
    block.querySelector("[data-asset-detail-text]").textContent = asset.error_detail || "";
  }

  // A video that has just been uploaded replaces whatever was shown as the newest upload.
  function placeAssetBlock(asset) {
    var area = panel.querySelector("[data-pending-area]");
    var blockTemplate = panel.querySelector("[data-asset-template]");
    if (!area || !blockTemplate) { return; }
    var block = blockTemplate.content.querySelector("[data-asset]").cloneNode(true);
    block.id = "asset-" + asset.id;
    block.setAttribute("data-asset", asset.id);
    block.querySelector("[data-asset-status]").setAttribute("data-asset-status", asset.id);
    block.querySelector("[data-asset-retry]").setAttribute("action", assetUrl(data.retryUrl, asset.id));
    block.querySelector("[data-asset-remove]").setAttribute("href", elearn.uploadShown.withId(data.removeUrl, asset.id));
    var shown = area.querySelector("[data-asset]");
    if (shown) {
      watcher.stop(parseInt(shown.getAttribute("data-asset"), 10));
      area.replaceChild(block, shown);
    } else {
      area.insertBefore(block, area.firstChild);
    }
    showAsset(asset);
    if (asset.status === "failed") { loadFailure(asset.id); }
  }

  // 「重试」 through the API, so uploads going on in this page are not interrupted by a reload.
  panel.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-asset-retry]");
    if (!form || !window.fetch) { return; }
    event.preventDefault();
    var block = form.closest("[data-asset]");
    var assetId = parseInt(block.getAttribute("data-asset"), 10);
    var button = form.querySelector("button");
    button.disabled = true;
    window.fetch(assetUrl(data.assetApiUrl, assetId) + "/retry", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(readJson).then(function (answer) {
      if (!answer.body) { throw new Error("retry " + answer.status); }  // not the API answering
      button.disabled = false;
      if (!answer.ok) {
        block.querySelector("[data-asset-status]").textContent = answer.body.message || msg("retryFailed");
        return;
      }
      showAsset(answer.body);
      watcher.watch(answer.body);
    }).catch(function () {
      button.disabled = false;
      form.submit();  // no answer from the API: the plain form does the same, with a page reload
    });
  });

  // A video still being prepared when the page opened: keep its status line and bar current.
  panel.querySelectorAll("[data-asset-status]").forEach(function (el) {
    watcher.watch({ id: parseInt(el.getAttribute("data-asset-status"), 10), status: el.getAttribute("data-asset-state") });
  });

  return { Item: Item, queue: queue, watcher: watcher };
});
