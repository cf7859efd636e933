import { Registry } from "prom-client";
import { buildConfig } from "../../src/dns/config.ts";
import { HttpListeners } from "../../src/dns/http.ts";
import { makeLogger } from "../../src/dns/index.ts";
import { Metrics, ServerMetrics } from "../../src/dns/server/metrics.ts";
import { DnsServer } from "../../src/dns/server/server.ts";
import dnsPacket from "dns-packet";
const COREFILE = ". {\n  whoami\n  errors\n}\n";
const metrics = new Metrics(new Registry());
let logs = 0;
const logger = makeLogger(() => { logs++; }, false);
const cfg = await buildConfig(COREFILE, { corefilePath: "Corefile", defaultPort: 0, defaultHost: "127.0.0.1", env: {}, metrics, http: new HttpListeners(), logger, instance: { corefile: () => COREFILE, reload: async () => {} } });
const spec = [...cfg.servers.values()][0];
const server = new DnsServer({ addr: spec.addr, zones: spec.zones, classChaos: spec.classChaos, metrics: new ServerMetrics(metrics), log: logger("") });
const q = dnsPacket.encode({ id: 1, type: "query", flags: 256, questions: [{ name: "foo.example.org", type: "A", class: "IN" }] });
const bad = Buffer.from("c1d90100000100000000000003666f4a102ed967582438b0a46d88dd7c4e6a222700000100013a04169cf7e096", "hex");
const garbage = Buffer.from("c1d90100000100000000000003666f4a105ed967582438b0a46d88dd7c4e6a222700000100013a04169cf7e096", "hex");
for (const [name, pkt] of [["valid", q], ["unencodable", bad], ["garbage", garbage]] as const) {
  const t = performance.now();
  let n = 0;
  for (let i = 0; i < 20000; i++) await server.handle(pkt, { address: "127.0.0.1", port: 1, family: "IPv4" }, "udp", () => { n++; });
  const ms = performance.now() - t;
  console.log(name, Math.round(20000 / (ms / 1000)), "/s", n, "logs", logs);
}
