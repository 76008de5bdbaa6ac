// Shegong page behaviour. No inline scripts anywhere: everything hooks in from here.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.addEventListener("htmx:configRequest", function (event) {
    if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("sidenav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    document.querySelectorAll("select.autosubmit").forEach(function (el) {
      el.addEventListener("change", function () { el.form.submit(); });
    });
    drawCharts(document.querySelectorAll("[data-chart]"));
  });

  // A chart's figures come from its JSON data island (core/_chart.html); the table beside it
  // holds the same figures and stays the source of truth. ECharts loads only on pages with a
  // chart; if it cannot load, the table is all there is, which is enough.
  function drawCharts(canvases) {
    if (!canvases.length) { return; }
    if (window.echarts) { canvases.forEach(drawChart); return; }
    var script = document.createElement("script");
    script.src = canvases[0].dataset.echarts;
    script.addEventListener("load", function () { canvases.forEach(drawChart); });
    document.head.appendChild(script);
  }

  function drawChart(el) {
    var island = document.getElementById(el.dataset.chart);
    if (!island) { return; }
    var data = JSON.parse(island.textContent);
    if (!data.categories.length) { return; }
    el.classList.add("drawn");
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      color: ["#1f6fb2", "#e08a1e", "#3a9d5d", "#b23a48", "#6b5bb5"],
      tooltip: { trigger: "axis" },
      legend: { show: data.series.length > 1, top: 0 },
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 40 : 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", name: data.unit, minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, label: { show: true, position: "top" } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
})();
