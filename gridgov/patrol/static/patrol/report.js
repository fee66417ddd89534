/* "Use my position" on the report form: the phone's position (WGS-84) into the hidden fields. */
(function () {
  "use strict";
  var button = document.querySelector("[data-locate]");
  if (!button) return;
  var form = button.closest("form");
  var label = button.querySelector("[data-locate-label]");
  button.addEventListener("click", function () {
    if (!("geolocation" in navigator)) { label.textContent = button.dataset.failed; return; }
    label.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.querySelector("input[name=lon]").value = position.coords.longitude.toFixed(7);
      form.querySelector("input[name=lat]").value = position.coords.latitude.toFixed(7);
      form.querySelector("input[name=crs]").value = "wgs84";
      label.textContent = button.dataset.located;
      button.setAttribute("aria-pressed", "true");
    }, function () {
      label.textContent = button.dataset.failed;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });
})();
