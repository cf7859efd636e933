import { Registry } from "prom-client";
import { buildConfig } from "/work/main/src/dns/config.ts";
import { HttpListeners } from "/work/main/src/dns/http.ts";
import { makeLogger } from "/work/main/src/dns/index.ts";
import { Metrics, ServerMetrics } from "/work/main/src/dns/server/metrics.ts";
import { DnsServer } from "/work/main/src/dns/server/server.ts";
import dnsPacket from "dns-packet";
const COREFILE = ". {\n  whoami\n  errors\n}\n";
const metrics = new Metrics(new Registry());
const logger = makeLogger((l) => console.log("LOG", l.slice(0, 300)), false);
const cfg = await buildConfig(COREFILE, { corefilePath: "Corefile", defaultPort: 0, defaultHost: "127.0.0.1", env: {}, metrics, http: new HttpListeners(), logger, instance: { corefile: () => COREFILE, reload: async () => {} } });
const spec = [...cfg.servers.values()][0];
const server = new DnsServer({ addr: spec.addr, zones: spec.zones, classChaos: spec.classChaos, metrics: new ServerMetrics(metrics), log: logger("") });
for (const hex of process.argv.slice(2)) {
  const q = Buffer.from(hex, "hex");
  try { console.log(JSON.stringify(dnsPacket.decode(q).questions)); } catch (e) { console.log("decode err", (e as Error).message); }
  let n = 0;
  await server.handle(q, { address: "127.0.0.1", port: 1, family: "IPv4" }, "udp", (b) => { n++; console.log("reply", b.toString("hex")); });
  console.log("replies", n);
}
