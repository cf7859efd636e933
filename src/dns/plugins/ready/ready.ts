/**
 * ready: GET /ready answers 200 "OK" once every plugin that reports readiness (Handler.ready)
 * in the blocks using _ready_ has said so, else 503 with the sorted, comma-separated names of
 * those that have not (plugin/ready). The list is per DNS instance and spans every block and
 * address; by default a plugin that was ready once is not asked again (`monitor until-ready`).
 */
import type { HttpRegistration } from "../../http.ts";
import type { Handler, InstanceControl, SetupContext } from "../../plugin.ts";

export type Monitor = "until-ready" | "continuously";

interface Entry {
  handlers: readonly Handler[];
  monitor: Monitor;
  /** Handlers that reported ready once (until-ready mode stops asking them). */
  confirmed: Set<Handler>;
}

/** What one DNS instance's /ready endpoints report. */
export class Readiness {
  private readonly entries = new Set<Entry>();
  shuttingDown = false;

  add(handlers: readonly Handler[], monitor: Monitor): () => void {
    const e: Entry = {
      handlers: handlers.filter((h) => typeof h.ready === "function"),
      monitor,
      confirmed: new Set(),
    };
    this.entries.add(e);
    return () => this.entries.delete(e);
  }

  /** [ready, names of the plugins not ready (sorted, unique)]. */
  check(): [boolean, string[]] {
    const waiting = new Set<string>();
    for (const e of this.entries) {
      for (const h of e.handlers) {
        if (e.confirmed.has(h)) continue;
        if (h.ready?.()) {
          if (e.monitor === "until-ready") e.confirmed.add(h);
          continue;
        }
        waiting.add(h.name);
      }
    }
    const names = [...waiting].sort();
    return [names.length === 0, names];
  }
}

const perInstance = new WeakMap<InstanceControl, Readiness>();

export function readinessOf(instance: InstanceControl): Readiness {
  let r = perInstance.get(instance);
  if (!r) {
    r = new Readiness();
    perInstance.set(instance, r);
  }
  return r;
}

export function installReady(ctx: SetupContext, addr: string, monitor: Monitor): void {
  const state = readinessOf(ctx.instance);
  let reg: HttpRegistration | undefined;
  let remove: (() => void) | undefined;

  ctx.onStartup(async () => {
    remove = state.add(ctx.handlers(), monitor);
    state.shuttingDown = false;
    reg = await ctx.http.register(addr, "/ready", (_req, res) => {
      const text = { "content-type": "text/plain; charset=utf-8" };
      if (state.shuttingDown) {
        res.writeHead(503, text).end("Shutting down");
        return;
      }
      const [ok, names] = state.check();
      if (ok) {
        res.writeHead(200, text).end("OK");
        return;
      }
      const list = names.join(",");
      ctx.log.info(`Plugins not ready: ${JSON.stringify(list)}`);
      res.writeHead(503, text).end(list);
    });
  });

  // Stop reporting ready before health's lameduck wait (ready runs first in plugin.cfg).
  ctx.onFinalShutdown(() => {
    state.shuttingDown = true;
  });

  ctx.onShutdown(async () => {
    remove?.();
    remove = undefined;
    await reg?.release();
    reg = undefined;
  });
}
