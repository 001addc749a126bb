// The phone camera as a scanner: the browser's BarcodeDetector where it exists (Chrome on
// Android), else frames sent to the server, which decodes them with zxing-cpp and checks the
// numbers with zbar.

const FRAME_MS = 450;
// A frame sent to the server is at most 1280x720 (either way up): enough pixels per module for
// a label filling a third of the view, and a JPEG small enough for poor Wi-Fi.
const LONG_SIDE = 1280;
const SHORT_SIDE = 720;
// What a warehouse prints; asking the detector for these only keeps it from "finding" others.
const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "itf",
  "qr_code", "data_matrix"];
// A code counts when it comes into view; held in view it does not count again. It must be out
// of sight this long first (a few frames, so one missed read does not make it "new").
const GONE_MS = 1500;

export class Camera {
  constructor({ video, decodeUrl, csrf, onCode, onError }) {
    Object.assign(this, { video, decodeUrl, csrf, onCode, onError });
    this.stream = null;
    this.timer = null;
    this.busy = false;
    this.seen = new Map(); // code -> when it was last in view
    this.canvas = document.createElement("canvas");
    this.detector = null;
  }

  async open() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("This browser cannot use the camera here (it needs https or localhost).");
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
    this.video.srcObject = this.stream;
    await this.video.play();
    this.detector = await makeDetector();
    this.timer = setInterval(() => this.tick(), FRAME_MS);
  }

  close() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.video.srcObject = null;
  }

  get isOpen() { return this.stream !== null; }

  async tick() {
    if (this.busy || !this.video.videoWidth) return;
    this.busy = true;
    try {
      const codes = this.detector ? await this.detectHere() : await this.detectOnServer();
      if (!this.isOpen) return; // closed while this frame was being read
      const now = Date.now();
      const fresh = codes.filter((code) => now - (this.seen.get(code) || 0) > GONE_MS);
      for (const code of codes) this.seen.set(code, now);
      // Two labels in view (a bin and a product) are each taken once, in the order read.
      for (const code of fresh) this.onCode(code);
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }

  async detectHere() {
    const found = await this.detector.detect(this.video);
    return found.map((b) => b.rawValue);
  }

  async detectOnServer() {
    const { videoWidth: width, videoHeight: height } = this.video;
    const scale = Math.min(1, LONG_SIDE / Math.max(width, height),
      SHORT_SIDE / Math.min(width, height));
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    this.canvas.getContext("2d").drawImage(this.video, 0, 0, this.canvas.width,
      this.canvas.height);
    const blob = await new Promise((resolve) => this.canvas.toBlob(resolve, "image/jpeg", 0.85));
    const form = new FormData();
    form.append("image", blob, "frame.jpg");
    const response = await fetch(this.decodeUrl, {
      method: "POST", body: form, credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrf, "Accept": "application/json" },
    });
    if (!response.ok) return [];
    const answer = await response.json();
    return answer.codes.map((c) => c.value);
  }
}

// The browser's own detector for the formats it supports, or null (then frames go to the server).
async function makeDetector() {
  if (!("BarcodeDetector" in window)) return null;
  try {
    const supported = await window.BarcodeDetector.getSupportedFormats();
    const formats = FORMATS.filter((f) => supported.includes(f));
    return formats.length ? new window.BarcodeDetector({ formats }) : null;
  } catch (err) {
    return null;
  }
}
