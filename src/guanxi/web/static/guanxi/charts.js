// The one way pages draw a Plotly chart: it fills its box and follows the window's size, the
// legend sits under the plot, and the toolbar (modebar) shows only on hover on wide screens
// and not at all on narrow ones, so it never covers the legend or the lines.
window.GuanxiCharts = (function () {
  const font = { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };
  function narrow() {
    return window.matchMedia("(max-width: 640px)").matches;
  }
  // A page's own layout wins, except that the legend always goes below the plot; on a phone
  // the left margin shrinks and the axes make room for their own labels (automargin).
  function layout(own) {
    const merged = Object.assign({ autosize: true, font: font }, own);
    merged.legend = Object.assign({}, own.legend, { orientation: "h", x: 0, xanchor: "left", y: -0.12, yanchor: "top" });
    if (narrow()) {
      if (merged.margin) merged.margin = Object.assign({}, merged.margin, { l: Math.min(merged.margin.l || 0, 40) });
      Object.keys(merged).concat(["xaxis", "yaxis"]).forEach(function (axis) {
        if (/^[xy]axis\d*$/.test(axis)) merged[axis] = Object.assign({ automargin: true }, merged[axis]);
      });
    }
    return merged;
  }
  function plot(target, traces, own) {
    return Plotly.newPlot(target, traces, layout(own || {}), {
      displaylogo: false,
      responsive: true,
      displayModeBar: narrow() ? false : "hover",
    });
  }
  return { plot: plot, layout: layout, font: font, narrow: narrow };
})();
