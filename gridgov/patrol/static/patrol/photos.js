/* Photos taken on a phone are 3–12 MB; the server takes a few hundred kB. Before a form with
 * `input[type=file][data-resize]` is sent, each chosen image is redrawn no larger than
 * MAX_SIDE pixels and re-encoded as JPEG in the browser, and the input holds the smaller files.
 * Anything that is not a readable image is left as it is: the server checks every file's bytes
 * and refuses what is not a photo (gridgov/core/files.py). No library: a canvas does it. */
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.82;

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      image.src = url;
    });
  }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return Promise.resolve(file);
    return load(file).then(function (image) {
      var scale = Math.min(1, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
      if (scale === 1 && file.size < 600 * 1024) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.naturalWidth * scale);
      canvas.height = Math.round(image.naturalHeight * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff"; // a transparent PNG becomes a JPEG on white, not on black
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function resizeInput(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length || typeof DataTransfer === "undefined") return Promise.resolve();
    input.dataset.resizing = "1";
    return Promise.all(files.map(shrink)).then(function (smaller) {
      var transfer = new DataTransfer();
      smaller.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }).finally(function () { delete input.dataset.resizing; input.dataset.resized = "1"; });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-resize]")) resizeInput(input);
  });

  // A form sent while a resize is still running waits for it, then is sent once.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var busy = form.querySelectorAll("input[type=file][data-resize][data-resizing]");
    if (!busy.length) return;
    event.preventDefault();
    var waits = Array.prototype.map.call(busy, function (input) {
      return new Promise(function (resolve) {
        var check = function () { if (!input.dataset.resizing) resolve(); else setTimeout(check, 50); };
        check();
      });
    });
    Promise.all(waits).then(function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  }, true);

  // Tell the tests (and anyone curious) that photos are handled by this script.
  window.gridgovPhotos = { resizeInput: resizeInput, MAX_SIDE: MAX_SIDE };
})();
