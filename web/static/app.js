// Progressive enhancement only: every page works without this file.
// - "Copy citation" buttons copy the citation text shown in the <details> beside them.
// - The upload form sends files in the background (drag and drop too) and polls the job's JSON.
// - "/" focuses the search box; changing the match mode re-runs the current search.
// Nothing here builds HTML from strings: text goes in through textContent only.
"use strict";

(function () {
  function announce(text) {
    var live = document.getElementById("live");
    if (live) live.textContent = text;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  function setupCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(source.textContent).then(function () {
          button.textContent = "Copied";
          button.classList.add("done");
          announce("Citation copied to the clipboard");
        }, function () {
          var details = source.closest("details");
          if (details) details.open = true;
          button.textContent = "Select the text below";
        });
        setTimeout(function () {
          button.textContent = label;
          button.classList.remove("done");
        }, 1800);
      });
    });
  }

  function setupSearchForm() {
    var box = document.getElementById("q");
    if (!box) return;
    document.addEventListener("keydown", function (event) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (event.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(tag)) {
        event.preventDefault();
        box.focus();
        box.select();
      }
    });
    box.form.addEventListener("submit", function () {
      // Tidy, shareable URLs: leave out the filters that are not set.
      box.form.querySelectorAll(".filters select, .filters input").forEach(function (field) {
        if (!field.value) field.disabled = true;
      });
    });
    window.addEventListener("pageshow", function () {
      box.form.querySelectorAll(".filters [disabled]").forEach(function (field) { field.disabled = false; });
    });
    document.querySelectorAll(".modes input").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (box.value.trim()) box.form.submit();
      });
    });
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 0) + " MB";
  }

  function setupUpload() {
    var form = document.getElementById("upload-form");
    if (!form || !window.FormData || !window.XMLHttpRequest) return;
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var chosen = form.querySelector(".chosen");
    var box = form.querySelector(".progress");
    var bar = box.querySelector("progress");
    var status = box.querySelector(".status");
    var problem = form.querySelector(".alert");
    var submit = form.querySelector("button[type=submit]");
    var maxBytes = Number(form.getAttribute("data-max-bytes"));
    var maxFiles = Number(form.getAttribute("data-max-files"));
    form.querySelectorAll(".drop-hint").forEach(function (hint) { hint.hidden = false; });

    function listFiles() {
      chosen.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + " (" + megabytes(file.size) + ")";
        chosen.appendChild(item);
      });
    }

    function fail(message) {
      problem.textContent = message;
      problem.hidden = false;
      box.hidden = true;
      submit.disabled = false;
    }

    function parse(text) {
      try { return JSON.parse(text); } catch (error) { return null; }
    }

    function poll(job) {
      bar.max = Math.max(job.total_files, 1);
      bar.value = job.done_files;
      status.textContent = job.status === "queued"
        ? "Waiting for the previous upload to finish…"
        : "Ingesting: " + job.done_files + " of " + job.total_files + " files, " + job.chunks + " passages";
      if (job.status === "done" || job.status === "failed") {
        window.location.assign(job.links.page);
        return;
      }
      setTimeout(function () {
        fetch(job.links.self, { headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(poll, function () { window.location.assign(job.links.page); });
      }, 600);
    }

    input.addEventListener("change", listFiles);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.remove("dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        listFiles();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var total = 0;
      Array.prototype.forEach.call(input.files, function (file) { total += file.size; });
      if (input.files.length > maxFiles) return fail("Choose at most " + maxFiles + " files per upload.");
      if (total > maxBytes) {
        return fail("These files add up to " + megabytes(total) + "; the limit is " + megabytes(maxBytes) +
          " per upload. Upload fewer or smaller files at a time.");
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (progress) {
        if (!progress.lengthComputable) return;
        bar.max = progress.total;
        bar.value = progress.loaded;
        status.textContent = "Uploading… " + Math.round((100 * progress.loaded) / progress.total) + "%";
      });
      request.addEventListener("load", function () {
        var body = parse(request.responseText);
        if (request.status === 202 && body) return poll(body);
        fail(body && body.error ? body.error.message : "The upload failed (HTTP " + request.status + ").");
      });
      request.addEventListener("error", function () { fail("The upload failed: the server could not be reached."); });
      problem.hidden = true;
      box.hidden = false;
      submit.disabled = true;
      status.textContent = "Uploading…";
      request.send(new FormData(form));
    });
  }

  setupCopyButtons();
  setupSearchForm();
  setupUpload();
})();
