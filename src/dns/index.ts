/**
 * `skiff dns` as a library: serve a Corefile, reload it (the new config is parsed, set up and
 * bound before the old one is dropped; a broken one throws and the old keeps serving), stop
 * gracefully.
 */
import { Registry } from "prom-client";
import { type BlockConfig, buildConfig, type Config, serverKey } from "./config.ts";
import { HttpListeners } from "./http.ts";
import type { Hook, InstanceControl, Logger, PluginModule } from "./plugin.ts";
import type { PodView } from "./podview.ts";
import { directEnabled } from "./server/direct.ts";
import { Listener } from "./server/listeners.ts";
import { Metrics, ServerMetrics } from "./server/metrics.ts";
import { DnsServer } from "./server/server.ts";

export interface StartOptions {
  corefile: string;
  /** The path errors mention and imports resolve from (default "Corefile" in the cwd). */
  corefilePath?: string;
  /** Port for keys without one (CoreDNS: 53). */
  defaultPort?: number;
  /** Listen host for blocks without `bind` ("" = every address). */
  defaultHost?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Where log lines go (default stdout, CoreDNS's "[LEVEL] prefix: message"). */
  log?: (line: string) => void;
  /** Show [DEBUG] lines. */
  debug?: boolean;
  /** How long stop/reload wait for in-flight queries before aborting them (default 5s). */
  shutdownMs?: number;
  /** TCP idle timeout (default 10s). */
  tcpIdleMs?: number;
  /** A shared metrics registry (default: a new one). */
  registry?: Registry;
  /** Extra plugins, chained after the registered ones (tests). */
  plugins?: readonly PluginModule[];
  /** Serve the Corefile as a CoreDNS pod's (see podview.ts). */
  podView?: PodView;
}

export interface Address {
  proto: "udp" | "tcp";
  address: string;
  port: number;
}

export interface DNSInstance {
  stop(): Promise<void>;
  reload(corefileText: string): Promise<void>;
  readonly addresses: Address[];
  readonly registry: Registry;
  readonly http: HttpListeners;
}

/** Loggers at CoreDNS's levels; fatal writes "[FATAL] …" and exits 1 (`exit` is for tests). */
export function makeLogger(
  sink: (line: string) => void,
  debug: boolean,
  exit: (code: number) => never = process.exit,
): (prefix: string) => Logger {
  return (prefix) => ({
    debug: (m) => {
      if (debug) sink(`[DEBUG] ${prefix}${m}`);
    },
    info: (m) => sink(`[INFO] ${prefix}${m}`),
    warn: (m) => sink(`[WARNING] ${prefix}${m}`),
    error: (m) => sink(`[ERROR] ${prefix}${m}`),
    fatal: (m) => {
      sink(`[FATAL] ${prefix}${m}`);
      return exit(1);
    },
  });
}

export async function startDNS(opts: StartOptions): Promise<DNSInstance> {
  const registry = opts.registry ?? new Registry();
  const metrics = new Metrics(registry);
  const serverMetrics = new ServerMetrics(metrics);
  const http = new HttpListeners();
  const sink = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = makeLogger(sink, opts.debug ?? false);
  const shutdownMs = opts.shutdownMs ?? 5000;
  const direct = directEnabled(opts.env ?? process.env);
  const listeners = new Map<string, Listener>();
  let current: Config | undefined;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  const control: InstanceControl = {
    corefile: () => current?.text ?? opts.corefile,
    reload: (text) => serialize(() => swap(text)),
  };
  const build = (text: string) =>
    buildConfig(text, {
      corefilePath: opts.corefilePath ?? "Corefile",
      defaultPort: opts.defaultPort ?? 53,
      defaultHost: opts.defaultHost ?? "",
      env: opts.env ?? process.env,
      metrics,
      http,
      logger,
      instance: control,
      extraPlugins: opts.plugins,
      podView: opts.podView,
    });

  function serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = queue.then(fn, fn);
    queue = p.catch(() => {});
    return p;
  }

  /** Build, bind and start `text`; only then retire the old config. */
  async function swap(text: string): Promise<void> {
    if (stopped) throw new Error("dns server is stopped");
    const next = await build(text);
    const servers = new Map<string, DnsServer>();
    for (const [key, spec] of next.servers) {
      servers.set(
        key,
        new DnsServer({
          addr: spec.addr,
          zones: spec.zones,
          classChaos: spec.classChaos,
          metrics: serverMetrics,
          log: logger(""),
          direct,
        }),
      );
    }
    const fresh = new Map<string, Listener>();
    try {
      for (const [key, spec] of next.servers) {
        if (listeners.has(key) && spec.port !== 0) continue;
        const failures = serverMetrics.udpReplyFailures;
        const l = new Listener(servers.get(key)!, {
          host: spec.host,
          port: spec.port,
          tcpIdleMs: opts.tcpIdleMs,
          failures: {
            bufferFull: failures.child({ server: spec.addr, reason: "buffer_full" }),
            error: failures.child({ server: spec.addr, reason: "error" }),
          },
        });
        await l.listen();
        fresh.set(key, l);
      }
      recordListening(next.blocks, (key) => fresh.get(key) ?? listeners.get(key));
      await runHooks(next.blocks, "startups");
    } catch (err) {
      await Promise.all([...fresh.values()].map((l) => l.close(0)));
      await runHooks(next.blocks, "shutdowns", logger("")).catch(() => {});
      throw err;
    }
    // Swap: kept addresses change server, new ones join, old-only ones leave.
    const retired: DnsServer[] = [];
    const leaving: Listener[] = [];
    for (const [key, l] of listeners) {
      const s = servers.get(key);
      if (s && !fresh.has(key)) {
        retired.push(l.server);
        l.server = s;
      } else {
        leaving.push(l);
        listeners.delete(key);
      }
    }
    for (const [key, l] of fresh) listeners.set(key, l);
    const old = current;
    current = next;
    enablePlugins(next);
    await Promise.all([
      ...retired.map((s) => s.drain(shutdownMs)),
      ...leaving.map((l) => l.close(shutdownMs)),
    ]);
    if (old) await runHooks(old.blocks, "shutdowns", logger(""));
  }

  function enablePlugins(cfg: Config): void {
    for (const b of cfg.blocks) {
      if (!b.metrics) continue;
      for (const host of b.hosts)
        for (const z of b.zones)
          for (const name of b.plugins) {
            const hostPart = host.includes(":") ? `[${host}]` : host;
            serverMetrics.pluginEnabled.set(
              { server: `dns://${hostPart}:${z.port}`, zone: z.zone, view: "", name },
              1,
            );
          }
    }
  }

  await serialize(() => swap(opts.corefile));

  const stop = () =>
    serialize(async () => {
      if (stopped) return;
      stopped = true;
      // Final-shutdown hooks (health's lameduck) run while the listeners still answer.
      if (current) await runHooks(current.blocks, "finalShutdowns", logger(""));
      const all = [...listeners.values()];
      listeners.clear();
      await Promise.all(all.map((l) => l.close(shutdownMs)));
      if (current) await runHooks(current.blocks, "shutdowns", logger(""));
      await http.closeAll();
    });
  opts.signal?.addEventListener("abort", () => void stop(), { once: true });

  return {
    stop,
    reload: control.reload,
    get addresses(): Address[] {
      const out: Address[] = [];
      for (const l of listeners.values()) {
        const address = l.host === "" ? "::" : l.host;
        out.push({ proto: "udp", address, port: l.port }, { proto: "tcp", address, port: l.port });
      }
      return out;
    },
    registry,
    http,
  };
}

/** Tell each block what its servers bound (SetupContext.listening), before its startup hooks. */
function recordListening(blocks: BlockConfig[], listenerOf: (key: string) => Listener | undefined): void {
  for (const b of blocks) {
    const seen = new Set<string>();
    b.listening.length = 0;
    for (const host of b.hosts)
      for (const z of b.zones) {
        const l = listenerOf(serverKey(host, z.port));
        if (!l || seen.has(`${l.host}|${l.port}`)) continue;
        seen.add(`${l.host}|${l.port}`);
        b.listening.push(
          { proto: "udp", host: l.host, port: l.port },
          { proto: "tcp", host: l.host, port: l.port },
        );
      }
  }
}

/** Run every block's hooks; startups stop at the first error, shutdowns log and go on. */
async function runHooks(
  blocks: BlockConfig[],
  which: "startups" | "shutdowns" | "finalShutdowns",
  log?: Logger,
): Promise<void> {
  const hooks: Hook[] = blocks.flatMap((b) => b[which]);
  for (const h of hooks) {
    if (which === "startups") await h();
    else {
      try {
        await h();
      } catch (err) {
        log?.error(`shutdown: ${(err as Error).message}`);
      }
    }
  }
}
