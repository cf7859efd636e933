/**
 * reload: every interval, read the Corefile, parse it (imports included) and compare the SHA512
 * of its server blocks with the running config's; on a change, reload the instance (the new
 * config is set up and bound before the old one goes). A broken file is logged, counted in
 * coredns_reload_failed_total, and not retried until it changes again (plugin/reload).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Counter, Gauge } from "prom-client";
import { parseCorefile } from "../../corefile/parser.ts";
import type { InstanceControl, Logger } from "../../plugin.ts";

export interface WatchOptions {
  /** The Corefile to watch. */
  path: string;
  intervalMs: number;
  instance: InstanceControl;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  failed: Counter<string>;
  versionInfo: Gauge<"hash" | "value">;
  readFile?: (path: string) => string;
}

/** SHA512 (hex) of the parsed server blocks: whitespace and comments do not count. */
export function corefileChecksum(
  text: string,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const blocks = parseCorefile(text, { file: path, env: { ...env } });
  return createHash("sha512").update(JSON.stringify(blocks)).digest("hex");
}

/** Watchers alive per instance; only the newest one acts (several blocks may use reload). */
const watchers = new WeakMap<InstanceControl, Watcher[]>();

export class Watcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sum: string | undefined;

  constructor(private readonly o: WatchOptions) {}

  start(): void {
    const list = watchers.get(this.o.instance) ?? [];
    list.push(this);
    watchers.set(this.o.instance, list);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    const list = watchers.get(this.o.instance) ?? [];
    const i = list.indexOf(this);
    if (i >= 0) list.splice(i, 1);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  private isLeader(): boolean {
    const list = watchers.get(this.o.instance) ?? [];
    return list[list.length - 1] === this;
  }

  /** One check; exported through `check` for tests. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (!this.isLeader()) return this.schedule();
    const o = this.o;
    if (this.sum === undefined) {
      // The running config's checksum, taken once it is the one being served.
      try {
        this.sum = corefileChecksum(o.instance.corefile(), o.path, o.env);
        o.log.info(`Running configuration SHA512 = ${this.sum}`);
      } catch (err) {
        o.log.warn(`Corefile parse failed: ${(err as Error).message}`);
        return this.schedule();
      }
    }
    let text: string;
    try {
      text = (o.readFile ?? ((p) => readFileSync(p, "utf8")))(o.path);
    } catch {
      return this.schedule();
    }
    let sum: string;
    try {
      sum = corefileChecksum(text, o.path, o.env);
    } catch (err) {
      o.log.warn(`Corefile parse failed: ${(err as Error).message}`);
      return this.schedule();
    }
    if (sum === this.sum) return this.schedule();
    o.versionInfo.remove({ hash: "sha512", value: this.sum });
    // Never retry the same content, even when it is broken.
    this.sum = sum;
    try {
      await o.instance.reload(text);
    } catch (err) {
      o.versionInfo.set({ hash: "sha512", value: sum }, 1);
      o.log.error(`Corefile changed but reload failed: ${(err as Error).message}`);
      o.failed.inc();
      return this.schedule();
    }
    o.versionInfo.set({ hash: "sha512", value: sum }, 1);
    // The new config runs its own watcher if it still uses reload.
    this.stop();
  }
}
