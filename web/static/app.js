// vouchgraph's only script: small enhancements. Every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: shown only when the clipboard can be used.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = "Copied";
      } catch {
        field.select();
        button.textContent = "Press Ctrl+C to copy";
      }
      setTimeout(() => { button.textContent = label; }, 2500);
    });
  }

  // Read-only fields select their whole value on focus, ready to copy.
  for (const field of document.querySelectorAll("input[readonly]")) {
    field.addEventListener("focus", () => field.select());
  }

  // Forms disable their submit button once sent, so a double click posts once.
  for (const form of document.querySelectorAll("form[method='post']")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type='submit']")) {
        button.disabled = true;
      }
    });
  }
  // Place fields suggest places as people type (GET /v1/places), into their datalist. Without
  // JavaScript the field still takes what is typed, and the server says if it is ambiguous.
  for (const field of document.querySelectorAll("input[data-places]")) {
    const list = document.getElementById(field.dataset.places);
    let timer = null;
    let asked = "";
    field.addEventListener("input", () => {
      clearTimeout(timer);
      const typed = field.value.trim();
      if (typed.length < 2 || typed === asked) return;
      timer = setTimeout(async () => {
        asked = typed;
        try {
          const answer = await fetch("/v1/places?limit=8&q=" + encodeURIComponent(typed));
          if (!answer.ok) return;
          const { places } = await answer.json();
          list.replaceChildren(...places.map((p) => {
            const option = document.createElement("option");
            option.value = p.label;
            return option;
          }));
        } catch (_) {
          // Suggestions are a help, not a need: typing on works.
        }
      }, 150);
    });
  }

  // An address book chosen as a file is read here, in the browser, into the paste field:
  // the form then posts text, and without JavaScript pasting works the same.
  const bookFile = document.getElementById("contacts-file");
  const bookText = document.getElementById("contacts");
  if (bookFile && bookText && window.FileReader) {
    document.getElementById("contacts-file-field").hidden = false;
    bookFile.addEventListener("change", () => {
      const file = bookFile.files[0];
      if (!file) return;
      const reader = new FileReader();
      reader.onload = () => { bookText.value = reader.result; };
      reader.readAsText(file);
    });
  }

  // A form that cannot be undone asks first (without JavaScript it posts at once, as its
  // button says).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
