// The one way pages draw a Plotly chart: it fills its box and follows the window's size, the
// legend sits under the plot, and the toolbar (modebar) shows only on hover on wide screens
// and not at all on narrow ones, so it never covers the legend or the lines.
window.GuanxiCharts = (function () {
  const font = { family: '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif' };
  function narrow() {
    return window.matchMedia("(max-width: 640px)").matches;
  }
  // A page's own layout wins, except that the legend always goes below the plot, anchored to
  // the bottom of the whole figure (not a share of the plot's height, which on a short phone
  // chart put it over the tilted dates); every axis makes room for its own labels
  // (automargin: a right-hand axis's "40" was cut to "4(" with a page's tight margin); on a
  // phone the left margin shrinks too.
  function layout(own) {
    const merged = Object.assign({ autosize: true, font: font }, own);
    merged.legend = Object.assign({}, own.legend, {
      orientation: "h", x: 0, xanchor: "left", yref: "container", y: 0, yanchor: "bottom",
    });
    if (narrow() && merged.margin) {
      merged.margin = Object.assign({}, merged.margin, { l: Math.min(merged.margin.l || 0, 40) });
    }
    Object.keys(merged).concat(["xaxis", "yaxis"]).forEach(function (axis) {
      if (/^[xy]axis\d*$/.test(axis)) merged[axis] = Object.assign({ automargin: true }, merged[axis]);
    });
    return merged;
  }
  // A title that fits its box: Plotly does not wrap titles, so a long one (a survey
  // question) is broken into lines about the box's width (a CJK character counts 1, any
  // other 0.55); each line is escaped, since Plotly reads a few HTML tags in titles.
  // Returns the text and its number of lines (for the top margin).
  function title(text, box) {
    const room = Math.max(8, Math.floor(((box && box.clientWidth) || 600) / 15) - 3);
    const lines = [];
    let line = "", used = 0;
    Array.from(String(text)).forEach(function (ch) {
      const w = /[\u2e80-\u9fff\uf900-\uffef]/.test(ch) ? 1 : 0.55;
      if (used + w > room && line) { lines.push(line); line = ""; used = 0; }
      line += ch; used += w;
    });
    if (line) lines.push(line);
    const escape = function (t) { return t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); };
    return { text: lines.map(escape).join("<br>"), lines: Math.max(1, lines.length) };
  }
  function plot(target, traces, own) {
    return Plotly.newPlot(target, traces, layout(own || {}), {
      displaylogo: false,
      responsive: true,
      displayModeBar: narrow() ? false : "hover",
    });
  }
  return { plot: plot, layout: layout, font: font, narrow: narrow, title: title };
})();
