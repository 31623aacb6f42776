// The console's only script, served as a file (the CSP allows no inline script). It adds
// progressive enhancements; every page works without it except the Copy buttons, which stay
// hidden when scripts do not run (the value is still in a selectable read-only field).
export const CONSOLE_JS = String.raw`(function () {
  'use strict';

  function copyText(field) {
    var text = 'value' in field ? field.value : field.textContent || '';
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallback(field); });
    }
    return Promise.resolve(fallback(field));
  }

  function fallback(field) {
    try {
      if (typeof field.select === 'function') field.select();
      return document.execCommand('copy');
    } catch (e) {
      return false;
    }
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!field) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      copyText(field).then(function (ok) {
        if (status) status.textContent = ok ? 'Copied to clipboard.' : 'Select the text and press Ctrl+C (⌘C on a Mac) to copy.';
      });
    });
  });

  // Times are rendered in UTC (right without a script); shown in the browser's time zone here, with
  // the UTC time kept in the tooltip. data-local: "exact" (date and time) or "clock" (time; date too
  // when not today).
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function localText(d, kind) {
    var hm = two(d.getHours()) + ':' + two(d.getMinutes());
    var day = d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate());
    if (kind === 'clock') {
      var now = new Date();
      var today = now.getFullYear() === d.getFullYear() && now.getMonth() === d.getMonth() && now.getDate() === d.getDate();
      return today ? hm : day + ' ' + hm;
    }
    return day + ' ' + hm;
  }
  document.querySelectorAll('time[datetime]').forEach(function (el) {
    var d = new Date(el.getAttribute('datetime'));
    if (isNaN(d.getTime())) return;
    var utc = el.getAttribute('title') || '';
    el.setAttribute('title', localText(d, 'exact') + ' your time · ' + utc);
    var kind = el.getAttribute('data-local');
    if (kind) el.textContent = localText(d, kind);
  });

  // CSV import: a chosen file is read into the textarea (without scripts, paste the file's contents).
  document.querySelectorAll('input[type="file"][data-csv-into]').forEach(function (input) {
    var target = document.getElementById(input.getAttribute('data-csv-into'));
    if (!target || typeof FileReader === 'undefined') return;
    input.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { target.value = String(reader.result || ''); };
      reader.readAsText(file);
    });
  });

  document.querySelectorAll('input[readonly][data-select]').forEach(function (input) {
    input.addEventListener('focus', function () { input.select(); });
  });
})();
`;
