// The portal's only script, served from the jar (CSP default-src 'self': no inline scripts).
// Every page works without it; it adds copy buttons, charts, the live click counter, "select all"
// for bulk actions, and the CSRF header on htmx requests.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the page's CSRF token as a header (forms carry it as a field too).
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  function initCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) { return; }
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-copy-target"));
        if (!target) { return; }
        var text = target.value !== undefined ? target.value : target.textContent;
        var done = function () {
          var status = document.getElementById(button.getAttribute("data-copy-status"));
          if (status) { status.textContent = "Copied to the clipboard."; }
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { target.select(); });
        } else {
          target.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* selected: the person copies it */ }
        }
      });
    });
  }

  function initSelectAll(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) {
      if (box.dataset.selectReady) { return; }
      box.dataset.selectReady = "1";
      box.hidden = false;
      box.addEventListener("change", function () {
        var form = box.form;
        var name = box.getAttribute("data-select-all");
        form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
  }

  function initCharts(root) {
    if (typeof window.uPlot === "undefined") { return; }
    root.querySelectorAll(".chart-canvas[data-chart]").forEach(function (element) {
      if (element.dataset.chartReady) { return; }
      element.dataset.chartReady = "1";
      var data = JSON.parse(element.getAttribute("data-chart"));
      var xs = data.days.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; });
      var colors = ["#2457c5", "#1a7f45", "#c2410c", "#7c3aed"];
      var series = [{}];
      var columns = [xs];
      data.series.forEach(function (line, index) {
        series.push({ label: line.label, stroke: colors[index % colors.length], width: 2, points: { show: xs.length < 40 } });
        columns.push(line.values);
      });
      var width = function () { return Math.max(260, element.clientWidth); };
      var chart = new window.uPlot({
        width: width(),
        height: 260,
        tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        scales: { x: { time: true } },
        series: series,
        axes: [{}, { size: 60 }]
      }, columns, element);
      window.addEventListener("resize", function () {
        chart.setSize({ width: width(), height: 260 });
      });
    });
  }

  // One EventSource per counter; the browser reconnects by itself when the portal ends a stream.
  function initLiveCounters(root) {
    root.querySelectorAll("[data-live-src]").forEach(function (element) {
      if (element.dataset.liveReady || typeof window.EventSource === "undefined") { return; }
      element.dataset.liveReady = "1";
      var value = element.querySelector("[data-live-value]");
      var when = element.querySelector("[data-live-as-of]");
      var source = new EventSource(element.getAttribute("data-live-src"));
      source.addEventListener("clicks", function (event) {
        var live = JSON.parse(event.data);
        value.textContent = live.clicksTodayText;
        if (when) { when.textContent = live.asOfText; }
        element.setAttribute("data-live-updated", String(Date.now()));
      });
    });
  }

  function init(root) {
    initCopyButtons(root);
    initSelectAll(root);
    initCharts(root);
    initLiveCounters(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
