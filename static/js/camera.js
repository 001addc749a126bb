// The phone camera as a scanner: the browser's BarcodeDetector where it exists (Chrome on
// Android), else frames sent to the server, which decodes them with zbar and zxing-cpp.

const FRAME_MS = 450;
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
    if ("BarcodeDetector" in window) {
      try { this.detector = new window.BarcodeDetector(); } catch (err) { this.detector = null; }
    }
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
    this.canvas.width = this.video.videoWidth;
    this.canvas.height = this.video.videoHeight;
    this.canvas.getContext("2d").drawImage(this.video, 0, 0);
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
