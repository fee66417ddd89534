/* The wall screen: a clock, the full-screen button, and the hours chart redrawn after each poll. */
(function () {
  "use strict";
  var clock = document.querySelector("[data-clock]");
  function tick() { if (clock) clock.textContent = new Date().toLocaleString("zh-CN", { hour12: false }); }
  tick();
  setInterval(tick, 1000);
  var full = document.querySelector("[data-fullscreen]");
  if (full) full.addEventListener("click", function () {
    if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
  });
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-hours]").forEach(function (element) {
      var values = JSON.parse(element.getAttribute("data-hours"));
      var chart = echarts.init(element, "dark", { renderer: "svg" });
      chart.setOption({
        backgroundColor: "transparent", grid: { left: 36, right: 8, top: 10, bottom: 24 },
        xAxis: { type: "category", data: values.map(function (_, h) { return h; }) }, yAxis: { type: "value" },
        series: [{ type: "bar", data: values, itemStyle: { color: "#4dabf7" } }]
      });
    });
  }
  document.body.addEventListener("htmx:afterSwap", draw);
})();
