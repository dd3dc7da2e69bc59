/* Engagement dashboard charts: S-curve, CPI/SPI trend and burn-up, drawn with the vendored
   Chart.js from the JSON block "dashboard-data" (json_script). Each chart has a data table on
   the page, so nothing here is the only way to read a figure. No inline script (CSP). */
(function () {
  "use strict";

  var DAY_MS = 86400000;
  var dataElement = document.getElementById("dashboard-data");
  if (!dataElement || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var reduceMotion = window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  var colours = {
    pv: "#1f4e79", ev: "#1e7b34", ac: "#b3261e", bac: "#5b6776",
    cpi: "#1e7b34", spi: "#6b2277", reference: "#5b6776", scope: "#5b6776",
  };

  // Days travel as ISO dates; the x axis is linear in days since 1970 (UTC), so no date
  // adapter is needed: the tick callback turns the number back into a date.
  function dayNumber(iso) {
    var parts = iso.split("-");
    return Date.UTC(+parts[0], +parts[1] - 1, +parts[2]) / DAY_MS;
  }

  var dateFormat = new Intl.DateTimeFormat(undefined, {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  });

  function formatDay(value) {
    return dateFormat.format(new Date(Math.round(value) * DAY_MS));
  }

  function dayAxis() {
    return {
      type: "linear",
      ticks: { callback: formatDay, maxTicksLimit: 8 },
      title: { display: true, text: "Date" },
    };
  }

  function points(rows, key) {
    return rows.map(function (row) {
      return { x: dayNumber(row.day), y: row[key] };
    });
  }

  function horizontal(value, first, last) {
    return [{ x: first, y: value }, { x: last, y: value }];
  }

  function options(xAxis, yTitle) {
    return {
      animation: reduceMotion ? false : undefined,
      maintainAspectRatio: false,
      parsing: false,
      spanGaps: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: { x: xAxis, y: { title: { display: true, text: yTitle } } },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            title: function (items) {
              return items.length && xAxis.type === "linear" ? formatDay(items[0].parsed.x) : undefined;
            },
          },
        },
      },
    };
  }

  function line(label, values, colour, extra) {
    var dataset = {
      label: label, data: values, borderColor: colour, backgroundColor: colour,
      borderWidth: 2, pointRadius: 3, fill: false,
    };
    return Object.assign(dataset, extra || {});
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new window.Chart(canvas, config);
    }
  }

  function extent(lists) {
    var xs = [];
    lists.forEach(function (list) {
      list.forEach(function (point) { xs.push(point.x); });
    });
    return xs.length ? [Math.min.apply(null, xs), Math.max.apply(null, xs)] : null;
  }

  function drawSCurve() {
    var baseline = points(data.baseline, "pv");
    var pv = points(data.history, "pv");
    var ev = points(data.history, "ev");
    var ac = points(data.history, "ac");
    var datasets = [];
    if (baseline.length) {
      datasets.push(line("Planned value (baseline)", baseline, colours.pv,
        { borderDash: [6, 4], pointStyle: "rectRot", pointRadius: 2 }));
    }
    if (pv.length) {
      datasets.push(line("Planned value (recorded)", pv, colours.pv,
        { borderDash: [2, 2], pointStyle: "rect" }));
      datasets.push(line("Earned value", ev, colours.ev, { pointStyle: "circle" }));
      datasets.push(line("Actual cost", ac, colours.ac, { pointStyle: "triangle", pointRadius: 4 }));
    }
    var range = extent([baseline, pv]);
    if (data.bac !== null && range) {
      datasets.push(line("Budget at completion", horizontal(data.bac, range[0], range[1]),
        colours.bac, { borderDash: [1, 3], pointRadius: 0, pointStyle: "line" }));
    }
    draw("chart-scurve", { type: "line", data: { datasets: datasets },
      options: options(dayAxis(), "Amount") });
  }

  function drawTrend() {
    var cpi = points(data.history, "cpi");
    var spi = points(data.history, "spi");
    var range = extent([cpi]);
    var datasets = [
      line("CPI", cpi, colours.cpi, { pointStyle: "circle" }),
      line("SPI", spi, colours.spi, { pointStyle: "rect", borderDash: [6, 4] }),
    ];
    if (range) {
      datasets.push(line("1.0 (as planned)", horizontal(1, range[0], range[1]),
        colours.reference, { borderDash: [1, 3], pointRadius: 0, pointStyle: "line" }));
    }
    draw("chart-trend", { type: "line", data: { datasets: datasets },
      options: options(dayAxis(), "Index") });
  }

  function drawBurnup() {
    var labels = data.burnup.map(function (row) { return "Iteration " + row.iteration; });
    var config = {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          line("Accepted points (cumulative)", data.burnup.map(function (row) { return row.cumulative; }),
            colours.ev, { pointStyle: "circle" }),
          line("Scope (all points)", data.burnup.map(function (row) { return row.scope; }),
            colours.scope, { borderDash: [6, 4], pointStyle: "rect" }),
        ],
      },
      options: options({ type: "category", title: { display: true, text: "Iteration" } },
        "Story points"),
    };
    config.options.parsing = true;
    config.options.scales.y.beginAtZero = true;
    draw("chart-burnup", config);
  }

  drawSCurve();
  drawTrend();
  drawBurnup();
})();
