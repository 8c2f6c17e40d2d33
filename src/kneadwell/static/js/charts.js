// Growth and trend charts, drawn here in the browser with uPlot (static/vendor/uplot) from the JSON that
// the chart-data views answer (outcomes/views.py), so no page request draws anything on the server.
// Every element with data-chart="<url>" gets its chart. The look follows the SVG the PDF report keeps
// (outcomes/growth/chart.py, outcomes/charts.py): grey centile lines with the median darker and labelled
// at their ends; the child's points filled at corrected age, the latest also hollow at chronological age
// joined by a line; each trend series with its own marker shape and line style as well as its colour,
// so nothing is told by colour alone. The text alternative and the table are in the page itself, so
// without JavaScript (or if this fails) nothing is lost but the picture.
(function () {
  "use strict";
  var INK = "#1f2428";
  var MUTED = "#4d4d4d";
  var GREY = "#8c8c8c";
  var GRID = "#e6e6e6";
  var BLUE = "#1f5fa6";
  var FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
  var SMALL = '10px system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

  // Width of the slot; height in the proportion of the PDF's chart (4.6 x 4 in), within phone limits.
  function size(el) {
    var width = Math.max(el.clientWidth, 240);
    return { width: width, height: Math.round(Math.min(Math.max(width * 0.87, 240), 440)) };
  }

  // Sorted x with no repeats, as uPlot's aligned data needs: two values on one day keep both points,
  // a hair apart (invisible), instead of one hiding the other.
  function table(xs, ys, hair) {
    var pairs = xs.map(function (x, i) { return [x, ys[i]]; });
    pairs.sort(function (a, b) { return a[0] - b[0]; });
    for (var i = 1; i < pairs.length; i++) {
      if (pairs[i][0] <= pairs[i - 1][0]) pairs[i][0] = pairs[i - 1][0] + hair;
    }
    return [pairs.map(function (p) { return p[0]; }), pairs.map(function (p) { return p[1]; })];
  }

  function noLine() { return null; }

  // Marker shapes (the SVG's matplotlib markers by name), as a path builder for uPlot's points.
  function addShape(path, shape, x, y, r) {
    function polygon(n, turn, radius) {
      for (var k = 0; k < n; k++) {
        var a = turn + (2 * Math.PI * k) / n;
        var px = x + radius * Math.cos(a), py = y + radius * Math.sin(a);
        if (k === 0) path.moveTo(px, py); else path.lineTo(px, py);
      }
      path.closePath();
    }
    var up = -Math.PI / 2;
    switch (shape) {
      case "square": path.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); break;
      case "diamond": polygon(4, up, r * 1.1); break;
      case "triangle-up": polygon(3, up, r * 1.15); break;
      case "triangle-down": polygon(3, Math.PI / 2, r * 1.15); break;
      case "triangle-left": polygon(3, Math.PI, r * 1.15); break;
      case "triangle-right": polygon(3, 0, r * 1.15); break;
      case "pentagon": polygon(5, up, r); break;
      case "hexagon": polygon(6, up, r); break;
      case "plus": case "cross": {
        var t = r * 0.38, turn = shape === "cross" ? Math.PI / 4 : 0;
        var pts = [[-t, -r], [t, -r], [t, -t], [r, -t], [r, t], [t, t], [t, r], [-t, r], [-t, t], [-r, t], [-r, -t], [-t, -t]];
        pts.forEach(function (p, k) {
          var px = x + p[0] * Math.cos(turn) - p[1] * Math.sin(turn);
          var py = y + p[0] * Math.sin(turn) + p[1] * Math.cos(turn);
          if (k === 0) path.moveTo(px, py); else path.lineTo(px, py);
        });
        path.closePath();
        break;
      }
      case "star": {
        for (var k = 0; k < 10; k++) {
          var a = up + (Math.PI * k) / 5, rr = k % 2 ? r * 0.45 : r * 1.15;
          if (k === 0) path.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
          else path.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
        }
        path.closePath();
        break;
      }
      default: path.moveTo(x + r, y); path.arc(x, y, r, 0, 2 * Math.PI);
    }
  }

  function shapes(shape) {
    return function (u, seriesIdx, idx0, idx1) {
      var s = u.series[seriesIdx], xs = u.data[0], ys = u.data[seriesIdx];
      var r = (s.points.size / 2) * uPlot.pxRatio;
      var path = new Path2D();
      for (var i = idx0; i <= idx1; i++) {
        if (ys[i] == null) continue;
        addShape(path, shape, u.valToPos(xs[i], "x", true), u.valToPos(ys[i], s.scale, true), r);
      }
      return { stroke: path, fill: path };
    };
  }

  // The axes' numbers in the page's decimal mark (the JSON's decimal_mark: "," in Spanish, "." in English
  // and Arabic; core.marking.decimal_mark), never the browser's: uPlot's own numbers follow the
  // browser's locale (an Arabic browser would write Arabic-Indic digits, a Spanish one a comma on an
  // English page). With the point they read as uPlot writes them in an English browser ("2.5", "1,000");
  // with the comma, "2,5" and no grouping ("1000", as Django writes the page's figures). Display only: the
  // data stay numbers.
  var POINT = typeof Intl !== "undefined" ? new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 }) : null;
  var BARE = typeof Intl !== "undefined"
    ? new Intl.NumberFormat("en-US", { maximumFractionDigits: 3, useGrouping: false }) : null;
  function numbers(mark) {
    return function (u, splits) {
      return splits.map(function (v) {
        if (v == null) return "";
        if (mark === ",") return BARE.format(v).replace(".", ",");
        return POINT.format(v);
      });
    };
  }

  function axes(data, xValues) {
    var values = numbers(data.decimal_mark || ".");
    var x = { stroke: INK, font: FONT, labelFont: FONT, size: 30, labelSize: 18, label: data.x_label || "",
      grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1, size: 4 }, values: values };
    if (xValues) x.values = xValues;
    var y = { stroke: INK, font: FONT, labelFont: FONT, size: 42, labelSize: 18, label: data.y_label,
      grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1, size: 4 }, values: values };
    return [x, y];
  }

  // Text on the canvas, in canvas pixels.
  function label(u, text, x, y, align, colour) {
    var ctx = u.ctx;
    ctx.save();
    ctx.font = SMALL.replace("10px", Math.round(10 * uPlot.pxRatio) + "px");
    ctx.fillStyle = colour || MUTED;
    ctx.textAlign = align;
    ctx.textBaseline = "middle";
    ctx.fillText(text, x, y);
    ctx.restore();
  }

  function growthOptions(data, box) {
    var tables = [], series = [{}], ends = [];
    data.centiles.forEach(function (line) {
      line.segments.forEach(function (seg) {
        if (!seg.x.length) return;
        tables.push([seg.x, seg.y]);
        series.push({ label: line.label + " centile", stroke: line.median ? MUTED : GREY,
          width: line.median ? 1.6 : 0.8, points: { show: false } });
      });
      ends.push({ text: line.label, segments: line.segments });
    });
    var hair = 1e-6;
    data.chronological.forEach(function (c) {
      tables.push(table([c.x_corrected, c.x], [c.y, c.y], hair));
      series.push({ label: "age correction", stroke: BLUE, width: 0.8, points: { show: false } });
    });
    if (data.chronological.length) {
      tables.push(table(data.chronological.map(function (c) { return c.x; }),
        data.chronological.map(function (c) { return c.y; }), hair));
      series.push({ label: "at chronological age", stroke: BLUE, paths: noLine,
        points: { show: true, size: 7, width: 1.3, stroke: BLUE, fill: "#ffffff" } });
    }
    tables.push(table(data.points.map(function (p) { return p.x; }), data.points.map(function (p) { return p.y; }), hair));
    series.push({ label: "at corrected age", stroke: BLUE, paths: noLine,
      points: { show: true, size: 6.5, width: 1, stroke: BLUE, fill: BLUE } });
    return {
      data: uPlot.join(tables),
      opts: {
        title: data.title, width: box.width, height: box.height, series: series,
        padding: [8, 24, 0, 0],
        scales: {
          x: { time: false, range: data.x_range },
          y: data.y_range ? { range: data.y_range } : {}
        },
        axes: axes(data),
        hooks: { draw: [function (u) { centileLabels(u, ends); }] }
      }
    };
  }

  // Each centile's name where its line leaves the plot (its right end, or the top where it climbs out
  // of a fitted axis), skipped where it would overlap another.
  function centileLabels(u, ends) {
    var b = u.bbox, previous = -Infinity, gap = 9 * uPlot.pxRatio, pad = 3 * uPlot.pxRatio;
    var placed = [];
    ends.forEach(function (e) {
      var last = null;
      e.segments.forEach(function (seg) {
        for (var i = 0; i < seg.x.length; i++) {
          if (seg.y[i] == null) continue;
          var x = u.valToPos(seg.x[i], "x", true), y = u.valToPos(seg.y[i], "y", true);
          if (x >= b.left && x <= b.left + b.width && y >= b.top && y <= b.top + b.height) last = [x, y];
        }
      });
      if (last) placed.push({ text: e.text, x: last[0], y: last[1] });
    });
    // Lines leaving through the top are labelled under it, kept apart sideways; the rest at their right
    // end, kept apart up and down.
    var top = placed.filter(function (e) { return e.y - b.top < gap && e.x < b.left + b.width - 3 * gap; });
    var right = placed.filter(function (e) { return top.indexOf(e) < 0; });
    top.sort(function (a, c) { return a.x - c.x; });
    var lastX = -Infinity;
    top.forEach(function (e) {
      if (e.x - lastX < 2.2 * gap) return;
      lastX = e.x;
      label(u, e.text, e.x + pad, b.top + gap * 0.8, "left");
    });
    right.sort(function (a, c) { return a.y - c.y; });
    right.forEach(function (e) {
      if (e.y - previous < gap) return;
      previous = e.y;
      label(u, e.text, e.x + pad, e.y, "left");
    });
  }

  function day(iso) { return Date.parse(iso + "T00:00:00Z") / 1000; }

  // Dates as people here write them ("7 Nov"), the year under the first tick and wherever it changes;
  // ticks a whole number of days apart (never hours).
  var DAY = 86400;
  var DAY_INCRS = [1, 2, 3, 7, 14, 30, 61, 91, 182, 365, 730, 1461].map(function (n) { return n * DAY; });
  var dayMonth = typeof uPlot !== "undefined" ? uPlot.fmtDate("{D} {MMM}") : null;
  function dateTicks(u, splits) {
    var year = null;
    return splits.map(function (ts) {
      var d = uPlot.tzDate(new Date(ts * 1000), "UTC");
      var text = dayMonth(d);
      if (d.getFullYear() !== year) { year = d.getFullYear(); text += "\n" + year; }
      return text;
    });
  }

  function trendOptions(data, box) {
    var tables = [], series = [{}];
    data.series.forEach(function (s) {
      tables.push(table(s.points.map(function (p) { return day(p.date); }),
        s.points.map(function (p) { return p.y; }), 1));
      series.push({ label: s.label, stroke: s.colour, width: 1.5, dash: s.dash,
        points: { show: true, size: 8, width: 1, stroke: s.colour, fill: s.colour, paths: shapes(s.marker) } });
    });
    var y = data.y_range ? { range: data.y_range } : {};
    var yAxis = axes(data)[1];
    if (data.y_ticks.length) {
      var names = {};
      data.y_ticks.forEach(function (t) { names[t.value] = t.label; });
      yAxis.splits = function () { return data.y_ticks.map(function (t) { return t.value; }); };
      yAxis.values = function (u, splits) { return splits.map(function (v) { return names[v] == null ? "" : names[v]; }); };
    } else if (data.integer) {
      yAxis.incrs = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
    }
    return {
      data: uPlot.join(tables),
      opts: {
        title: data.title, width: box.width, height: box.height, series: series,
        padding: [8, 24, 0, 0],  // room for the last date's label
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "UTC"); },
        scales: {
          x: { time: true, range: data.x_range ? [day(data.x_range[0]), day(data.x_range[1])] : null },
          y: y
        },
        axes: [Object.assign(axes(data)[0], { values: dateTicks, incrs: DAY_INCRS, size: 40 }), yAxis],
        hooks: { draw: [function (u) { referenceLines(u, data.reference_lines); }] }
      }
    };
  }

  // Dashed grey lines across the plot, each labelled at its right end.
  function referenceLines(u, lines) {
    var ctx = u.ctx, left = u.bbox.left, right = u.bbox.left + u.bbox.width;
    lines.forEach(function (line) {
      var y = Math.round(u.valToPos(line.value, "y", true)) + 0.5;
      if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) return;
      ctx.save();
      ctx.strokeStyle = GREY;
      ctx.lineWidth = uPlot.pxRatio;
      ctx.setLineDash([5 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.restore();
      // Above the line, or under it when the line runs along the top of the plot.
      var above = y - u.bbox.top > 14 * uPlot.pxRatio;
      label(u, line.label, right - 2 * uPlot.pxRatio, y + (above ? -7 : 8) * uPlot.pxRatio, "right");
    });
  }

  // Our own legend under a chart of several series: the marker shape and line style as well as colour.
  function legend(data) {
    var list = document.createElement("ul");
    list.className = "chart-legend";
    var ns = "http://www.w3.org/2000/svg";
    data.series.forEach(function (s) {
      var item = document.createElement("li");
      var glyph = document.createElementNS(ns, "svg");
      glyph.setAttribute("width", "28");
      glyph.setAttribute("height", "12");
      glyph.setAttribute("aria-hidden", "true");
      var line = document.createElementNS(ns, "line");
      line.setAttribute("x1", "0"); line.setAttribute("x2", "28");
      line.setAttribute("y1", "6"); line.setAttribute("y2", "6");
      line.setAttribute("stroke", s.colour); line.setAttribute("stroke-width", "1.5");
      if (s.dash.length) line.setAttribute("stroke-dasharray", s.dash.join(" "));
      var mark = document.createElementNS(ns, "path");
      var p = { d: "", moveTo: function (x, y) { this.d += "M" + x + " " + y; },
        lineTo: function (x, y) { this.d += "L" + x + " " + y; }, closePath: function () { this.d += "Z"; },
        rect: function (x, y, w, h) { this.d += "M" + x + " " + y + "h" + w + "v" + h + "h" + -w + "Z"; },
        arc: function (x, y, r) { this.d += "M" + (x - r) + " " + y + "a" + r + " " + r + " 0 1 0 " + 2 * r + " 0a" + r + " " + r + " 0 1 0 " + -2 * r + " 0"; } };
      addShape(p, s.marker, 14, 6, 4);
      mark.setAttribute("d", p.d);
      mark.setAttribute("fill", s.colour);
      glyph.appendChild(line);
      glyph.appendChild(mark);
      item.appendChild(glyph);
      item.appendChild(document.createTextNode(" " + s.label));
      list.appendChild(item);
    });
    return list;
  }

  function draw(el, data) {
    if (data.kind === "trend" ? !data.series.length : !data.points.length) {
      el.textContent = "No values to chart; the table below lists what was recorded.";
      el.classList.add("failed");
      return;
    }
    var started = window.performance ? performance.now() : 0;
    var box = size(el);
    var built = data.kind === "growth" ? growthOptions(data, box) : trendOptions(data, box);
    built.opts.legend = { show: false };
    built.opts.cursor = { show: false, drag: { x: false, y: false } };
    built.opts.select = { show: false };
    // How long drawing took in this browser, to the end of uPlot's first draw (bench_charts.py reads it).
    built.opts.hooks.draw.push(function () {
      if (started && !el.dataset.drawMs) el.dataset.drawMs = (performance.now() - started).toFixed(1);
    });
    el.textContent = "";
    var plot = new uPlot(built.opts, built.data, el);
    if (data.kind === "trend" && data.legend) el.appendChild(legend(data));
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", data.title);
    if (el.dataset.describedby) el.setAttribute("aria-describedby", el.dataset.describedby);
    el.classList.add("drawn");
    if (window.ResizeObserver) {
      var width = box.width;
      new ResizeObserver(function () {
        var now = size(el);
        if (now.width !== width) { width = now.width; plot.setSize(now); }
      }).observe(el);
    }
  }

  function load(el) {
    fetch(el.dataset.chart, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error(String(answer.status));
        return answer.json();
      })
      .then(function (data) { draw(el, data); })
      .catch(function () {
        el.textContent = "The chart could not be drawn; the values are in the table below.";
        el.classList.add("failed");
      });
  }

  function start() {
    if (!window.uPlot || !window.fetch || !window.Path2D) return;
    document.querySelectorAll("[data-chart]").forEach(load);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
