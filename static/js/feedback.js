// Feedback the worker notices without looking: a tone and a buzz, plus the big coloured banner.
let audio = null;

function tone(freq, ms, type = "sine") {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = type;
    osc.frequency.value = freq;
    gain.gain.value = 0.25;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + ms / 1000);
  } catch (err) {
    // no audio on this device: the banner and the buzz still tell
  }
}

export function signal(kind) {
  if (kind === "ok") tone(1320, 90);
  else if (kind === "error") tone(220, 350, "square");
  else tone(880, 60);
  if ("vibrate" in navigator) {
    navigator.vibrate(kind === "error" ? [150, 80, 150] : 40);
  }
}

// Codes in a sentence (DOCK-01, PPE-008, SO-10621) move to the next line whole instead of
// breaking at their hyphen: each is put in a span that does not wrap; the text stays the same.
const CODE = /[A-Za-z0-9]+(?:[-/.][A-Za-z0-9]+)+/g;

export function words(el, value) {
  const text = String(value);
  el.textContent = "";
  let at = 0;
  for (const m of text.matchAll(CODE)) {
    if (m[0].length > 24) continue; // longer than a phone's line: let it break
    if (m.index > at) el.append(text.slice(at, m.index));
    const span = document.createElement("span");
    span.className = "word";
    span.textContent = m[0];
    el.append(span);
    at = m.index + m[0].length;
  }
  el.append(text.slice(at));
}
