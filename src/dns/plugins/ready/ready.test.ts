/**
 * ready: 503 with the sorted names of plugins not ready, 200 "OK" once all are (plugin/ready
 * ready.go, list.go); until-ready stops asking a plugin once it was ready, continuously keeps
 * asking (ready_test.go); "Shutting down" during lameduck.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startDNS } from "../../index.ts";
import type { PluginModule } from "../../plugin.ts";
import { assertSetupErrors } from "../../testing/setup.ts";
import { freeTcpPort, get } from "../health/testing.ts";

/** A plugin whose readiness the test flips (like erratic in CoreDNS's tests). */
function flag(name: string): { mod: PluginModule; set(v: boolean): void } {
  let ready = false;
  const mod: PluginModule = {
    name,
    setup(ctx) {
      ctx.dispenser.next();
      return (next) => ({
        name,
        ready: () => ready,
        serveDNS: (req, w, signal) => next!.serveDNS(req, w, signal),
      });
    },
  };
  return { mod, set: (v) => (ready = v) };
}

const base = { defaultHost: "127.0.0.1", defaultPort: 0 };

test("503 lists the plugins not ready, sorted; 200 OK when all are; until-ready sticks", async () => {
  const rp = await freeTcpPort();
  const a = flag("zeta");
  const b = flag("alpha");
  const lines: string[] = [];
  const dns = await startDNS({
    ...base,
    log: (l) => lines.push(l),
    plugins: [a.mod, b.mod],
    corefile: `. {\n ready 127.0.0.1:${rp}\n zeta\n alpha\n whoami\n}\n`,
  });
  try {
    let r = await get(rp, "/ready");
    assert.equal(r.status, 503);
    assert.equal(r.body, "alpha,zeta");
    assert.ok(lines.includes('[INFO] plugin/ready: Plugins not ready: "alpha,zeta"'));
    a.set(true);
    r = await get(rp, "/ready");
    assert.deepEqual([r.status, r.body], [503, "alpha"]);
    b.set(true);
    r = await get(rp, "/ready");
    assert.deepEqual([r.status, r.body], [200, "OK"]);
    // Going back to not ready does not matter in until-ready mode.
    b.set(false);
    assert.equal((await get(rp, "/ready")).status, 200);
  } finally {
    await dns.stop();
  }
});

test("monitor continuously: readiness can be lost again", async () => {
  const rp = await freeTcpPort();
  const a = flag("zeta");
  const dns = await startDNS({
    ...base,
    log: () => {},
    plugins: [a.mod],
    corefile: `. {\n ready 127.0.0.1:${rp} {\n  monitor continuously\n }\n zeta\n whoami\n}\n`,
  });
  try {
    a.set(true);
    assert.equal((await get(rp, "/ready")).status, 200);
    a.set(false);
    const r = await get(rp, "/ready");
    assert.deepEqual([r.status, r.body], [503, "zeta"]);
  } finally {
    await dns.stop();
  }
});

test("the union over every block using ready; blocks without ready do not report", async () => {
  const rp = await freeTcpPort();
  const a = flag("zeta");
  const b = flag("alpha");
  const dns = await startDNS({
    ...base,
    log: () => {},
    plugins: [a.mod, b.mod],
    corefile: `. {\n ready 127.0.0.1:${rp}\n whoami\n}\nexample.org {\n ready 127.0.0.1:${rp}\n zeta\n whoami\n}\nexample.net {\n alpha\n whoami\n}\n`,
  });
  try {
    assert.equal((await get(rp, "/ready")).body, "zeta");
    a.set(true);
    assert.equal((await get(rp, "/ready")).status, 200);
  } finally {
    await dns.stop();
  }
});

test("during health's lameduck /ready answers 503 Shutting down", async () => {
  const [rp, hp] = [await freeTcpPort(), await freeTcpPort()];
  const dns = await startDNS({
    ...base,
    log: () => {},
    corefile: `. {\n ready 127.0.0.1:${rp}\n health 127.0.0.1:${hp} {\n  lameduck 300ms\n }\n whoami\n}\n`,
  });
  assert.equal((await get(rp, "/ready")).status, 200);
  const stopping = dns.stop();
  const r = await get(rp, "/ready");
  assert.deepEqual([r.status, r.body], [503, "Shutting down"]);
  assert.equal((await get(hp, "/health")).status, 200);
  await stopping;
});

test("setup errors (plugin/ready/setup_test.go)", async () => {
  const cases: Array<[string, RegExp]> = [
    ["ready bla", /address bla: missing port in address/],
    ["ready localhost:1234 b", /Wrong argument count/],
    ["ready {\n  monitor 404\n }", /Corefile:3 - Error during parsing: monitor type '404' not supported/],
    ["ready {\n  monitro continuously\n }", /unknown property 'monitro'/],
    ["ready\n ready :1", /this plugin can only be used once per Server Block/],
  ];
  await assertSetupErrors(cases);
});
