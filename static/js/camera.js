// The phone camera as a scanner, reading on the phone where it can: the browser's
// BarcodeDetector where it exists (Chrome on Android), else zxing-cpp compiled to WebAssembly
// (static/vendor, loaded only when the camera opens), else frames sent to the server, which
// decodes them with zxing-cpp and checks the numbers with zbar. Until the WebAssembly reader
// has loaded (a slow network) frames go to the server; if it cannot load, they go on doing so.

const FRAME_MS = 450;         // a frame to the server at most this often
const DEVICE_FRAME_MS = 150;  // read on the phone: as often as this
// While the WebAssembly reader loads, frames wait this long before going to the server instead
// (from the phone's cache it is there at once; on a slow network the server reads meanwhile).
const WASM_WAIT_MS = 2000;
// When the phone has read nothing for this long, a frame goes to the server now and then (at
// most one per SERVER_EVERY_MS): its retries (inverted, scaled up, turned, a second decoder)
// read some codes the phone's single pass does not.
const ALONE_MS = 1500;
const SERVER_EVERY_MS = 1500;
// The vendored zxing-wasm (its folder's VENDORED.md says what and whence).
const ZXING_WASM = "../vendor/zxing-wasm-3.1.8/";
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
// zxing-wasm's names of the same formats (the server's list, warehouse_app/scanning/symbols.py).
const WASM_FORMATS = ["EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "ITF", "QRCode",
  "DataMatrix", "DataBar", "DataBarLtd", "DataBarExp"];
// As the server's first pass: inverted symbols are looked for too (see trusted()).
export const WASM_OPTIONS = { formats: WASM_FORMATS, tryHarder: true, tryRotate: true, tryInvert: true,
  tryDownscale: true, textMode: "Plain", maxNumberOfSymbols: 8 };
const RETAIL = /^(EAN13|EAN8|UPCA|UPCE)$/; // zxing-wasm's names of what it read

export class Camera {
  constructor({ video, decodeUrl, csrf, onCode, onError }) {
    Object.assign(this, { video, decodeUrl, csrf, onCode, onError });
    this.stream = null;
    this.timer = null;
    this.busy = false;
    this.seen = new Map(); // code -> when it was last in view
    this.canvas = document.createElement("canvas");
    this.detector = null;
    this.wasm = null;     // zxing-wasm's reader, once loaded
    this.sentAt = 0;      // when the last frame went to the server
    this.waitUntil = 0;   // no frame to the server before this: the WebAssembly reader loads
    this.foundAt = 0;     // when the phone last read a code (or the camera opened)
  }

  // Where frames are read now: "detector", "wasm" or "server".
  get readsOn() { return this.detector ? "detector" : this.wasm ? "wasm" : "server"; }

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
    this.foundAt = Date.now();
    this.detector = await makeDetector();
    if (!this.detector && !this.wasm) {
      this.waitUntil = Date.now() + WASM_WAIT_MS;
      loadWasm().then((reader) => { this.wasm = reader; }, () => { this.waitUntil = 0; });
    }
    this.timer = setInterval(() => this.tick(), DEVICE_FRAME_MS);
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
    const now = Date.now();
    let where = this.readsOn;
    if (where !== "server" && now - this.foundAt > ALONE_MS
        && now - this.sentAt > SERVER_EVERY_MS) {
      where = "server"; // the phone reads nothing here: let the server try this frame
    } else if (where === "server" && now < Math.max(this.waitUntil, this.sentAt + FRAME_MS)) {
      return;
    }
    this.busy = true;
    try {
      const codes = where === "detector" ? await this.detectHere()
        : where === "wasm" ? await this.detectWasm() : await this.detectOnServer();
      if (!this.isOpen) return; // closed while this frame was being read
      const readAt = Date.now();
      if (codes.length && where !== "server") this.foundAt = readAt;
      const fresh = codes.filter((code) => readAt - (this.seen.get(code) || 0) > GONE_MS);
      for (const code of codes) this.seen.set(code, readAt);
      // Two labels in view (a bin and a product) are each taken once, in the order read.
      for (const code of fresh) this.onCode(code);
    } catch (err) {
      if (where === "wasm") this.wasm = null; // the phone's reader failed: the server reads
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }

  async detectHere() {
    const found = await this.detector.detect(this.video);
    return found.map((b) => b.rawValue);
  }

  // The video's current frame on the canvas, at most 1280x720; its 2D context.
  frame() {
    const { videoWidth: width, videoHeight: height } = this.video;
    const scale = Math.min(1, LONG_SIDE / Math.max(width, height),
      SHORT_SIDE / Math.min(width, height));
    this.canvas.width = Math.round(width * scale);
    this.canvas.height = Math.round(height * scale);
    const context = this.canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(this.video, 0, 0, this.canvas.width, this.canvas.height);
    return context;
  }

  async detectWasm() {
    const context = this.frame();
    const pixels = context.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const found = await this.wasm.readBarcodes(pixels, WASM_OPTIONS);
    // Top down, as the server lists them (a bin label above a product label: the bin first).
    found.sort((a, b) => top(a) - top(b));
    return found.map(trusted).filter((value) => value !== null);
  }

  async detectOnServer() {
    this.sentAt = Date.now();
    this.frame();
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

// zxing-wasm's reader with its .wasm from this server (never the CDN the package defaults to);
// rejects where WebAssembly is missing or blocked, or the files cannot be fetched.
let wasmReader = null;
export function loadWasm() {
  if (typeof WebAssembly !== "object") return Promise.reject(new Error("no WebAssembly"));
  wasmReader = wasmReader || (async () => {
    const reader = await import(new URL(`${ZXING_WASM}es/reader/index.js`, import.meta.url).href);
    const wasm = new URL(`${ZXING_WASM}reader/zxing_reader.wasm`, import.meta.url).href;
    await reader.prepareZXingModule({
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path) },
      fireImmediately: true,
    });
    return reader;
  })();
  wasmReader.catch(() => { wasmReader = null; }); // the next camera opening tries again
  return wasmReader;
}

function top(result) {
  const p = result.position;
  return Math.min(p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y);
}

// The value the server's decoder would give for this read, or null when it is not to be
// trusted. The server's rule (warehouse_app/scanning/symbols.py): a number counts from one
// decoder only from the frame as seen, with its check digit (an ITF only as ITF-14: other
// lengths carry none); an inverted read is a retry there, so its numbers need a second
// decoder the phone does not have. Text as encoded; GS1 with its symbology identifier;
// UPC-E as its 8 digits; an EAN-13 starting with 0 as the UPC-A it prints as.
export function trusted(result) {
  const { format, text } = result;
  const number = RETAIL.test(format) || format.startsWith("ITF");
  if (number && result.isInverted) return null;
  if (format === "UPCE") {
    let upce = "";
    try { upce = JSON.parse(result.extra || "{}").UPCE || ""; } catch (err) { upce = ""; }
    return upce.length === 8 && checkDigitOk(upceToUpca(upce)) ? upce : null;
  }
  if (RETAIL.test(format)) {
    if (!checkDigitOk(text)) return null;
    return text.length === 13 && text.startsWith("0") ? text.slice(1) : text;
  }
  if (format.startsWith("ITF")) return text.length === 14 && checkDigitOk(text) ? text : null;
  return result.contentType === "GS1" ? result.symbologyIdentifier + text : text;
}

// The GS1 mod-10 check digit of an EAN, UPC-A or ITF-14 holds.
function checkDigitOk(digits) {
  if (!/^\d{8,14}$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 2, weight = 3; i >= 0; i -= 1, weight = 4 - weight) {
    sum += Number(digits[i]) * weight;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

// The 12-digit UPC-A a zero-suppressed UPC-E stands for (symbols.upce_to_upca).
function upceToUpca(upce) {
  if (!/^[01]\d{7}$/.test(upce)) return "";
  const [system, d, check] = [upce[0], upce.slice(1, 7), upce[7]];
  const last = d[5];
  let body;
  if ("012".includes(last)) body = d.slice(0, 2) + last + "0000" + d.slice(2, 5);
  else if (last === "3") body = d.slice(0, 3) + "00000" + d.slice(3, 5);
  else if (last === "4") body = d.slice(0, 4) + "00000" + d[4];
  else body = d.slice(0, 5) + "0000" + last;
  return system + body + check;
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
