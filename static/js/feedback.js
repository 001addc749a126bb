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
