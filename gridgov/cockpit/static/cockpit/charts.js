/* The cockpit's charts: each section holds its data (a table) as JSON; ECharts draws it, the
   "Table" button shows the same rows as a table. */
(function () {
  "use strict";
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart]").forEach(function (section) {
    var key = section.getAttribute("data-chart");
    var data = JSON.parse(document.getElementById("chart-" + key).textContent);
    var canvas = section.querySelector(".chart-canvas");
    var chart = echarts.init(canvas, null, { renderer: "svg" });
    var labels = data.rows.map(function (row) { return row[data.kind === "bar" && data.columns.length === 4 ? 1 : 0]; });
    var option;
    if (data.kind === "pie") {
      option = { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: "65%", data: data.rows.map(function (row) { return { name: row[0], value: row[1] }; }) }] };
    } else if (data.kind === "line") {
      option = {
        tooltip: { trigger: "axis" }, legend: { data: data.columns.slice(1) },
        xAxis: { type: "category", data: labels }, yAxis: { type: "value" },
        series: data.columns.slice(1).map(function (name, index) { return { name: name, type: "line", smooth: true, data: data.rows.map(function (row) { return row[index + 1]; }) }; })
      };
    } else {
      var valueIndex = data.columns.length === 4 ? 2 : 1;
      option = {
        tooltip: { trigger: "axis" }, grid: { left: 48, right: 16, bottom: 64 },
        xAxis: { type: "category", data: labels, axisLabel: { rotate: labels.length > 8 ? 40 : 0 } }, yAxis: { type: "value" },
        series: [{ name: data.columns[valueIndex], type: "bar", data: data.rows.map(function (row) { return row[valueIndex]; }) }]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    var button = section.querySelector("[data-toggle-table]");
    var table = section.querySelector(".chart-table");
    button.addEventListener("click", function () {
      var showing = table.hidden;
      table.hidden = !showing;
      canvas.hidden = showing;
      button.setAttribute("aria-pressed", String(showing));
      if (!showing) chart.resize();
    });
  });
})();
