// An upload form marked data-upload-progress shows how much of the file is sent. Without this
// script (or without XMLHttpRequest upload events) the form posts as usual.
(function () {
  "use strict";
  function enhance(form) {
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    if (!bar || !window.FormData || !("upload" in new XMLHttpRequest())) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var request = new XMLHttpRequest();
      event.preventDefault();
      box.hidden = false;
      bar.value = 0;
      request.open("POST", form.action);
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
      request.addEventListener("load", function () {
        // the answer is the result page, as the plain post would have shown it
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        box.hidden = true;
        form.submit();
      });
      request.send(new FormData(form));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-upload-progress]");
    for (var i = 0; i < forms.length; i += 1) {
      enhance(forms[i]);
    }
  });
}());
