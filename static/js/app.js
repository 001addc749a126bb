// Every page: confirm before destructive submits, buzz on an error message.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}

const feedback = document.querySelector("[data-feedback]");
if (feedback && "vibrate" in navigator) {
  navigator.vibrate(feedback.dataset.feedback === "error" ? [120, 80, 120] : 40);
}

// The login page: nobody is logged in here, so the pages the service worker kept for offline use
// (with the last user's name and form tokens in them) go; its copies of /static/ stay.
if (document.querySelector("form[data-login]") && "caches" in window) {
  caches.keys().then((names) => Promise.all(names.map((name) => caches.open(name).then((cache) =>
    cache.keys().then((requests) => Promise.all(requests
      .filter((request) => !new URL(request.url).pathname.startsWith("/static/"))
      .map((request) => cache.delete(request)))))))).catch(() => {});
}
