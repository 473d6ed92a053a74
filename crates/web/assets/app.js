// wuyu page script. Loaded with `defer` after htmx and (on chart pages) ECharts.
// The CSP forbids inline scripts, so charts are declared in markup:
//   <div class="chart" data-chart="ID"></div>
//   <script type="application/json" id="ID">{ ECharts option }</script>
// and initialised here, on load and after every htmx swap.
(function () {
  'use strict';

  var charts = [];

  function initCharts(root) {
    if (!window.echarts || !root || !root.querySelectorAll) return;
    var nodes = root.querySelectorAll('[data-chart]');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (el.getAttribute('data-chart-ready')) continue;
      var src = document.getElementById(el.getAttribute('data-chart'));
      if (!src) continue;
      var option;
      try {
        option = JSON.parse(src.textContent);
      } catch (err) {
        console.error('wuyu: bad chart options', err);
        continue;
      }
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(option);
      el.setAttribute('data-chart-ready', '1');
      charts.push(chart);
    }
  }

  function resizeAll() {
    charts = charts.filter(function (c) { return !c.isDisposed(); });
    charts.forEach(function (c) { c.resize(); });
  }

  function onReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn);
    } else {
      fn();
    }
  }

  onReady(function () { initCharts(document); });
  document.addEventListener('htmx:afterSwap', function (e) { initCharts(e.target); });
  window.addEventListener('resize', resizeAll);
})();
