/* elearn.http: reading answers without trusting them, and the CSRF token a session caller sends.
   A proxy, a captive portal or a server in trouble may answer with an HTML page where JSON was
   expected: readJson never rejects on that, it gives ``body: null`` and lets the caller decide. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.http = mod; }
})(this, function () {
  "use strict";

  // A fetch Response -> Promise of {status, ok, body}; body is null when it is not JSON.
  function readJson(response) {
    var parsed;
    try { parsed = Promise.resolve(response.json()); } catch (err) { parsed = Promise.reject(err); }
    return parsed.then(function (body) { return body; }, function () { return null; })
      .then(function (body) { return { status: response.status, ok: !!response.ok, body: body }; });
  }

  // The page's CSRF token, renewed from ``url`` (GET /api/v1/auth/csrf) when the server says it
  // has expired: signed in again in another tab, or a new session after the browser was closed.
  function CsrfToken(value, url) {
    this.value = value || "";
    this.url = url || null;
    this.pending = null;
  }

  CsrfToken.prototype.refresh = function (fetch) {
    var self = this;
    if (!this.url) { return Promise.reject(new Error("no CSRF token address")); }
    if (this.pending) { return this.pending; }  // several callers, one request
    this.pending = fetch(this.url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(readJson)
      .then(function (answer) {
        self.pending = null;
        if (!answer.ok || !answer.body || typeof answer.body.csrf_token !== "string") {
          throw new Error("no fresh CSRF token (" + answer.status + ")");
        }
        self.value = answer.body.csrf_token;
        return self.value;
      }, function (err) {
        self.pending = null;
        throw err;
      });
    return this.pending;
  };

  return { readJson: readJson, CsrfToken: CsrfToken };
});
