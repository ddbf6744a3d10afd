/* The leaders' dashboard charts (Chart.js, served from static/vendor). Data come from the page's
   <script type="application/json" id="dash-data"> (Django's json_script): no inline script. */
(function () {
  "use strict";
  var holder = document.getElementById("dash-data");
  if (!holder || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var css = getComputedStyle(document.documentElement);
  function v(name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; }
  var colours = {
    red: v("--red", "#d92d20"), yellow: v("--yellow", "#e0a100"), green: v("--green", "#16a34a"),
    no_deadline: "#cbd2d9", done_on_time: v("--blue", "#2563eb"), done_late: "#7c3aed", cancelled: v("--grey", "#98a2b3")
  };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) { return null; }
    var chart = new Chart(canvas, config);
    canvas.setAttribute("data-ready", "1");
    return chart;
  }

  var lights = data.lights.filter(function (x) { return x.n > 0; });
  draw("chart-lights", {
    type: "doughnut",
    data: {
      labels: lights.map(function (x) { return x.label; }),
      datasets: [{ data: lights.map(function (x) { return x.n; }),
                   backgroundColor: lights.map(function (x) { return colours[x.key] || "#999"; }) }]
    },
    options: { plugins: { legend: { position: "bottom" } },
               onClick: function (evt, items) {
                 if (items.length) { window.location.href = lights[items[0].index].url; }
               } }
  });

  var units = data.units;
  draw("chart-units", {
    type: "bar",
    data: {
      labels: units.map(function (u) { return u.unit; }),
      datasets: [
        { label: "逾期", data: units.map(function (u) { return u.overdue; }), backgroundColor: colours.red },
        { label: "滞后", data: units.map(function (u) { return u.lagging; }), backgroundColor: colours.yellow },
        { label: "正常推进", data: units.map(function (u) { return u.on_track; }), backgroundColor: colours.green },
        { label: "已办结", data: units.map(function (u) { return u.closed; }), backgroundColor: colours.done_on_time }
      ]
    },
    options: {
      indexAxis: "y",
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true, ticks: { autoSkip: false } } },
      plugins: { legend: { position: "bottom" } },
      onClick: function (evt, items) {
        if (items.length) { window.location.href = units[items[0].index].url; }
      }
    }
  });

  draw("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.map(function (w) { return w.label; }),
      datasets: [
        { label: "新交办", data: data.trend.map(function (w) { return w.new; }), borderColor: v("--brand", "#b42318"),
          backgroundColor: v("--brand", "#b42318"), tension: 0.2 },
        { label: "办结销号", data: data.trend.map(function (w) { return w.closed; }), borderColor: colours.done_on_time,
          backgroundColor: colours.done_on_time, tension: 0.2 }
      ]
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: "bottom" } } }
  });
}());
