/**
 * A ResponseWriter that remembers what was written (CoreDNS's dnstest.Recorder), for plugins
 * that look at the reply after calling next (log, cache, metrics…).
 */
import type { Packet } from "dns-packet";
import { rcodeOf } from "../message/message.ts";
import type { Remote, ResponseWriter } from "../plugin.ts";

export class Recorder implements ResponseWriter {
  msg: Packet | undefined;
  rcode = 0;
  readonly start = performance.now();

  constructor(readonly inner: ResponseWriter) {}

  get written(): boolean {
    return this.inner.written;
  }

  get size(): number {
    return this.inner.size;
  }

  get remote(): Remote {
    return this.inner.remote;
  }

  /** The tracker field the server uses for responses_total's plugin label, passed through. */
  get plugin(): string | undefined {
    return (this.inner as unknown as { plugin?: string }).plugin;
  }

  set plugin(v: string | undefined) {
    const t = this.inner as unknown as { plugin?: string };
    if (typeof t.plugin === "string" && v !== undefined) t.plugin = v;
  }

  write(msg: Packet): void {
    this.msg = msg;
    this.rcode = rcodeOf(msg);
    this.inner.write(msg);
  }
}
