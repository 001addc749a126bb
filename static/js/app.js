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
