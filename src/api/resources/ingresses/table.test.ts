import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHosts, table } from "./table.ts";

// kube's printIngress / formatHosts / formatPorts (wide: addresses are not clipped).
test("ingress table", () => {
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ["Name", "Class", "Hosts", "Address", "Ports", "Age"],
  );
  const now = new Date("2024-05-01T12:00:00Z");
  const ing = {
    metadata: { name: "web", creationTimestamp: "2024-04-01T12:00:00Z" },
    spec: {
      ingressClassName: "skiff",
      rules: [{ host: "a.example.com" }, { host: "b.example.com" }],
      tls: [{ hosts: ["a.example.com"] }],
    },
    status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }, { hostname: "ingress.local" }] } },
  };
  assert.deepEqual(table.cells(ing, now), [
    "web",
    "skiff",
    "a.example.com,b.example.com",
    "127.0.0.1,ingress.local",
    "80, 443",
    "30d",
  ]);
  const bare = {
    metadata: { name: "bare", creationTimestamp: "2024-04-01T12:00:00Z" },
    spec: { rules: [{}] },
  };
  assert.deepEqual(table.cells(bare, now), ["bare", "<none>", "*", "", "80", "30d"]);
});

test("ingress hosts: at most three, counted against the rules", () => {
  const rules = [{ host: "a" }, {}, { host: "b" }, { host: "c" }, { host: "d" }];
  assert.equal(formatHosts(rules), "a,b,c + 2 more...");
  assert.equal(formatHosts([{ host: "a" }, { host: "b" }, { host: "c" }]), "a,b,c");
  assert.equal(formatHosts([]), "*");
});
