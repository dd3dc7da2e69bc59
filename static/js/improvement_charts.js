/* Continuous-improvement charts: the demand flow (time in status, lead-time histogram,
   weekly throughput, WIP stacked by status) and the benefits realized, drawn with the
   vendored Chart.js from the JSON blocks "flow-data" and "benefits-data" (json_script).
   Every chart has its data table on the page, so nothing here is the only way to read a
   figure; the bottleneck is marked in the labels, not by colour alone. No inline script (CSP). */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var reduceMotion = window.matchMedia &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var colours = {
    mean: "#1f4e79", p85: "#8fb3d9", bottleneck: "#b3261e", bottleneckLight: "#e8a39e",
    delivered: "#1e7b34", lead: "#6b2277", hours: "#1e7b34",
  };
  var statusColours = ["#1f4e79", "#6b2277", "#1e7b34", "#7a4304", "#b3261e", "#5b6776"];

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function numbers(values) {
    return values.map(function (value) { return value === null ? null : Number(value); });
  }

  function options(xTitle, yTitle, stacked) {
    return {
      animation: reduceMotion ? false : undefined,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: !!stacked, title: { display: true, text: xTitle } },
        y: { stacked: !!stacked, beginAtZero: true, title: { display: true, text: yTitle } },
      },
      plugins: { legend: { labels: { usePointStyle: true } } },
    };
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new window.Chart(canvas, config);
    }
  }

  var flow = read("flow-data");
  if (flow) {
    var status = flow.timeInStatus;
    var labels = status.labels.map(function (label, index) {
      return status.bottleneck[index] ? "⚠ " + label + " (bottleneck)" : label;
    });
    draw("chart-status", {
      type: "bar",
      data: {
        labels: labels,
        datasets: [
          {
            label: "Mean (days)", data: numbers(status.mean),
            backgroundColor: status.bottleneck.map(function (is) {
              return is ? colours.bottleneck : colours.mean;
            }),
          },
          {
            label: "85th percentile (days)", data: numbers(status.p85),
            backgroundColor: status.bottleneck.map(function (is) {
              return is ? colours.bottleneckLight : colours.p85;
            }),
          },
        ],
      },
      options: options("Status", "Days"),
    });
    draw("chart-lead", {
      type: "bar",
      data: {
        labels: flow.leadTime.labels,
        datasets: [{ label: "Delivered demands", data: flow.leadTime.counts,
                     backgroundColor: colours.lead }],
      },
      options: options("Lead time", "Demands"),
    });
    draw("chart-throughput", {
      type: "bar",
      data: {
        labels: flow.throughput.labels,
        datasets: [{ label: "Delivered", data: flow.throughput.delivered,
                     backgroundColor: colours.delivered }],
      },
      options: options("ISO week", "Demands delivered"),
    });
    draw("chart-wip", {
      type: "bar",
      data: {
        labels: flow.wip.labels,
        datasets: flow.wip.series.map(function (series, index) {
          return { label: series.label, data: series.values,
                   backgroundColor: statusColours[index % statusColours.length] };
        }),
      },
      options: options("ISO week (work in progress at its end)", "Demands", true),
    });
  }

  var benefits = read("benefits-data");
  if (benefits) {
    draw("chart-benefits", {
      type: "bar",
      data: {
        labels: benefits.labels,
        datasets: [{ label: "Hours saved per month", data: numbers(benefits.hours),
                     backgroundColor: colours.hours }],
      },
      options: options("Month of verification", "Hours saved per month"),
    });
  }
}());
