/**
 * whoami: answers every query with the client's address (A or AAAA) and a SRV
 * `_<proto>.<qname>` carrying its port, both in the additional section (plugin/whoami).
 */
import { Flag, replyTo } from "../../message/message.ts";
import type { Handler, Plugin } from "../../plugin.ts";

export const whoami: Plugin = () => handler;

const handler: Handler = {
  name: "whoami",
  serveDNS(req, w) {
    const m = replyTo(req.msg);
    m.flags = (m.flags ?? 0) | Flag.AA;
    const cls = req.qclass as "IN";
    const ip =
      req.remote.address.startsWith("::ffff:") && req.remote.address.includes(".")
        ? req.remote.address.slice(7)
        : req.remote.address;
    const srvName = req.name === "." ? `_${req.proto}.` : `_${req.proto}.${req.name}`;
    m.additionals = [
      req.remote.family === "IPv6"
        ? { name: req.name, type: "AAAA", class: cls, ttl: 0, data: ip }
        : { name: req.name, type: "A", class: cls, ttl: 0, data: ip },
      {
        name: srvName,
        type: "SRV",
        class: cls,
        ttl: 0,
        data: { priority: 0, weight: 0, port: req.remote.port, target: "." },
      },
    ];
    w.write(m);
    return Promise.resolve(0);
  },
};
