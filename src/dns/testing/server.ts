/** A DnsServer whose root zone runs one handler: the server's own behaviour under test. */
import { Registry } from "prom-client";
import type { Handler } from "../plugin.ts";
import type { TemplateOptions } from "../server/fastpath.ts";
import { Metrics, ServerMetrics } from "../server/metrics.ts";
import { DnsServer } from "../server/server.ts";

export interface ChainServerOptions {
  classChaos?: boolean;
  /** Where the dns metrics go (a fresh registry otherwise). */
  registry?: Registry;
  /** Error log lines end up here. */
  errors?: string[];
  /** The root zone's reply templates (a block with `cache`); none otherwise. */
  templates?: TemplateOptions;
}

export function chainServer(chain: Handler, o: ChainServerOptions = {}): DnsServer {
  const errors = o.errors;
  return new DnsServer({
    addr: "dns://:53",
    zones: new Map([[".", { zone: ".", chain, metrics: true, templates: o.templates }]]),
    classChaos: o.classChaos ?? false,
    metrics: new ServerMetrics(new Metrics(o.registry ?? new Registry())),
    log: { debug() {}, info() {}, warn() {}, error: (m) => errors?.push(m) },
  });
}
