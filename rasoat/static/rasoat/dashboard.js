/* Draw the dashboard's charts with the vendored Chart.js.
 *
 * Each <canvas data-chart="ID"> has its data in <script id="ID" type="application/json"> (Django's
 * json_script): {kind, title, labels, datasets: [{label, data}], links: [[url per label] per dataset],
 * max: the end of the value axis or null,
 * colours: {categories: [colour or null per label], series: [colour or null per dataset]}}.
 * Clicking a bar or a slice opens the drill-down of that number; the table under each chart has the
 * same numbers and links for keyboard and screen-reader users.
 */
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var PALETTE = ["#0d6efd", "#fd7e14", "#dc3545", "#198754", "#6f42c1", "#20c997", "#ffc107",
    "#6c757d", "#0dcaf0", "#d63384", "#6610f2", "#adb5bd", "#343a40"];
  var vi = (document.documentElement.lang || "vi").indexOf("vi") === 0;
  var numberFormat = new Intl.NumberFormat(vi ? "vi-VN" : "en-GB", { maximumFractionDigits: 1 });

  // The server names a colour for categories whose meaning has one (conditions, statuses,
  // in/out of support); the others take the palette in turn.
  function pick(named, index) {
    return named || PALETTE[index % PALETTE.length];
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var doughnut = spec.kind === "doughnut";
    var colours = spec.colours || { categories: [], series: [] };
    var perCategory = doughnut || (spec.datasets.length === 1 && colours.categories.some(Boolean));
    var datasets = spec.datasets.map(function (dataset, i) {
      var background = perCategory
        ? spec.labels.map(function (label, j) { return pick(colours.categories[j], j); })
        : pick(colours.series[i], i);
      return { label: dataset.label, data: dataset.data, backgroundColor: background, borderWidth: doughnut ? 1 : 0 };
    });
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: doughnut || spec.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (item) {
              var name = doughnut ? item.label : item.dataset.label;
              return (name ? name + ": " : "") + numberFormat.format(item.raw);
            }
          }
        }
      },
      onHover: function (event, elements) {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
      onClick: function (event, elements) {
        if (!elements.length) {
          return;
        }
        var element = elements[0];
        var row = spec.links[element.datasetIndex] || [];
        var url = row[element.index];
        if (url) {
          window.location.href = url;
        }
      }
    };
    if (!doughnut) {
      var stacked = spec.kind === "stacked";
      options.indexAxis = "y";
      options.scales = {
        x: { stacked: stacked, beginAtZero: true, max: spec.max || undefined, ticks: { precision: 0 } },
        y: { stacked: stacked, ticks: { autoSkip: false } }
      };
    }
    new Chart(canvas, { type: doughnut ? "doughnut" : "bar", data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
