// The ceiling for any Node DNS server on this machine: one UDP socket that answers every query
// with its own question plus one fixed A record (no parsing, no lookups), sent as Skiff sends
// (no resolver call per send). Usage: node bench/dns/bare.mjs PORT
import dgram from "node:dgram";

const port = Number(process.argv[2]);
const s = dgram.createSocket({ type: "udp4", lookup: (address, _family, cb) => cb(null, address, 4) });
s.on("message", (msg, rinfo) => {
  if (msg.length < 12) return;
  const out = Buffer.allocUnsafe(msg.length + 16);
  msg.copy(out, 0);
  out[2] = 0x80 | (msg[2] & 0x01);
  out[3] = 0x80;
  out.writeUInt16BE(1, 6);
  const o = msg.length;
  out.writeUInt16BE(0xc00c, o);
  out.writeUInt16BE(1, o + 2);
  out.writeUInt16BE(1, o + 4);
  out.writeUInt32BE(30, o + 6);
  out.writeUInt16BE(4, o + 10);
  out.writeUInt32BE(0x0a000001, o + 12);
  s.send(out, rinfo.port, rinfo.address);
});
s.bind(port, "127.0.0.1", () => console.log("bare responder ready"));
process.on("SIGTERM", () => s.close(() => process.exit(0)));
