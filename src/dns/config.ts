/**
 * From Corefile text to ready-to-bind servers: parse, normalize the zones, run each directive's
 * setup in plugin.cfg order, chain the plugins per server block and group the zones by listen
 * address. Nothing here binds or starts anything: hooks run when the instance swaps configs in.
 */
import { normalizeKey, type ZoneAddr } from "./corefile/address.ts";
import { CorefileError, Dispenser } from "./corefile/dispenser.ts";
import { parseCorefile, type ServerBlock } from "./corefile/parser.ts";
import type { HttpListeners } from "./http.ts";
import type {
  Handler,
  Hook,
  InstanceControl,
  ListenAddress,
  Logger,
  Plugin,
  PluginModule,
  SetupContext,
} from "./plugin.ts";
import { ORDER, orderOf, pluginNamed } from "./plugins/index.ts";
import type { PodView } from "./podview.ts";
import { type Direct, directOf } from "./server/direct.ts";
import { type TemplateOptions, templateOptions } from "./server/fastpath.ts";
import type { Metrics } from "./server/metrics.ts";
import { tracked, type ZoneHandler } from "./server/server.ts";

export interface BuildOptions {
  corefilePath: string;
  defaultPort: number;
  /** Listen host when a block has no `bind` ("" = every address). */
  defaultHost: string;
  env: Record<string, string | undefined>;
  metrics: Metrics;
  http: HttpListeners;
  logger: (prefix: string) => Logger;
  instance: InstanceControl;
  /** Extra plugins (tests), run after every registered one, in the given order. */
  extraPlugins?: readonly PluginModule[];
  /** The Corefile is a CoreDNS pod's: map its ports, addresses and files onto this host. */
  podView?: PodView;
}

export interface BlockConfig {
  index: number;
  zones: ZoneAddr[];
  hosts: string[];
  /** Hosts come from `bind` rather than the default. */
  bound: boolean;
  plugins: string[];
  chain: Handler | undefined;
  metrics: boolean;
  /** Reply templates for the replies of this block's cache (server/fastpath.ts); undefined = none. */
  templates: TemplateOptions | undefined;
  /** The block's cache and the plugin behind it answer misses directly (server/direct.ts). */
  direct: Direct | undefined;
  startups: Hook[];
  shutdowns: Hook[];
  finalShutdowns: Hook[];
  /** What the block's servers bound, filled by the instance after listening (SetupContext.listening). */
  listening: ListenAddress[];
}

export interface ServerSpec {
  host: string;
  port: number;
  /** "dns://host:port", CoreDNS's server label. */
  addr: string;
  zones: Map<string, ZoneHandler>;
  classChaos: boolean;
}

export interface Config {
  text: string;
  blocks: BlockConfig[];
  servers: Map<string, ServerSpec>;
}

/** Plugins that need other classes than IN (CoreDNS's EnableChaos). */
const CHAOS_PLUGINS = new Set(["chaos", "forward", "proxy"]);

export function serverKey(host: string, port: number): string {
  return `${host}|${port}`;
}

export async function buildConfig(text: string, o: BuildOptions): Promise<Config> {
  const extras = new Map((o.extraPlugins ?? []).map((p) => [p.name, p]));
  const moduleOf = (n: string) => pluginNamed(n) ?? extras.get(n);
  const blocks = parseCorefile(text, {
    file: o.corefilePath,
    env: o.env,
    isDirective: (n) => moduleOf(n) !== undefined,
  });
  if (blocks.length === 0) throw new CorefileError(`${o.corefilePath}: no server blocks to serve`);
  const extraRank = new Map([...extras.keys()].map((n, i) => [n, ORDER.length + i]));
  const rank = (n: string) => extraRank.get(n) ?? orderOf(n);

  const built: BlockConfig[] = [];
  for (let i = 0; i < blocks.length; i++) {
    built.push(await buildBlock(blocks[i], i, o, moduleOf, rank));
  }
  return { text, blocks: built, servers: groupServers(built) };
}

async function buildBlock(
  sb: ServerBlock,
  index: number,
  o: BuildOptions,
  moduleOf: (n: string) => PluginModule | undefined,
  rank: (n: string) => number,
): Promise<BlockConfig> {
  const zones: ZoneAddr[] = [];
  for (const k of sb.keys) {
    try {
      const pv = o.podView;
      const keyZones = normalizeKey(k.text, o.defaultPort);
      zones.push(...(pv ? keyZones.map((z) => ({ ...z, port: pv.dnsPort(z.port) })) : keyZones));
    } catch (err) {
      throw CorefileError.at(k.file, k.line, (err as Error).message);
    }
  }
  const block: BlockConfig = {
    index,
    zones,
    hosts: [],
    bound: false,
    plugins: [],
    chain: undefined,
    metrics: false,
    templates: undefined,
    direct: undefined,
    startups: [],
    shutdowns: [],
    finalShutdowns: [],
    listening: [],
  };
  const handlers = new Map<string, Handler>();
  const names = new Set(sb.directives.map((d) => d.name));
  const directives = [...sb.directives].sort((a, b) => rank(a.name) - rank(b.name));
  const chain: Array<{ name: string; plugin: Plugin }> = [];
  for (const d of directives) {
    const mod = moduleOf(d.name);
    if (!mod) throw CorefileError.at(d.tokens[0].file, d.tokens[0].line, `Unknown directive '${d.name}'`);
    const ctx: SetupContext = {
      name: d.name,
      dispenser: new Dispenser(d.tokens, o.corefilePath),
      zones: zones.map((z) => z.zone),
      port: zones[0]?.port ?? o.defaultPort,
      serverBlockIndex: index,
      corefilePath: o.corefilePath,
      env: o.env,
      metrics: o.metrics,
      registry: o.metrics.registry,
      log: o.logger(`plugin/${d.name}: `),
      rawLog: o.logger(""),
      http: o.http,
      onStartup: (fn) => block.startups.push(fn),
      onShutdown: (fn) => block.shutdowns.push(fn),
      onFinalShutdown: (fn) => block.finalShutdowns.push(fn),
      hasDirective: (n) => names.has(n),
      handler: (n) => handlers.get(n),
      handlers: () => [...handlers.values()].reverse(),
      bind: (hosts) => block.hosts.push(...hosts),
      listening: () => block.listening,
      instance: o.instance,
      podView: o.podView,
    };
    let plugin: Plugin | undefined;
    try {
      plugin = await mod.setup(ctx);
    } catch (err) {
      throw pluginError(d.name, err);
    }
    block.plugins.push(d.name);
    if (plugin) chain.push({ name: d.name, plugin });
  }
  let next: Handler | undefined;
  for (let i = chain.length - 1; i >= 0; i--) {
    const h = chain[i].plugin(next);
    handlers.set(chain[i].name, h);
    next = tracked(chain[i].name, h);
  }
  block.chain = next;
  block.metrics = names.has("prometheus");
  block.templates = templateOptions(block.plugins, (n) => {
    const h = handlers.get(n) as { roundRobinOnly?: boolean } | undefined;
    return h?.roundRobinOnly === true;
  });
  block.direct = block.templates ? directOf(block.plugins, (n) => handlers.get(n)) : undefined;
  block.bound = block.hosts.length > 0;
  if (!block.bound) block.hosts.push(o.defaultHost);
  return block;
}

/** CoreDNS's plugin.Error: "plugin/NAME: message". */
function pluginError(name: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  const wrapped = new CorefileError(`plugin/${name}: ${msg}`);
  if (err instanceof Error && !(err instanceof CorefileError)) wrapped.cause = err;
  return wrapped;
}

function groupServers(blocks: BlockConfig[]): Map<string, ServerSpec> {
  const servers = new Map<string, ServerSpec>();
  for (const b of blocks) {
    const chaos = b.plugins.some((p) => CHAOS_PLUGINS.has(p));
    for (const host of b.hosts) {
      for (const za of b.zones) {
        const key = serverKey(host, za.port);
        let s = servers.get(key);
        if (!s) {
          const hostPart = host.includes(":") ? `[${host}]` : host;
          s = {
            host,
            port: za.port,
            addr: `dns://${hostPart}:${za.port}`,
            zones: new Map(),
            classChaos: false,
          };
          servers.set(key, s);
        }
        if (s.zones.has(za.zone)) {
          const where = b.bound ? ` on ${host}` : "";
          throw new CorefileError(`cannot serve dns://${za.zone}:${za.port}${where} - it is already defined`);
        }
        s.zones.set(za.zone, {
          zone: za.zone,
          chain: b.chain,
          metrics: b.metrics,
          templates: b.templates,
          direct: b.direct,
        });
        s.classChaos ||= chaos;
      }
    }
  }
  return servers;
}
