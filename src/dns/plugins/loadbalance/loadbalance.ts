/**
 * loadbalance: reorders the records of each reply on its way out (plugin/loadbalance). Only
 * NOERROR replies are touched, and never zone transfers.
 */
import type { Packet } from "dns-packet";
import { rcodeOf } from "../../message/message.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  type Remote,
  type Request,
  type ResponseWriter,
} from "../../plugin.ts";

/** Returns the reordered message (a new object: the original may be owned by a backend). */
export type Reorder = (msg: Packet) => Packet;

export function loadbalance(reorder: Reorder, roundRobinOnly = false): Plugin {
  return (next) => new LoadBalanceHandler(next, reorder, roundRobinOnly);
}

class LoadBalanceHandler implements Handler {
  readonly name = "loadbalance";
  constructor(
    private readonly next: Handler | undefined,
    private readonly reorder: Reorder,
    /** Only round_robin's shuffle (server/fastpath.ts repeats it on reply templates). */
    readonly roundRobinOnly: boolean,
  ) {}

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    return nextOrFailure(this.name, this.next, req, new ShuffleWriter(w, this.reorder), signal);
  }
}

class ShuffleWriter implements ResponseWriter {
  constructor(
    private readonly inner: ResponseWriter,
    private readonly reorder: Reorder,
  ) {}

  get written(): boolean {
    return this.inner.written;
  }
  get size(): number {
    return this.inner.size;
  }
  get remote(): Remote {
    return this.inner.remote;
  }
  /** The server's tracker for responses_total's plugin label, passed through. */
  get plugin(): string | undefined {
    return (this.inner as unknown as { plugin?: string }).plugin;
  }
  set plugin(v: string | undefined) {
    const t = this.inner as unknown as { plugin?: string };
    if (typeof t.plugin === "string" && v !== undefined) t.plugin = v;
  }

  write(msg: Packet): void {
    const qt = msg.questions?.[0]?.type;
    if (rcodeOf(msg) !== 0 || qt === "AXFR" || qt === "IXFR") {
      this.inner.write(msg);
      return;
    }
    this.inner.write(this.reorder(msg));
  }
}
