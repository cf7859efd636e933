/**
 * `hosts [FILE [ZONES…]] { INLINE; ttl; no_reverse; reload; fallthrough [ZONES…];
 * fallthrough_unsupported }` (plugin/hosts/setup.go). The file is read at startup and re-read
 * every `reload` (default 5s) when its mtime or size changed.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { normalizeZone } from "../../corefile/address.ts";
import { parseDuration } from "../../corefile/duration.ts";
import type { PluginModule } from "../../plugin.ts";
import { hostsHandler } from "./hosts.ts";
import { Hostsfile, mapLen, parseHosts } from "./hostsfile.ts";

const mod: PluginModule = {
  name: "hosts",
  setup(ctx) {
    const d = ctx.dispenser;
    let path = "/etc/hosts";
    let zones: string[] = [...ctx.zones];
    let ttl = 3600;
    let reloadMs = 5000;
    let autoReverse = true;
    let fall: string[] = [];
    let fallthroughUnsupported = false;
    const inline: string[] = [];
    let seen = 0;
    while (d.next()) {
      if (seen++ > 0) throw d.err("this plugin can only be used once per Server Block");
      const args = d.remainingArgs();
      if (args.length >= 1) {
        path = args[0];
        if (!isAbsolute(path)) path = resolve(dirname(ctx.corefilePath), path);
        try {
          if (statSync(path).isDirectory()) ctx.log.warn(`Hosts file "${path}" is a directory`);
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code !== "ENOENT") throw d.err(`unable to access hosts file '${path}': ${e.message}`);
          ctx.log.warn(`File does not exist: ${path}`);
        }
        if (args.length > 1) zones = args.slice(1).flatMap(normalizeZone);
      }
      while (d.nextBlock()) {
        switch (d.val()) {
          case "fallthrough": {
            const z = d.remainingArgs();
            fall = z.length === 0 ? ["."] : z.flatMap(normalizeZone);
            break;
          }
          case "fallthrough_unsupported":
            if (d.remainingArgs().length !== 0) throw d.argErr();
            fallthroughUnsupported = true;
            break;
          case "no_reverse":
            autoReverse = false;
            break;
          case "ttl": {
            const r = d.remainingArgs();
            if (r.length < 1) throw d.err("ttl needs a time in second");
            if (!/^[+-]?\d+$/.test(r[0])) throw d.err("ttl needs a number of second");
            const n = Number(r[0]);
            if (n <= 0 || n > 65535) throw d.err("ttl provided is invalid");
            ttl = n;
            break;
          }
          case "reload": {
            const r = d.remainingArgs();
            if (r.length !== 1) throw d.err("reload needs a duration (zero seconds to disable)");
            let ms: number;
            try {
              ms = parseDuration(r[0]);
            } catch {
              throw d.err(`invalid duration for reload '${r[0]}'`);
            }
            if (ms < 0) throw d.err(`invalid negative duration for reload '${r[0]}'`);
            reloadMs = ms;
            break;
          }
          default:
            // Lines before `fallthrough` are hosts entries.
            if (fall.length === 0) {
              inline.push([d.val(), ...d.remainingArgs()].join(" "));
              break;
            }
            throw d.unknownProperty();
        }
      }
    }
    if (fallthroughUnsupported && fall.length === 0)
      throw d.err("fallthrough_unsupported requires fallthrough");

    const h = new Hostsfile(path, zones, autoReverse);
    h.inline = parseHosts(inline.join("\n"), zones, autoReverse);
    const entries = ctx.metrics.gauge(
      "coredns_hosts_entries",
      "The combined number of entries in hosts and Corefile.",
      ["hostsfile"],
    );
    const reloaded = ctx.metrics.gauge(
      "coredns_hosts_reload_timestamp_seconds",
      "The timestamp of the last reload of hosts file.",
    );
    const read = () => {
      if (!h.readHosts()) return;
      ctx.log.debug(`Parsed hosts file into ${mapLen(h.hmap)} entries`);
      entries.set({ hostsfile: path }, mapLen(h.inline) + mapLen(h.hmap));
      reloaded.set(h.mtimeSeconds());
    };
    let timer: NodeJS.Timeout | undefined;
    ctx.onStartup(() => {
      read();
      if (reloadMs > 0) timer = setInterval(read, reloadMs);
    });
    ctx.onShutdown(() => clearInterval(timer));
    return (next) => hostsHandler(h, { zones, ttl, fall, fallthroughUnsupported }, next);
  },
};
export default mod;
