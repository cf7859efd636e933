/**
 * health: /health answers 200 "OK" (plugin/health/health.go); lameduck delays the stop while DNS
 * and /health keep answering (health README, caddy's final shutdown); bad options fail setup.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startDNS } from "../../index.ts";
import { dig } from "../../testing/dig.ts";
import { assertSetupErrors } from "../../testing/setup.ts";
import { checkHostPort, goDuration } from "./hostport.ts";
import { freeTcpPort, get } from "./testing.ts";

const quiet = { defaultHost: "127.0.0.1", defaultPort: 0 };

test("GET /health is 200 OK; other paths 404; the listener goes with the server", async () => {
  const hp = await freeTcpPort();
  const dns = await startDNS({
    ...quiet,
    log: () => {},
    corefile: `. {\n health 127.0.0.1:${hp}\n whoami\n}\n`,
  });
  try {
    const r = await get(hp, "/health");
    assert.equal(r.status, 200);
    assert.equal(r.body, "OK");
    assert.equal((await get(hp, "/nope")).status, 404);
  } finally {
    await dns.stop();
  }
  await assert.rejects(get(hp, "/health"), /ECONNREFUSED/);
});

test("lameduck: stop waits while DNS and /health still answer", async () => {
  const hp = await freeTcpPort();
  const lines: string[] = [];
  const dns = await startDNS({
    ...quiet,
    log: (l) => lines.push(l),
    corefile: `. {\n health 127.0.0.1:${hp} {\n  lameduck 400ms\n }\n whoami\n}\n`,
  });
  const port = dns.addresses[0].port;
  const t0 = Date.now();
  const stopping = dns.stop();
  // During the lameduck period both keep working.
  assert.equal((await get(hp, "/health")).status, 200);
  assert.match(await dig(port, "example.org", "A"), /status: NOERROR/);
  await stopping;
  assert.ok(Date.now() - t0 >= 390, `stop took ${Date.now() - t0}ms`);
  assert.ok(lines.includes("[INFO] plugin/health: Going into lameduck mode for 400ms"), lines.join("\n"));
  await assert.rejects(get(hp, "/health"));
});

test("a reload does not wait for lameduck, and /health stays up across it", async () => {
  const hp = await freeTcpPort();
  const text = `. {\n health 127.0.0.1:${hp} {\n  lameduck 1s\n }\n whoami\n}\n`;
  const dns = await startDNS({ ...quiet, log: () => {}, corefile: text });
  try {
    const t0 = Date.now();
    await dns.reload(text.replace("whoami", "whoami\n log"));
    assert.ok(Date.now() - t0 < 700, `reload took ${Date.now() - t0}ms`);
    assert.equal((await get(hp, "/health")).status, 200);
  } finally {
    const t1 = Date.now();
    await dns.stop();
    assert.ok(Date.now() - t1 >= 990, "the final stop honours lameduck");
  }
});

test("setup errors in CoreDNS's words", async () => {
  const cases: Array<[string, RegExp]> = [
    ["health localhost", /^plugin\/health: address localhost: missing port in address$/],
    ["health :1 :2", /Corefile:2 - Error during parsing: Wrong argument count/],
    ["health {\n  lameduck\n }", /Corefile:3 - Error during parsing: Wrong argument count/],
    [
      "health {\n  lameduck x\n }",
      /unable to parse lameduck duration value: 'x' : time: invalid duration "x"/,
    ],
    ["health {\n  color red\n }", /Corefile:3 - Error during parsing: unknown property 'color'/],
  ];
  await assertSetupErrors(cases);
});

test("address and duration helpers", () => {
  assert.doesNotThrow(() => checkHostPort(":8080"));
  assert.doesNotThrow(() => checkHostPort("[::1]:8080"));
  assert.throws(() => checkHostPort("::1:80"), /too many colons/);
  assert.equal(goDuration(5000), "5s");
  assert.equal(goDuration(90_000), "1m30s");
  assert.equal(goDuration(1500), "1.5s");
  assert.equal(goDuration(3_600_000), "1h0m0s");
});
