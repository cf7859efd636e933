// The ceiling of the native batched socket (native/udpio, what skiff dns uses on Linux): the same
// responder as bare.mjs (its own question plus one fixed A record, no parsing), but datagrams
// arrive up to 64 per JS call and the replies leave with one sendmmsg per batch.
// Usage: node bench/dns/bare-native.mjs PORT   (build the addon first: npm run build:native)
import { createRequire } from "node:module";
import { join } from "node:path";

const addon = createRequire(import.meta.url)(
  join(import.meta.dirname, "..", "..", "native", "udpio", "build", "Release", "udpio.node"),
);
const { BATCH, SLOT, OUT_OFF, META_OFF } = addon;
const port = Number(process.argv[2]);
let shared;
let meta;
const [handle, , , buf] = addon.open("127.0.0.1", port, (n) => {
  for (let i = 0; i < n; i++) {
    const len = meta[i];
    if (len < 12 || len > SLOT - 16) continue;
    const q = i * SLOT;
    const o = OUT_OFF + i * SLOT;
    shared.copy(shared, o, q, q + len);
    shared[o + 2] = 0x80 | (shared[q + 2] & 0x01);
    shared[o + 3] = 0x80;
    shared.writeUInt16BE(1, o + 6);
    const a = o + len;
    shared.writeUInt16BE(0xc00c, a);
    shared.writeUInt16BE(1, a + 2);
    shared.writeUInt16BE(1, a + 4);
    shared.writeUInt32BE(30, a + 6);
    shared.writeUInt16BE(4, a + 10);
    shared.writeUInt32BE(0x0a000001, a + 12);
    meta[BATCH + i] = len + 16;
  }
});
shared = buf;
meta = new Int32Array(buf.buffer, buf.byteOffset + META_OFF, 3 * BATCH);
console.log("bare native responder ready");
process.on("SIGTERM", () => {
  addon.close(handle);
  process.exit(0);
});
