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
  type Request,
  type ResponseWriter,
  type Served,
} from "../../plugin.ts";
import { WrappedWriter } from "../../response/wrapped.ts";

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

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served {
    return nextOrFailure(this.name, this.next, req, new ShuffleWriter(w, this.reorder), signal);
  }
}

class ShuffleWriter extends WrappedWriter {
  constructor(
    inner: ResponseWriter,
    private readonly reorder: Reorder,
  ) {
    super(inner);
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
