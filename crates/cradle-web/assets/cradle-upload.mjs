// Uploads a video feedback recording with the tus resumable-upload protocol (tus-js-client,
// served by Cradle). The form's answers go first, as the page would send them, so the server
// checks them against the family's consent to film before any of the film is sent; problems
// come back as the page with its error summary, and the file chosen stays chosen. Then the
// film is sent; a dropped connection is retried and the upload resumes where the server says
// it stopped. The browser keeps nothing of the film or of where it was sent.

function describe(body) {
  try {
    const problem = JSON.parse(body);
    return problem.detail || problem.title;
  } catch {
    return "the connection was lost.";
  }
}

function bind(form) {
  let upload = null;
  const panel = form.querySelector("[data-upload-progress]");
  const status = form.querySelector("[data-upload-status]");
  const bar = form.querySelector("progress");
  const resume = form.querySelector("[data-upload-resume]");
  const submit = form.querySelector("button[type=submit]");

  function show(state, text) {
    panel.hidden = false;
    panel.dataset.state = state;
    status.textContent = text;
  }

  // The NHS error summary at the top of the page, focused, as for any other problem.
  function showProblem(text) {
    document.querySelector("[data-upload-problem]")?.remove();
    const summary = document.createElement("div");
    summary.className = "nhsuk-error-summary";
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.dataset.uploadProblem = "";
    const title = document.createElement("h2");
    title.className = "nhsuk-error-summary__title";
    title.textContent = "There is a problem";
    const body = document.createElement("div");
    body.className = "nhsuk-error-summary__body";
    const list = document.createElement("ul");
    list.className = "nhsuk-list nhsuk-error-summary__list";
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#file";
    link.textContent = text;
    item.append(link);
    list.append(item);
    body.append(list);
    summary.append(title, body);
    const column = form.closest(".nhsuk-grid-column-two-thirds");
    if (column) {
      column.prepend(summary);
    } else {
      form.before(summary);
    }
    summary.focus();
  }

  function sendFilm(address, file) {
    const csrf = form.querySelector("input[name=csrf_token]").value;
    upload = new window.tus.Upload(file, {
      uploadUrl: address,
      headers: { "X-CSRF-Token": csrf },
      chunkSize: 64 * 1024 * 1024,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
      storeFingerprintForResuming: false,
      onProgress(sent, total) {
        bar.max = total;
        bar.value = sent;
        show("sending", `${Math.floor((sent / total) * 100)}% sent`);
      },
      onError(error) {
        const answer = error && error.originalResponse;
        const why = answer ? describe(answer.getBody()) : "the connection was lost.";
        if (answer && answer.getStatus() === 422) {
          // Refused once it arrived (not a film, cut short, not what was sent): nothing of it
          // was kept, so there is nothing to resume; another file may be chosen.
          const sentence = why.endsWith(".") ? why : `${why}.`;
          show("refused", `The recording was not taken. ${sentence}`);
          showProblem(`The recording was not taken. ${sentence}`);
          submit.disabled = false;
          return;
        }
        show("stopped", `The upload stopped: ${why} Select “Resume the upload” to carry on from where it stopped.`);
        resume.hidden = false;
      },
      onSuccess() {
        show("done", "Uploaded. Going back to the family.");
        window.location.assign(form.dataset.done);
      },
    });
    upload.start();
  }

  resume.addEventListener("click", () => {
    resume.hidden = true;
    show("sending", "Resuming…");
    upload.start();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.querySelector("input[type=file]").files[0];
    const answers = new URLSearchParams(new FormData(form));
    answers.delete("file");
    answers.set("length", file ? String(file.size) : "");
    answers.set("file_name", file ? file.name : "");
    submit.disabled = true;
    show("checking", "Checking the recording against the consent to film…");
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: answers,
        headers: { "X-Requested-With": "cradle-upload" },
        credentials: "same-origin",
      });
    } catch {
      submit.disabled = false;
      show("stopped", "Cradle could not be reached. Check the connection and try again.");
      return;
    }
    if (response.status === 201) {
      const made = await response.json();
      sendFilm(made.upload, file);
      return;
    }
    // The page again with its problems; the chosen file stays chosen.
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = page.querySelector("main");
    if (!main) {
      submit.disabled = false;
      show("stopped", "Something went wrong. Try again.");
      return;
    }
    document.title = page.title;
    document.querySelector("main").replaceWith(main);
    const again = main.querySelector("form[data-recording-upload]");
    if (again) {
      if (file) {
        const chosen = new DataTransfer();
        chosen.items.add(file);
        again.querySelector("input[type=file]").files = chosen.files;
      }
      bind(again);
    }
    main.querySelector(".nhsuk-error-summary")?.focus();
  });
}

const form = document.querySelector("form[data-recording-upload]");
if (form && window.tus) {
  bind(form);
}
