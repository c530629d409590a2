/* elearn.uploadQueue: files go one at a time (gentler on a weak connection). An item is anything
   with ``state`` ("waiting" until it is started) and ``start()`` returning a promise that settles
   when the item is finished with. One item that throws or rejects is handed to ``onFailure`` (to
   show its plain message) and the queue goes on with the next. No DOM here. */
(function (root, factory) {
  var mod = factory(root.elearn || {});
  if (typeof module === "object" && module.exports) { module.exports = mod; }
  else { root.elearn = root.elearn || {}; root.elearn.uploadQueue = mod; }
})(this, function () {
  "use strict";

  function UploadQueue(onFailure) {
    this.items = [];
    this.running = null;
    this.onFailure = onFailure || function () {};
    this.idle = Promise.resolve();  // settles when the queue has nothing left to start (for tests)
  }

  UploadQueue.prototype.add = function (item) {
    this.items.push(item);
    this.run();
  };

  UploadQueue.prototype.run = function () {
    if (this.running) { return; }
    var next = this.items.filter(function (item) { return item.state === "waiting"; })[0];
    if (!next) { return; }
    var self = this, started, current;
    this.running = next;
    try { started = Promise.resolve(next.start()); } catch (err) { started = Promise.reject(err); }
    current = this.idle = started.then(null, function (err) {
      try { self.onFailure(next, err); } catch (ignored) { /* the next file must still go */ }
    }).then(function () {
      self.running = null;
      self.run();
      return self.idle === current ? undefined : self.idle;  // settles when the files after it are done
    });
  };

  return { UploadQueue: UploadQueue };
});
