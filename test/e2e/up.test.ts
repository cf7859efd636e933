/**
 * `skiff up` as a user runs it: cluster DNS answers for Services created with kubectl (NXDOMAIN
 * first, the address right after), and LoadBalancer Services get addresses from --lb-pool until
 * it runs out (<pending>), as issues 4 and 5 ask.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, test } from "node:test";
import { kubectl, parseTable, removeDir, type SkiffProcess, startSkiff, waitFor } from "./harness.ts";

let skiff: SkiffProcess;
let dnsPort = 0;

before(async () => {
  skiff = await startSkiff("up", ["--lb-pool", "192.0.2.8/30"]);
  const ready = await waitFor(
    "skiff is ready",
    () => (/skiff is ready/.test(skiff.output()) ? true : undefined),
    30_000,
  );
  assert.ok(ready);
  dnsPort = Number(/cluster DNS ready: udp [\d.]+:(\d+)/.exec(skiff.output())?.[1]);
  assert.ok(dnsPort > 0, skiff.output());
});
after(async () => {
  assert.equal(await skiff.stop(), 0, "SIGTERM stops skiff up cleanly");
  removeDir(skiff.dataDir);
});

function dig(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn("dig", ["@127.0.0.1", "-p", String(dnsPort), "+time=2", "+tries=1", ...args]);
    let out = "";
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    p.on("error", reject);
    p.on("close", () => resolve(out));
  });
}

const k = (args: string[]) => kubectl(skiff.kubeconfig, args);

test("cluster DNS: NXDOMAIN before the Service exists, its ClusterIP right after, over UDP and TCP", async () => {
  const name = "web.default.svc.cluster.local";
  assert.match(await dig([name]), /status: NXDOMAIN/);
  assert.equal((await k(["create", "service", "clusterip", "web", "--tcp=80:8080"])).code, 0);
  const ip = parseTable((await k(["get", "svc", "web"])).stdout)[0]["CLUSTER-IP"];
  assert.match(ip, /^10\.\d+\.\d+\.\d+$/);
  // The negative answer was cached (cache 30): it must not outlive the Service's creation.
  const udp = await waitFor("A record", async () => {
    const out = await dig(["+short", name]);
    return out.trim() === ip ? out : undefined;
  });
  assert.equal(udp.trim(), ip);
  assert.equal((await dig(["+tcp", "+short", name])).trim(), ip);
  assert.equal((await dig(["+short", "kubernetes.default.svc.cluster.local"])).trim(), "10.96.0.1");
  assert.equal((await dig(["+short", "-x", "10.96.0.10"])).trim(), "kube-dns.kube-system.svc.cluster.local.");
});

test("LoadBalancer Services get addresses from --lb-pool, then <pending> when it is exhausted", async () => {
  // 192.0.2.8/30 holds four addresses (MetalLB skips .0/.255 only for /24 and larger).
  for (let i = 0; i < 5; i++)
    assert.equal((await k(["create", "service", "loadbalancer", `lb${i}`, "--tcp=80:80"])).code, 0);
  const rows = await waitFor("four addresses handed out", async () => {
    const t = parseTable((await k(["get", "svc", "-l", "app", "-o", "wide"])).stdout).filter((r) =>
      r.NAME.startsWith("lb"),
    );
    return t.filter((r) => r["EXTERNAL-IP"].startsWith("192.0.2.")).length === 4 ? t : undefined;
  });
  const ips = rows
    .map((r) => r["EXTERNAL-IP"])
    .filter((ip) => ip.startsWith("192.0.2."))
    .sort();
  assert.deepEqual(ips, ["192.0.2.10", "192.0.2.11", "192.0.2.8", "192.0.2.9"]);
  assert.equal(rows.filter((r) => r["EXTERNAL-IP"] === "<pending>").length, 1);
  for (const r of rows) assert.match(r["PORT(S)"], /^80:3\d{4}\/TCP$/);
});
