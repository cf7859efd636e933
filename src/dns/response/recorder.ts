/**
 * A ResponseWriter that remembers what was written (CoreDNS's dnstest.Recorder), for plugins
 * that look at the reply after calling next (log, cache, metrics…).
 */
import { performance } from "node:perf_hooks";
import type { Packet } from "dns-packet";
import { rcodeOf } from "../message/message.ts";
import { WrappedWriter } from "./wrapped.ts";

export class Recorder extends WrappedWriter {
  msg: Packet | undefined;
  rcode = 0;
  readonly start = performance.now();

  write(msg: Packet): void {
    this.msg = msg;
    this.rcode = rcodeOf(msg);
    this.inner.write(msg);
  }
}
