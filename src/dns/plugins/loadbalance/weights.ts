/**
 * The weight file of `loadbalance weighted` (plugin/loadbalance/weighted.go): a domain name on a
 * line of its own, then `IP WEIGHT` lines (1–255) for it; `#` comments and blank lines ignored.
 * Re-read every `reload` interval, applied only when the content changed.
 */

import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import type { Logger } from "../../plugin.ts";
import { normalizeIP, type Weights } from "./shuffle.ts";

export function parseWeights(text: string, file: string): Weights {
  const domains: Weights = new Map();
  let current: Map<string, number> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    if (fields.length === 1) {
      if (isIP(fields[0])) {
        throw new Error(
          `wrong domain name:"${fields[0]}" in weight file ${file}. (Maybe a missing weight value?)`,
        );
      }
      let name = fields[0].toLowerCase();
      if (!name.endsWith(".")) name += ".";
      current = domains.get(name) ?? new Map();
      domains.set(name, current);
    } else if (fields.length === 2) {
      if (!isIP(fields[0])) throw new Error(`wrong IP address:"${fields[0]}" in weight file ${file}`);
      const w = /^\d+$/.test(fields[1]) ? Number(fields[1]) : Number.NaN;
      if (!(w >= 1 && w <= 255)) throw new Error(`wrong weight value:"${fields[1]}" in weight file ${file}`);
      if (!current) throw new Error(`missing domain name in weight file ${file}`);
      const ip = normalizeIP(fields[0]);
      if (!current.has(ip)) current.set(ip, w);
    } else {
      throw new Error(`could not parse weight line:"${line}" in weight file ${file}`);
    }
  }
  return domains;
}

/** The weights of one file, reloaded while started. */
export class WeightFile {
  weights: Weights = new Map();
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    readonly reloadMs: number,
    private readonly log: Logger,
  ) {}

  /** Read the file now; an unreadable file is an error only when it will not be retried. */
  async start(): Promise<void> {
    try {
      await this.update();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code && this.reloadMs !== 0) {
        this.log.warn(
          `Failed to open weight file:${(err as Error).message}. Will try again in ${this.reloadMs / 1000}s`,
        );
      } else throw err;
    }
    if (this.reloadMs > 0) {
      this.timer = setInterval(() => {
        this.update().catch((err: Error) => this.log.error(err.message));
      }, this.reloadMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async update(): Promise<void> {
    const text = await readFile(this.file, "utf8");
    if (text === this.last) return;
    this.last = text;
    this.weights = parseWeights(text, this.file);
    this.log.info(`Successfully reloaded weight file ${this.file}`);
  }
}
