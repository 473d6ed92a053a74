// wuyu page script. Loaded with `defer` after htmx and (on chart pages) ECharts.
// The CSP forbids inline scripts, so charts are declared in markup:
//   <div class="chart" data-chart="ID"></div>
//   <script type="application/json" id="ID">{ ECharts option }</script>
// and initialised here, on load and after every htmx swap.
//
// JSON cannot carry functions, so two things are filled in here:
//   - a series {"type": "custom", "wuyu": "errorbar", "data": [[x, low, high], ...]} is drawn as
//     vertical interval bars with caps (the caterpillar plot's confidence intervals);
//   - a container with data-chart-rows="N" (a heat map with N rows) is made tall enough for
//     its rows (CSSOM, which the CSP allows; style attributes it does not).
(function () {
  'use strict';

  var charts = [];

  function errorBar(params, api) {
    var x = api.value(0);
    var top = api.coord([x, api.value(2)]);
    var bottom = api.coord([x, api.value(1)]);
    var width = api.size([1, 0])[0];
    var half = Math.max(2, Math.min(6, width * 0.25));
    var style = { stroke: api.visual('color'), lineWidth: 1.5 };
    return {
      type: 'group',
      children: [
        { type: 'line', shape: { x1: top[0], y1: top[1], x2: bottom[0], y2: bottom[1] }, style: style },
        { type: 'line', shape: { x1: top[0] - half, y1: top[1], x2: top[0] + half, y2: top[1] }, style: style },
        { type: 'line', shape: { x1: bottom[0] - half, y1: bottom[1], x2: bottom[0] + half, y2: bottom[1] }, style: style }
      ]
    };
  }

  function prepare(option, el) {
    var series = option && option.series;
    if (!series || !series.length) return option;
    var columns = option.xAxis && option.xAxis.data ? option.xAxis.data.length : 0;
    for (var i = 0; i < series.length; i++) {
      var s = series[i];
      if (!s) continue;
      if (s.type === 'custom' && s.wuyu === 'errorbar') {
        s.renderItem = errorBar;
      }
      // Heat-map cells narrower than a label: leave the numbers to the tooltip.
      if (s.type === 'heatmap' && s.label && columns > 0 && (el.clientWidth - 120) / columns < 30) {
        s.label.show = false;
      }
    }
    return option;
  }

  function sizeFor(el) {
    var rows = parseInt(el.getAttribute('data-chart-rows') || '', 10);
    if (rows > 0) {
      el.style.height = Math.min(4000, Math.max(280, rows * 26 + 130)) + 'px';
    }
  }

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
      sizeFor(el);
      var chart = window.echarts.init(el, null, { renderer: 'canvas' });
      chart.setOption(prepare(option, el));
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

  // Upload forms (data-upload): sent with the CSRF header (a multipart body carries no form
  // token the server reads first), showing the upload's progress in words and, where the form
  // has a <progress class="upload-bar">, as a bar: the share sent while the file goes up, then
  // a moving bar while the server reads and checks it; the answer replaces the page (the
  // preview after a redirect, or the form again with the reason).
  function initUploads(root) {
    var forms = root.querySelectorAll('form[data-upload]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', submitUpload);
    }
  }

  function submitUpload(ev) {
    ev.preventDefault();
    var form = ev.currentTarget;
    var status = form.querySelector('.upload-progress');
    var button = form.querySelector('button[type=submit]');
    var meta = document.querySelector('meta[name=csrf-token]');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    if (meta) xhr.setRequestHeader('X-CSRF-Token', meta.getAttribute('content'));
    var bar = form.querySelector('progress.upload-bar');
    function say(text) {
      if (!status) return;
      status.hidden = false;
      status.textContent = text;
    }
    // A share in 0..1, or null for "working, length unknown" (an indeterminate bar).
    function fill(share) {
      if (!bar) return;
      bar.hidden = false;
      if (share === null) {
        bar.removeAttribute('value');
      } else {
        bar.value = Math.round(share * 100);
      }
    }
    function mb(bytes) { return (bytes / 1048576).toFixed(1); }
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable && e.total > 0) {
        var pct = Math.round((e.loaded / e.total) * 100);
        say('正在上传：' + pct + '%（' + mb(e.loaded) + ' / ' + mb(e.total) + ' MB）');
        fill(e.loaded / e.total);
      }
    });
    xhr.upload.addEventListener('load', function () {
      say('上传完成，正在读取和校验文件……');
      fill(null);
    });
    xhr.addEventListener('load', function () {
      if (xhr.responseURL && xhr.responseURL.indexOf('/imports/uploads/') >= 0) {
        window.location.assign(xhr.responseURL);
        return;
      }
      var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      var main = doc.querySelector('main');
      if (main) {
        document.querySelector('main').replaceWith(main);
        initUploads(main);
      } else {
        say('上传失败（' + xhr.status + '），请刷新页面后重试。');
      }
    });
    xhr.addEventListener('error', function () {
      say('上传中断，请检查网络后重试。');
      if (bar) bar.hidden = true;
      if (button) button.disabled = false;
    });
    if (button) button.disabled = true;
    say('正在上传……');
    fill(0);
    xhr.send(new FormData(form));
  }

  onReady(function () { initCharts(document); initUploads(document); });
  document.addEventListener('htmx:afterSwap', function (e) { initCharts(e.target); });
  window.addEventListener('resize', resizeAll);
})();
