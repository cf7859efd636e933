/**
 * Loop detection (plugin/loop): at startup the server sends itself `<random>.<random>.<zone> HINFO`;
 * the handler counts how often that query passes. More than twice means the query went out and
 * came back (a forwarding loop): fatal. Once the probe got an answer, the plugin turns itself off.
 */
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { isIPv6 } from "node:net";
import dnsPacket from "dns-packet";
import { matchZone } from "../../names.ts";
import { type Handler, nextOrFailure, type Served } from "../../plugin.ts";

export class Loop implements Handler {
  readonly name = "loop";
  next: Handler | undefined;
  /** The probe's name. */
  qname: string;
  /** The address probed, "host:port", for the message. */
  addr = "";
  private seen = 0;
  private off = false;

  constructor(
    readonly zone: string,
    private readonly fatal: (msg: string) => void,
  ) {
    this.qname = probeName(zone);
  }

  serveDNS(...[req, w, signal]: Parameters<Handler["serveDNS"]>): Served {
    if (req.qtype !== "HINFO" || this.off || matchZone([this.zone], req.lname) === "")
      return nextOrFailure(this.name, this.next, req, w, signal);
    if (req.lname === this.qname) this.seen++;
    if (this.seen > 2) {
      const remote = req.remote.family === "IPv6" ? `[${req.remote.address}]` : req.remote.address;
      this.fatal(
        `Loop (${remote}:${req.remote.port} -> ${this.addr}) detected for zone "${this.zone}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${this.qname}"`,
      );
    }
    return nextOrFailure(this.name, this.next, req, w, signal);
  }

  get count(): number {
    return this.seen;
  }

  reset(): void {
    this.seen = 0;
  }

  disable(): void {
    this.off = true;
  }

  get disabled(): boolean {
    return this.off;
  }
}

/** `<random 62-bit>.<random 62-bit>.<zone>` (setup.go qname). */
export function probeName(zone: string): string {
  const part = () => ((BigInt(randomInt(2 ** 31)) << 31n) | BigInt(randomInt(2 ** 31))).toString();
  return zone === "." ? `${part()}.${part()}.` : `${part()}.${part()}.${zone}`;
}

/** One UDP exchange of the probe (dns.Exchange: 2s read timeout); resolves when answered. */
export function sendProbe(host: string, port: number, qname: string, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(isIPv6(host) ? "udp6" : "udp4");
    const id = randomInt(0x10000);
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error("i/o timeout"));
    }, timeoutMs);
    sock.on("error", (e) => {
      clearTimeout(timer);
      sock.close();
      reject(e);
    });
    sock.on("message", (buf) => {
      if (buf.length < 2 || buf.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve();
    });
    const q = dnsPacket.encode({
      id,
      type: "query",
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: qname, type: "HINFO", class: "IN" }],
    });
    sock.send(q, port, host);
  });
}
