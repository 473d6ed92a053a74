// The phone answer form: a text item's counter shows how many characters are typed of the
// limit (the CSP forbids inline scripts, so the textarea names its counter in data-counter).
(function () {
  'use strict';
  function update(area) {
    var out = document.getElementById(area.getAttribute('data-counter'));
    if (out) {
      out.textContent = Array.from(area.value).length + ' / ' + area.getAttribute('maxlength') + ' 字';
    }
  }
  document.addEventListener('input', function (e) {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute('data-counter')) {
      update(e.target);
    }
  });
})();
