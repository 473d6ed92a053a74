// wuyu tables: every long table (a <table> with a <thead> and at least MIN_ROWS body rows)
// gets sortable column headers and a filter box above it; where a column is headed 姓名 the
// box is a name search. No framework: plain DOM, loaded with `defer` on every page.
// A table opts out with data-plain. Rows are hidden with the `hidden` attribute (the CSP
// allows no inline styles), and a sort keeps the original order as its tie-break.
(function () {
  'use strict';

  var MIN_ROWS = 8;

  function cellText(row, i) {
    var c = row.cells[i];
    return c ? c.textContent.trim() : '';
  }

  // A number if the whole cell reads as one: 12、-3.5、85.2%、1,200; otherwise null.
  function number(text) {
    var t = text.replace(/[,，%\s]/g, '');
    if (t === '' || t === '—' || t === '-') return null;
    return /^-?\d+(\.\d+)?$/.test(t) ? parseFloat(t) : null;
  }

  function compare(a, b) {
    var x = number(a), y = number(b);
    if (x !== null && y !== null) return x - y;
    if (x !== null) return -1;
    if (y !== null) return 1;
    return a.localeCompare(b, 'zh-Hans-CN');
  }

  function bodyRows(table) {
    var rows = [];
    for (var b = 0; b < table.tBodies.length; b++) {
      var rs = table.tBodies[b].rows;
      for (var r = 0; r < rs.length; r++) {
        // A placeholder row (one cell spanning the table) is not data.
        if (rs[r].cells.length === 1 && rs[r].cells[0].colSpan > 1) continue;
        rows.push(rs[r]);
      }
    }
    return rows;
  }

  function makeSortable(table, rows) {
    var head = table.tHead.rows[table.tHead.rows.length - 1];
    rows.forEach(function (r, i) { r.dataset.order = String(i); });
    Array.prototype.forEach.call(head.cells, function (th, col) {
      if (th.colSpan > 1) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.title = '按此列排序';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(head.cells, function (o) { o.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var sorted = rows.slice().sort(function (a, b) {
          var d = compare(cellText(a, col), cellText(b, col));
          if (d === 0) d = Number(a.dataset.order) - Number(b.dataset.order);
          return asc ? d : -d;
        });
        sorted.forEach(function (r) { r.parentNode.appendChild(r); });
      });
    });
  }

  function addFilter(table, rows) {
    var head = table.tHead.rows[table.tHead.rows.length - 1];
    var hasNames = Array.prototype.some.call(head.cells, function (th) {
      return th.textContent.trim() === '姓名';
    });
    var box = document.createElement('div');
    box.className = 'table-filter';
    var label = document.createElement('label');
    var input = document.createElement('input');
    input.type = 'search';
    input.placeholder = hasNames ? '输入姓名或学籍号' : '输入任意文字筛选';
    label.appendChild(document.createTextNode(hasNames ? '搜索姓名 ' : '筛选 '));
    label.appendChild(input);
    var count = document.createElement('span');
    count.className = 'muted';
    count.setAttribute('aria-live', 'polite');
    box.appendChild(label);
    box.appendChild(count);
    var anchor = table.closest('.table-wrap') || table;
    anchor.parentNode.insertBefore(box, anchor);
    function apply() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r) {
        var hit = q === '' || r.textContent.toLowerCase().indexOf(q) !== -1;
        r.hidden = !hit;
        if (hit) shown++;
      });
      count.textContent = q === '' ? '共 ' + rows.length + ' 行' : '显示 ' + shown + ' / ' + rows.length + ' 行';
    }
    input.addEventListener('input', apply);
    apply();
  }

  function enhance(root) {
    var tables = (root || document).querySelectorAll('table');
    Array.prototype.forEach.call(tables, function (table) {
      if (table.dataset.enhanced || table.hasAttribute('data-plain') || !table.tHead) return;
      var rows = bodyRows(table);
      if (rows.length < MIN_ROWS) return;
      table.dataset.enhanced = '1';
      makeSortable(table, rows);
      addFilter(table, rows);
    });
  }

  document.addEventListener('DOMContentLoaded', function () { enhance(document); });
  document.body && document.body.addEventListener('htmx:afterSwap', function (e) { enhance(e.target); });
})();
