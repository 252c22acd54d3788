// pilot-booking console: the little the pages need in the browser. Charts are drawn from the JSON in
// data-chart (server-rendered figures; the script holds no figure of its own), on load and after htmx swaps.
(function () {
  'use strict';
  function drawCharts(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll('.chart[data-chart]').forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = '1';
      var option = JSON.parse(el.dataset.chart);
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      // A click on a bar or point follows its drill-down link (the table under the chart has the same links).
      var links = option.links || [];
      delete option.links;
      chart.setOption(option);
      chart.on('click', function (p) {
        var href = links[p.dataIndex];
        if (href) window.location.href = href;
      });
      window.addEventListener('resize', function () {
        chart.resize();
      });
    });
  }
  document.addEventListener('DOMContentLoaded', function () {
    drawCharts(document);
  });
  document.addEventListener('htmx:afterSwap', function (e) {
    drawCharts(e.target);
  });
  // Forms marked data-confirm ask before they send (cancel, reject).
  document.addEventListener('submit', function (e) {
    var msg = e.target && e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
