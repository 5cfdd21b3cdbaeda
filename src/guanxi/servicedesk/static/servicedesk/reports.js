// The service desk's report: open tickets by tier and age, the share within the SLA targets
// per tier, and the weekly trend (the numbers are in the tables beside each chart).
(function () {
  const source = document.getElementById("desk-report-data");
  if (!source || typeof Plotly === "undefined") return;
  const d = JSON.parse(source.textContent);
  const margin = { t: 36, r: 10, b: 40, l: 44 };
  // Counts are whole tickets: no 0.5 ticks on a small axis.
  function counts(values) {
    const top = Math.max.apply(null, [].concat.apply([1], values));
    return { rangemode: "tozero", tickformat: ",d", dtick: top <= 5 ? 1 : null };
  }
  const open = document.getElementById("open-chart");
  if (open) {
    const stacked = d.open.tiers.map(function (_t, i) {
      return d.open.bands.reduce(function (sum, band) { return sum + band.values[i]; }, 0);
    });
    GuanxiCharts.plot(open, d.open.bands.map(function (band) {
      return { type: "bar", name: band.name, x: d.open.tiers, y: band.values };
    }), { title: { text: d.open.title }, barmode: "stack", margin: margin, yaxis: counts([stacked]) });
  }
  const sla = document.getElementById("sla-chart");
  if (sla) {
    GuanxiCharts.plot(sla, d.sla.series.map(function (s) {
      return { type: "bar", name: s.name, x: d.sla.tiers, y: s.values, hovertemplate: "%{y:.2f}%<extra></extra>" };
    }), { title: { text: d.sla.title }, barmode: "group", margin: margin, yaxis: { range: [0, 100] } });
  }
  const weeks = document.getElementById("weeks-chart");
  if (weeks) {
    GuanxiCharts.plot(weeks, d.weeks.series.map(function (s) {
      return { type: "scatter", mode: "lines+markers", name: s.name, x: d.weeks.weeks, y: s.values };
    }), { title: { text: d.weeks.title }, margin: margin, xaxis: { type: "category" }, yaxis: counts(d.weeks.series.map(function (s) { return s.values; })) });
  }
})();
