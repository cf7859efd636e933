/**
 * A CoreDNS pod's Corefile served on the host through a pod view: port 53 is the host's DNS port,
 * the HTTP plugins get the host address and free ports (the same ones across reloads), and
 * `forward . /etc/resolv.conf` reaches the upstreams of the file standing for the pod's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startDNS } from "./index.ts";
import { defaultAnswer, startStub } from "./plugins/forward/stub.ts";
import { freeTcpPort, HostPodView, nameserverLines, RESOLV_CONF } from "./podview.ts";
import { dig } from "./testing/dig.ts";

test("nameserver lines: IPs on port 53, or with a port (Skiff's own files); comments and others skipped", () => {
  const text =
    "# c\nsearch a.b\nnameserver 10.0.0.1\nnameserver 127.0.0.1:5353 # local\nnameserver [::1]:54\n;nameserver 9.9.9.9\nnameserver bogus\n";
  assert.deepEqual(nameserverLines(text), [
    { host: "10.0.0.1", port: 53 },
    { host: "127.0.0.1", port: 5353 },
    { host: "::1", port: 54 },
  ]);
});

test("the pod's port 53 is the host's DNS port; HTTP addresses are keyed by the pod's port and kept", async () => {
  let next = 40000;
  const v = new HostPodView({
    dnsPort: 1053,
    httpHost: "127.0.0.1",
    files: { [RESOLV_CONF]: "/data/resolv.conf" },
    kubeconfig: "/data/kubeconfig",
    freePort: async () => next++,
  });
  assert.equal(v.dnsPort(53), 1053);
  assert.equal(v.dnsPort(5353), 5353);
  assert.equal(await v.httpAddress("health", ":8080"), "127.0.0.1:40000");
  assert.equal(await v.httpAddress("prometheus", "localhost:9153"), "127.0.0.1:40001");
  // A reload asks again: same listener. In the pod, any host part is the pod itself.
  assert.equal(await v.httpAddress("health", "0.0.0.0:8080"), "127.0.0.1:40000");
  assert.deepEqual(
    v.listeners().map((l) => `${l.plugin} ${l.podAddr} ${l.hostAddr}`),
    ["health :8080 127.0.0.1:40000", "prometheus localhost:9153 127.0.0.1:40001"],
  );
  assert.equal(v.file(RESOLV_CONF), "/data/resolv.conf");
  assert.equal(v.file("/etc/hosts"), "/etc/hosts");
  assert.equal(v.nameservers("8.8.8.8"), undefined);
  assert.throws(() => v.nameservers(RESOLV_CONF), /\/etc\/resolv\.conf is \/data\/resolv\.conf on this host/);
});

test("a pod's Corefile served through the view: DNS port, forward via resolv.conf, HTTP plugins, stable across reload", async (t) => {
  const stub = await startStub((q) => defaultAnswer(q));
  const dir = mkdtempSync(join(tmpdir(), "skiff-podview-"));
  t.after(async () => {
    await stub.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const resolv = join(dir, "resolv.conf");
  writeFileSync(resolv, `nameserver 127.0.0.1:${stub.port}\n`);
  const view = new HostPodView({
    dnsPort: await freeTcpPort("127.0.0.1"),
    httpHost: "127.0.0.1",
    files: { [RESOLV_CONF]: resolv },
    kubeconfig: join(dir, "kubeconfig"),
  });
  // kubeadm's shape, without kubernetes (no API here): the pod's ports and paths, unchanged.
  const corefile = `.:53 {
    errors
    health {
       lameduck 0s
    }
    ready
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
}
`;
  const dns = await startDNS({
    corefile,
    defaultPort: 53,
    defaultHost: "127.0.0.1",
    podView: view,
    log: () => {},
  });
  t.after(() => dns.stop());
  const port = view.dnsPort(53);
  assert.deepEqual(
    dns.addresses.map((a) => `${a.proto} ${a.address}:${a.port}`),
    [`udp 127.0.0.1:${port}`, `tcp 127.0.0.1:${port}`],
  );
  assert.equal((await dig(port, "+short", "example.org")).trim(), "192.0.2.1");
  assert.equal(stub.queries.at(-1)?.msg.questions?.[0]?.name, "example.org");

  const urls = () => Object.fromEntries(view.listeners().map((l) => [l.plugin, `http://${l.hostAddr}`]));
  const before = urls();
  assert.deepEqual(Object.keys(before).sort(), ["health", "prometheus", "ready"]);
  assert.equal(await (await fetch(`${before.health}/health`)).text(), "OK");
  assert.equal((await fetch(`${before.ready}/ready`)).status, 200);
  assert.match(await (await fetch(`${before.prometheus}/metrics`)).text(), /coredns_forward_requests_total/);

  await dns.reload(corefile.replace("errors", "errors\n    whoami"));
  assert.deepEqual(urls(), before);
  assert.equal(await (await fetch(`${before.health}/health`)).text(), "OK");
  assert.equal(dns.addresses[0].port, port);
});
