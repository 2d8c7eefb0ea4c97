/* Back-office charts: each <canvas data-chart> carries its data as JSON; Chart.js draws it (no inline script). */
(function () {
  "use strict";
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-chart"));
    var type = canvas.getAttribute("data-chart-type") || "line";
    new window.Chart(canvas, {
      type: type,
      data: {labels: spec.labels, datasets: [{label: spec.label, data: spec.values, borderColor: "#0066cc",
        backgroundColor: type === "bar" ? "#0066cc" : "rgba(0, 102, 204, 0.15)", fill: type !== "bar", tension: 0.2}]},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
        scales: {y: {beginAtZero: true, ticks: {precision: 0}}}, plugins: {legend: {display: false}}}
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
