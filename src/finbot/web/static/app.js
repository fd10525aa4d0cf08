/* finbot dashboard: charts (TradingView lightweight-charts, vendored) and live updates (SSE).
   No inline scripts anywhere: the pages pass their data through data-* attributes. */
(function () {
  "use strict";

  var LWC = window.LightweightCharts;
  var state = { chart: null, series: {}, lastDraw: 0 };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error ? e.error.message : r.status); }); }
      return r.json();
    });
  }

  function sma(points, n) {
    var out = [], sum = 0;
    for (var i = 0; i < points.length; i++) {
      sum += points[i].close;
      if (i >= n) { sum -= points[i - n].close; }
      if (i >= n - 1) { out.push({ time: points[i].time, value: sum / n }); }
    }
    return out;
  }

  function ema(points, n) {
    var out = [], k = 2 / (n + 1), value = null;
    for (var i = 0; i < points.length; i++) {
      value = value === null ? points[i].close : points[i].close * k + value * (1 - k);
      if (i >= n - 1) { out.push({ time: points[i].time, value: value }); }
    }
    return out;
  }

  var HORIZON_SEC = { m: 60, h: 3600, d: 86400, w: 604800 };
  function horizonSec(h) { return parseInt(h, 10) * (HORIZON_SEC[h.slice(-1)] || 0); }

  function makeChart(el) {
    var chart = LWC.createChart(el, {
      height: 420,
      layout: { background: { color: "#ffffff" }, textColor: "#222" },
      timeScale: { timeVisible: true, secondsVisible: false },
      rightPriceScale: { scaleMargins: { top: 0.05, bottom: 0.25 } }
    });
    var s = {};
    s.candles = chart.addCandlestickSeries();
    s.volume = chart.addHistogramSeries({ priceScaleId: "", priceFormat: { type: "volume" } });
    s.volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    s.sma = chart.addLineSeries({ color: "#1e88e5", lineWidth: 1, priceLineVisible: false });
    s.ema = chart.addLineSeries({ color: "#8e24aa", lineWidth: 1, priceLineVisible: false });
    s.fanMid = chart.addLineSeries({ color: "#f57c00", lineWidth: 2, lineStyle: 2, priceLineVisible: false });
    s.fanLow = chart.addLineSeries({ color: "#ffb74d", lineWidth: 1, lineStyle: 1, priceLineVisible: false });
    s.fanHigh = chart.addLineSeries({ color: "#ffb74d", lineWidth: 1, lineStyle: 1, priceLineVisible: false });
    s.past = chart.addLineSeries({ color: "#43a047", lineWidth: 1, lineVisible: false, pointMarkersVisible: true, priceLineVisible: false });
    state.chart = chart;
    state.series = s;
    window.addEventListener("resize", function () { chart.applyOptions({ width: el.clientWidth }); });
  }

  function fan(last, answer) {
    var mid = [{ time: last.time, value: last.close }], low = [mid[0]], high = [mid[0]];
    var preds = (answer && answer.predictions) || [];
    preds.slice().sort(function (a, b) { return horizonSec(a.horizon) - horizonSec(b.horizon); })
      .forEach(function (p) {
        var t = last.time + horizonSec(p.horizon);
        if (t <= mid[mid.length - 1].time) { return; }
        mid.push({ time: t, value: p.predicted_price });
        if (p.interval && p.interval.low !== null && p.interval.high !== null) {
          low.push({ time: t, value: p.interval.low });
          high.push({ time: t, value: p.interval.high });
        }
      });
    return { mid: mid, low: low, high: high };
  }

  function pastPoints(rows, firstTime) {
    var seen = {}, out = [];
    rows.forEach(function (r) {
      var t = Math.floor(r.target_ts / 1000);
      if (t >= firstTime && !seen[t]) { seen[t] = 1; out.push({ time: t, value: r.predicted_price }); }
    });
    return out.sort(function (a, b) { return a.time - b.time; });
  }

  function fillPast(rows) {
    var table = document.getElementById("past");
    if (!table) { return; }
    while (table.rows.length > 1) { table.deleteRow(1); }
    rows.slice(0, 20).forEach(function (r) {
      var tr = table.insertRow(-1);
      [new Date(r.made_at).toISOString().slice(0, 16).replace("T", " "), r.horizon,
       r.predicted_price.toPrecision(6), r.realised_price === null ? "—" : r.realised_price.toPrecision(6),
       r.inside_interval === null ? "—" : (r.inside_interval ? "✓" : "✗")].forEach(function (v) {
        tr.insertCell(-1).textContent = v;
      });
    });
  }

  function drawCoin() {
    var el = document.getElementById("chart");
    if (!el) { return Promise.resolve(); }
    if (!state.chart) { makeChart(el); }
    var coin = el.dataset.coin, tf = el.dataset.timeframe;
    el.dataset.drawn = "0";
    var q = "coin=" + encodeURIComponent(coin);
    return Promise.all([
      getJSON("/api/v1/bars?" + q + "&timeframe=" + tf + "&limit=5000"),
      getJSON("/api/v1/questions/price?" + q).catch(function () { return null; }),
      getJSON("/api/v1/tracker?" + q + "&limit=200").catch(function () { return { predictions: [] }; })
    ]).then(function (got) {
      var bars = got[0], s = state.series, points = [], volumes = [];
      for (var i = 0; i < bars.count; i++) {
        var t = Math.floor(bars.ts[i] / 1000);
        points.push({ time: t, open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i] });
        volumes.push({ time: t, value: bars.volume[i] || 0,
          color: bars.close[i] >= bars.open[i] ? "rgba(38,166,154,0.5)" : "rgba(239,83,80,0.5)" });
      }
      s.candles.setData(points);
      s.volume.setData(volumes);
      s.sma.setData(document.getElementById("show-sma").checked ? sma(points, 20) : []);
      s.ema.setData(document.getElementById("show-ema").checked ? ema(points, 50) : []);
      var f = points.length ? fan(points[points.length - 1], got[1]) : { mid: [], low: [], high: [] };
      s.fanMid.setData(f.mid.length > 1 ? f.mid : []);
      s.fanLow.setData(f.low.length > 1 ? f.low : []);
      s.fanHigh.setData(f.high.length > 1 ? f.high : []);
      s.past.setData(points.length ? pastPoints(got[2].predictions || [], points[0].time) : []);
      fillPast(got[2].predictions || []);
      state.chart.timeScale().fitContent();
      var note = document.getElementById("chart-note");
      if (!points.length && note) { note.textContent = el.dataset.empty; }
      el.dataset.bars = String(s.candles.data().length);
      el.dataset.drawn = "1";
      state.lastDraw += 1;
      el.dataset.draws = String(state.lastDraw);
      if (window.performance && performance.mark) { performance.mark("chart-drawn"); }
    }).catch(function (err) {
      el.dataset.drawn = "error";
      el.dataset.error = String(err.message || err);
    });
  }

  function wireCoinControls() {
    var form = document.getElementById("chart-controls");
    if (!form) { return; }
    var el = document.getElementById("chart");
    function sync() {
      form.querySelectorAll("button.tf").forEach(function (b) {
        b.classList.toggle("on", b.dataset.tf === el.dataset.timeframe);
      });
      history.replaceState(null, "", "/coin?id=" + encodeURIComponent(el.dataset.coin) + "&tf=" + el.dataset.timeframe);
    }
    form.addEventListener("click", function (ev) {
      var b = ev.target.closest("button.tf");
      if (!b) { return; }
      ev.preventDefault();
      el.dataset.timeframe = b.dataset.tf;
      sync();
      drawCoin();
    });
    document.getElementById("coin-select").addEventListener("change", function (ev) {
      el.dataset.coin = ev.target.value;
      sync();
      drawCoin();
    });
    ["show-sma", "show-ema"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", drawCoin);
    });
  }

  function drawEquity() {
    document.querySelectorAll(".equity").forEach(function (el) {
      var ts = JSON.parse(el.dataset.ts), labels = JSON.parse(el.dataset.labels);
      var curves = [JSON.parse(el.dataset.strategy), JSON.parse(el.dataset.hold)];
      var chart = LWC.createChart(el, { height: 220, timeScale: { timeVisible: true } });
      var colours = ["#1e88e5", "#757575", "#43a047"];
      curves.concat([ts.map(function () { return 1; })]).forEach(function (values, k) {
        var line = chart.addLineSeries({ color: colours[k], lineWidth: 2, title: labels[k], priceLineVisible: false });
        var seen = {}, data = [];
        ts.forEach(function (t, i) {
          var s = Math.floor(t / 1000);
          if (!seen[s]) { seen[s] = 1; data.push({ time: s, value: values[i] }); }
        });
        line.setData(data);
      });
      chart.timeScale().fitContent();
      el.dataset.drawn = "1";
    });
  }

  function wireRetrain() {
    document.querySelectorAll("form.retrain").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var out = document.getElementById("retrain-state");
        fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) { out.textContent = JSON.stringify(data); });
      });
    });
  }

  function refreshMain() {
    /* Pages without a chart re-render on the server: fetch this page and swap <main>. */
    return fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (fresh) { document.getElementById("main").replaceWith(fresh); }
        wireRetrain();
        drawEquity();
      });
  }

  /* Pages that follow the store; a form being filled in (questions, login) is never reset. */
  var LIVE_PAGES = { overview: 1, track: 1, models: 1, evaluation: 1 };

  function listen() {
    if (!window.EventSource) { return; }
    var dot = document.getElementById("live");
    var source = new EventSource("/api/v1/events");
    source.addEventListener("hello", function () { dot.classList.add("on"); });
    source.addEventListener("update", function (ev) {
      var data = JSON.parse(ev.data);
      var page = document.body.dataset.page;
      var done = document.getElementById("chart") ? drawCoin()
        : (LIVE_PAGES[page] ? refreshMain() : Promise.resolve());
      done.then(function () { document.body.dataset.liveVersion = String(data.version); });
    });
    source.onerror = function () { dot.classList.remove("on"); };
    window.addEventListener("beforeunload", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireCoinControls();
    wireRetrain();
    if (LWC) { drawCoin(); drawEquity(); }
    listen();
  });
})();
