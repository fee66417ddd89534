/* The resident's report form: photos made smaller in the browser (canvas) before upload, the
   location from the phone (navigator.geolocation gives WGS-84) or picked on a map of the grids
   (Leaflet, no tiles), a category suggested from the text, and open cases nearby ("me too").
   Everything still works without it: the server checks every field again. */
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;

  function resize(file) {
    return new Promise(function (resolve) {
      if (!file.type || file.type.indexOf("image/") !== 0 || !window.createImageBitmap) {
        resolve(file);
        return;
      }
      createImageBitmap(file).then(function (bitmap) {
        var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < 1024 * 1024) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", QUALITY);
      }).catch(function () { resolve(file); });
    });
  }

  function setupPhotos(input) {
    var previews = input.parentNode.querySelector("[data-photo-previews]");
    input.addEventListener("change", function () {
      if (input.dataset.resizing === "1") return;
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length || !window.DataTransfer) return;
      input.dataset.resizing = "1";
      Promise.all(files.map(resize)).then(function (smaller) {
        var transfer = new DataTransfer();
        smaller.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
        input.dataset.resizing = "";
        input.dataset.resized = String(smaller.length);
        if (previews) {
          previews.innerHTML = "";
          smaller.forEach(function (file) {
            var item = document.createElement("li");
            var image = document.createElement("img");
            image.src = URL.createObjectURL(file);
            image.alt = file.name;
            item.appendChild(image);
            previews.appendChild(item);
          });
        }
      });
    });
  }

  document.querySelectorAll("input[data-photos]").forEach(setupPhotos);

  var form = document.querySelector("[data-report-form]");
  if (!form) return;
  var lon = form.querySelector("[name=lon]");
  var lat = form.querySelector("[name=lat]");
  var crs = form.querySelector("[name=crs]");
  var category = form.querySelector("[name=category]");
  var description = form.querySelector("[name=description]");
  var status = form.querySelector("[data-location-status]");
  var nearbyBox = form.querySelector("[data-nearby]");
  var suggestion = form.querySelector("[data-suggestion]");
  var mapBox = form.querySelector("[data-map]");
  var map = null;
  var marker = null;

  function say(text) { if (status) status.textContent = text; }

  function setPlace(longitude, latitude, system, message) {
    lon.value = longitude.toFixed(6);
    lat.value = latitude.toFixed(6);
    crs.value = system;
    say(message);
    if (map && system === "wgs84") {
      if (marker) { marker.setLatLng([latitude, longitude]); } else { marker = L.marker([latitude, longitude]).addTo(map); }
    }
    loadNearby();
  }

  function loadNearby() {
    if (!nearbyBox || !lon.value || !lat.value || !category.value) {
      if (nearbyBox) nearbyBox.innerHTML = "";
      return;
    }
    var query = new URLSearchParams({ lon: lon.value, lat: lat.value, crs: crs.value || "wgs84", category: category.value });
    fetch(form.dataset.nearbyUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { nearbyBox.innerHTML = html; });
  }

  form.querySelector("[data-locate]").addEventListener("click", function () {
    if (!navigator.geolocation) { say(form.dataset.textLocationFailed); return; }
    say(form.dataset.textLocating);
    navigator.geolocation.getCurrentPosition(function (position) {
      // The browser's position is WGS-84 (GPS); the server converts GCJ-02 when told so.
      setPlace(position.coords.longitude, position.coords.latitude, "wgs84", form.dataset.textLocated);
    }, function () { say(form.dataset.textLocationFailed); }, { enableHighAccuracy: true, timeout: 10000 });
  });

  form.querySelector("[data-pick-on-map]").addEventListener("click", function () {
    if (!window.L || !mapBox) return;
    mapBox.hidden = false;
    if (map) return;
    map = L.map(mapBox, { attributionControl: false, zoomControl: true });
    map.setView([30, 120], 13);
    fetch(form.dataset.gridsUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.08 },
          onEachFeature: function (feature, shape) { shape.bindTooltip(feature.properties.name); }
        }).addTo(map);
        if (layer.getLayers().length) map.fitBounds(layer.getBounds());
        layer.on("click", function (event) { pick(event.latlng); });
      });
    map.on("click", function (event) { pick(event.latlng); });
  });

  function pick(latlng) {
    setPlace(latlng.lng, latlng.lat, "wgs84", form.dataset.textPicked);
  }

  [lon, lat, crs].forEach(function (field) { field.addEventListener("change", loadNearby); });
  category.addEventListener("change", function () { category.dataset.chosen = "1"; loadNearby(); });

  var timer = null;
  description.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = description.value.trim();
      if (text.length < 2) { suggestion.hidden = true; return; }
      fetch(form.dataset.suggestUrl + "?" + new URLSearchParams({ text: text }).toString(), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var best = data.suggestions && data.suggestions[0];
          if (!best) { suggestion.hidden = true; return; }
          suggestion.hidden = false;
          suggestion.textContent = form.dataset.textSuggested + " " + best.class + " · " + best.name;
          suggestion.dataset.category = best.id;
          if (!category.dataset.chosen) { category.value = String(best.id); loadNearby(); }
        });
    }, 300);
  });
})();
