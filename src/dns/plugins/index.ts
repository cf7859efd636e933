/**
 * The plugin registry. ORDER is CoreDNS's plugin.cfg: plugins run in this order whatever their
 * order in the Corefile. PLUGINS lists the ones Skiff implements; a directive not in it is an
 * "Unknown directive" at parse time. To add a plugin: a folder with setup.ts exporting a
 * PluginModule as default, and ONE line in PLUGINS below (see README.md).
 */
import type { PluginModule } from "../plugin.ts";
import any from "./any/setup.ts";
import autopath from "./autopath/setup.ts";
import bind from "./bind/setup.ts";
import cache from "./cache/setup.ts";
import chaos from "./chaos/setup.ts";
import errors from "./errors/setup.ts";
import forward from "./forward/setup.ts";
import health from "./health/setup.ts";
import hosts from "./hosts/setup.ts";
import kubernetes from "./kubernetes/setup.ts";
import loadbalance from "./loadbalance/setup.ts";
import log from "./log/setup.ts";
import loop from "./loop/setup.ts";
import prometheus from "./prometheus/setup.ts";
import ready from "./ready/setup.ts";
import reload from "./reload/setup.ts";
import rewrite from "./rewrite/setup.ts";
import template from "./template/setup.ts";
import whoami from "./whoami/setup.ts";

/** CoreDNS's plugin.cfg, in its order (directive names). */
export const ORDER: readonly string[] = [
  "root",
  "metadata",
  "geoip",
  "cancel",
  "tls",
  "quic",
  "grpc_server",
  "https",
  "https3",
  "timeouts",
  "multisocket",
  "reload",
  "nsid",
  "bufsize",
  "bind",
  "debug",
  "trace",
  "ready",
  "health",
  "pprof",
  "prometheus",
  "errors",
  "log",
  "dnstap",
  "local",
  "dns64",
  "acl",
  "any",
  "chaos",
  "loadbalance",
  "tsig",
  "cache",
  "rewrite",
  "header",
  "dnssec",
  "autopath",
  "minimal",
  "template",
  "transfer",
  "hosts",
  "route53",
  "azure",
  "clouddns",
  "k8s_external",
  "kubernetes",
  "file",
  "auto",
  "secondary",
  "etcd",
  "loop",
  "forward",
  "grpc",
  "erratic",
  "whoami",
  "on",
  "sign",
  "view",
  "nomad",
];

/** The plugins Skiff implements: one line each. */
export const PLUGINS: readonly PluginModule[] = [
  bind,
  errors,
  log,
  whoami,
  any,
  chaos,
  loadbalance,
  forward,
  health,
  ready,
  prometheus,
  reload,
  rewrite,
  template,
  cache,
  kubernetes,
  autopath,
  hosts,
  loop,
];

const byName = new Map(PLUGINS.map((p) => [p.name, p]));
const rank = new Map(ORDER.map((n, i) => [n, i]));

for (const p of PLUGINS) {
  if (!rank.has(p.name)) throw new Error(`plugin ${p.name} is missing from ORDER`);
}

export function pluginNamed(name: string): PluginModule | undefined {
  return byName.get(name);
}

/** Position in the chain; lower runs first. */
export function orderOf(name: string): number {
  return rank.get(name) ?? Number.MAX_SAFE_INTEGER;
}

/** A CoreDNS plugin Skiff does not provide (for a clearer error than "unknown"). */
export function isCoreDNSOnly(name: string): boolean {
  return rank.has(name) && !byName.has(name);
}
