/**
 * A ResponseWriter around another one (as CoreDNS plugins embed dns.ResponseWriter): everything
 * but write passes through, including the server's tracker of which plugin answered (the
 * `plugin` label of coredns_dns_responses_total), so wrapping never loses it.
 */
import type { Packet } from "dns-packet";
import type { Remote, ResponseWriter } from "../plugin.ts";

type Tracker = { plugin?: string };

/** The plugin the innermost writer recorded, if it tracks one. */
export function trackedPlugin(inner: ResponseWriter | undefined): string | undefined {
  return (inner as Tracker | undefined)?.plugin;
}

/** Record `v` on the innermost writer when it tracks plugins. */
export function trackPlugin(inner: ResponseWriter | undefined, v: string | undefined): void {
  const t = inner as Tracker | undefined;
  if (t && typeof t.plugin === "string" && v !== undefined) t.plugin = v;
}

export abstract class WrappedWriter implements ResponseWriter {
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
  get plugin(): string | undefined {
    return trackedPlugin(this.inner);
  }
  set plugin(v: string | undefined) {
    trackPlugin(this.inner, v);
  }

  abstract write(msg: Packet): void;
}
