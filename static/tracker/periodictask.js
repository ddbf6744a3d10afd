// django-celery-beat's periodic task form: the readable translation of the chosen crontab.
// (The package ships this as an inline script, which the Content-Security-Policy blocks.)
'use strict';
(function ($) {
  $(function () {
    var data = document.getElementById('readable-crontabs');
    var help = document.getElementById('periodic-task-crontab-help');
    if (!data || !help) { return; }
    var readable = JSON.parse(data.textContent);
    var original = help.getAttribute('data-help') || '';
    $('.field-crontab_translation').hide();
    $('.field-crontab').change(function () {
      var text = readable[$('#id_crontab').val()] || '';
      var box = $('.field-crontab .help');
      box.text(original);
      if (text) { box.append(document.createElement('br')).append(document.createTextNode('Translation: ' + text)); }
    });
  });
})(django.jQuery);
