/**
 * The hosts handler (plugin/hosts/hosts.go): A, AAAA and PTR from the hosts data. A name in the
 * zones with no address at all is SERVFAIL (there is no SOA for an NXDOMAIN) unless it falls
 * through; a name with addresses of the other family, or asked for another type, is NODATA.
 */
import type { Answer } from "dns-packet";
import { addressFromReverse } from "../../../util/ip.ts";
import { Flag, replyTo } from "../../message/message.ts";
import { matchZone } from "../../names.ts";
import { type Handler, nextOrFailure, Rcode } from "../../plugin.ts";
import type { Hostsfile } from "./hostsfile.ts";

export interface HostsOptions {
  zones: string[];
  ttl: number;
  /** fallthrough zones ([] = never, ["."] = all). */
  fall: string[];
  fallthroughUnsupported: boolean;
}

export function hostsHandler(h: Hostsfile, o: HostsOptions, next: Handler | undefined): Handler {
  const through = (name: string) => o.fall.length > 0 && matchZone(o.fall, name) !== "";
  return {
    name: "hosts",
    async serveDNS(req, w, signal) {
      const qname = req.lname;
      const zone = matchZone(o.zones, qname);
      // PTR names need not be in the zones.
      if (zone === "" && req.qtype !== "PTR") return nextOrFailure("hosts", next, req, w, signal);
      let answers: Answer[] = [];
      switch (req.qtype) {
        case "PTR": {
          const names = h.lookupAddr(addressFromReverse(qname));
          if (names.length === 0) return nextOrFailure("hosts", next, req, w, signal);
          answers = names.map((n) => ({ name: qname, type: "PTR", class: "IN", ttl: o.ttl, data: n }));
          break;
        }
        case "A":
          answers = h
            .lookupV4(qname)
            .map((ip) => ({ name: qname, type: "A", class: "IN", ttl: o.ttl, data: ip }));
          break;
        case "AAAA":
          answers = h
            .lookupV6(qname)
            .map((ip) => ({ name: qname, type: "AAAA", class: "IN", ttl: o.ttl, data: ip }));
          break;
        default:
          if (o.fallthroughUnsupported && through(qname)) return nextOrFailure("hosts", next, req, w, signal);
      }
      if (answers.length === 0 && h.lookupV4(qname).length === 0 && h.lookupV6(qname).length === 0) {
        if (through(qname)) return nextOrFailure("hosts", next, req, w, signal);
        return Rcode.SERVFAIL;
      }
      const m = replyTo(req.msg);
      m.flags = (m.flags ?? 0) | Flag.AA;
      m.answers = answers;
      w.write(m);
      return Rcode.NOERROR;
    },
  };
}
