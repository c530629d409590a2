/* elearn.retry: what an answer means for what we send again. Pure decisions, no DOM; the progress
   reporter and the uploader act on them. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.retry = mod; }
})(this, function () {
  "use strict";

  //: Refusals that say "not now" rather than "never": timeout, too early, too many requests.
  var NOT_NOW = { 408: true, 425: true, 429: true };

  /* What to do with a progress report after the server's answer (``body`` is its JSON, or null):
     "stored"    2xx with our JSON: the server has it.
     "signedOut" 401: keep it for this user's next visit, stop reporting here.
     "csrf"      400 csrf_failed: the page's token expired; fetch a fresh one and send again.
     "refused"   any other 4xx in our own JSON error format: refused for good, so it is dropped.
                 Sending the same report again would get the same answer: 403 this account may no
                 longer record this lesson, 404 the lesson is gone, 409 it has no video any more,
                 400/422 the report is malformed, 413 it is too large.
     "transient" everything else (5xx, 408/425/429, answers that are not our JSON, such as a
                 proxy's error page or a captive portal's 200): nothing was stored, try again later. */
  function reportVerdict(status, body) {
    var ours = body !== null && typeof body === "object";
    if (status >= 200 && status < 300) { return ours ? "stored" : "transient"; }
    if (status === 401) { return "signedOut"; }
    if (status === 400 && ours && body.code === "csrf_failed") { return "csrf"; }
    if (status >= 400 && status < 500 && !NOT_NOW[status] && ours && typeof body.code === "string") { return "refused"; }
    return "transient";
  }

  //: Waits (ms) between tus-js-client's attempts after a dropped connection: quick first, then patient.
  var UPLOAD_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000];

  // An upload request that failed with ``status`` (0: no answer) is tried again by itself while the
  // browser believes it is online: no answer, a server error, or a conflict/lock on the offset.
  function uploadShouldRetry(status, online) {
    return online !== false && (status === 0 || status >= 500 || status === 409 || status === 423);
  }

  // A 4xx other than the offset conflict/lock is the server's "no" (too large, wrong kind, not allowed).
  function uploadRefused(status) {
    return status >= 400 && status < 500 && status !== 409 && status !== 423;
  }

  //: Signed media links refused again this soon after renewing them are not an expiry: give up.
  var RENEW_INTERVAL_MS = 20000;

  function mayRenewLinks(lastRenewal, now) { return now - lastRenewal >= RENEW_INTERVAL_MS; }

  return { reportVerdict: reportVerdict, UPLOAD_DELAYS: UPLOAD_DELAYS, uploadShouldRetry: uploadShouldRetry,
           uploadRefused: uploadRefused, mayRenewLinks: mayRenewLinks, RENEW_INTERVAL_MS: RENEW_INTERVAL_MS };
});
