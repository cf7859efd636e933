/**
 * reload (plugin/reload): a changed Corefile is reloaded; whitespace-only edits are not changes;
 * a broken one is logged, counted in coredns_reload_failed_total and not retried; the old config
 * keeps serving; coredns_reload_version_info carries the SHA512 of the last attempt.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Registry } from "prom-client";
import { startDNS } from "../../index.ts";
import type { InstanceControl, Logger } from "../../plugin.ts";
import { Metrics } from "../../server/metrics.ts";
import { dig } from "../../testing/dig.ts";
import { assertSetupErrors } from "../../testing/setup.ts";
import { freeDnsPort, waitFor } from "../health/testing.ts";
import { corefileChecksum, Watcher } from "./reload.ts";

function harness(initial: string) {
  const m = new Metrics(new Registry());
  const lines: string[] = [];
  const push = (s: string) => lines.push(s);
  const log: Logger = { debug: push, info: push, warn: push, error: push };
  let running = initial;
  let file = initial;
  const reloads: string[] = [];
  const instance: InstanceControl = {
    corefile: () => running,
    reload: async (text) => {
      reloads.push(text);
      if (text.includes("broken"))
        throw new Error("Corefile:2 - Error during parsing: Unknown directive 'broken'");
      running = text;
    },
  };
  const opts = {
    path: "/virtual/Corefile",
    intervalMs: 20,
    instance,
    env: {},
    log,
    failed: m.counter("coredns_reload_failed_total", "f"),
    versionInfo: m.gauge("coredns_reload_version_info", "v", ["hash", "value"]),
    readFile: () => file,
  };
  return { m, lines, reloads, instance, opts, setFile: (t: string) => (file = t) };
}

test("checksum ignores layout, sees content", () => {
  const a = corefileChecksum(". {\n  whoami\n}\n", "C", {});
  assert.equal(a, corefileChecksum(". {\n  whoami   # hi\n}\n", "C", {}));
  assert.notEqual(a, corefileChecksum(". {\n  whoami\n  log\n}\n", "C", {}));
  assert.match(a, /^[0-9a-f]{128}$/);
});

test("watcher: broken file counted once, then a good one reloads and the watcher retires", async () => {
  const h = harness(". {\n whoami\n}\n");
  const w = new Watcher(h.opts);
  w.start();
  try {
    h.setFile(". {\n whoami\n broken\n}\n");
    await waitFor("a failed reload", () => h.reloads.length === 1);
    await waitFor("the failure logged", () =>
      h.lines.some((l) => l.startsWith("Corefile changed but reload")),
    );
    // The same broken content is not tried again.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.reloads.length, 1);
    assert.equal((await h.opts.failed.get()).values[0].value, 1);
    const sumBroken = corefileChecksum(". {\n whoami\n broken\n}\n", h.opts.path, {});
    assert.deepEqual(
      (await h.opts.versionInfo.get()).values.map((v) => v.labels),
      [{ hash: "sha512", value: sumBroken }],
    );
    h.setFile(". {\n whoami\n log\n}\n");
    await waitFor("the reload", () => h.reloads.length === 2);
    assert.equal(h.instance.corefile(), ". {\n whoami\n log\n}\n");
    const sumGood = corefileChecksum(h.instance.corefile(), h.opts.path, {});
    await waitFor("version info", async () => {
      const v = (await h.opts.versionInfo.get()).values;
      return v.length === 1 && v[0].labels.value === sumGood;
    });
    // Retired: further changes are the new config's business.
    h.setFile(". {\n whoami\n errors\n}\n");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.reloads.length, 2);
  } finally {
    w.stop();
  }
});

test("several watchers on one instance: only the newest acts", async () => {
  const h = harness(". {\n whoami\n}\n");
  const [a, b] = [new Watcher(h.opts), new Watcher(h.opts)];
  a.start();
  b.start();
  try {
    h.setFile(". {\n whoami\n log\n}\n");
    await waitFor("one reload", () => h.reloads.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(h.reloads.length, 1);
  } finally {
    a.stop();
    b.stop();
  }
});

test("end to end: a broken Corefile keeps the old config; a fixed one is served", async () => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-reload-"));
  const path = join(dir, "Corefile");
  const port = await freeDnsPort();
  const v1 = `.:${port} {\n reload 2s 0s\n whoami\n}\n`;
  writeFileSync(path, v1);
  const lines: string[] = [];
  const dns = await startDNS({
    defaultHost: "127.0.0.1",
    corefile: v1,
    corefilePath: path,
    log: (l) => lines.push(l),
  });
  try {
    writeFileSync(path, `.:${port} {\n reload 2s 0s\n whoami\n nonsense\n}\n`);
    await waitFor("the failed reload", () => lines.some((l) => l.includes("reload failed")), 6000);
    assert.ok(
      lines.some((l) =>
        l.startsWith(
          `[ERROR] plugin/reload: Corefile changed but reload failed: ${path}:4 - Error during parsing: Unknown directive 'nonsense'`,
        ),
      ),
      lines.join("\n"),
    );
    assert.match(await dig(port, "a.example", "A"), /_udp\.a\.example\.\s+0\s+IN\s+SRV/);
    const failed = await dns.registry.getSingleMetric("coredns_reload_failed_total")?.get();
    assert.equal(failed?.values[0].value, 1);
    // The fixed file serves only example.org: other names become REFUSED once it is live.
    writeFileSync(path, `example.org:${port} {\n reload 2s 0s\n whoami\n}\n`);
    await waitFor(
      "the new config",
      async () => /status: REFUSED/.test(await dig(port, "a.example", "A")),
      6000,
    );
    assert.match(await dig(port, "a.example.org", "A"), /status: NOERROR/);
  } finally {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("setup errors (plugin/reload/setup_test.go)", async () => {
  const cases: Array<[string, RegExp]> = [
    ["reload foo", /^plugin\/reload: time: invalid duration "foo"$/],
    ["reload 10s foo", /time: invalid duration "foo"/],
    ["reload 10s 5s foo", /Wrong argument count/],
    ["reload 1s", /interval value must be greater or equal to 2s/],
    ["reload 0s", /interval value must be greater or equal to 2s/],
    ["reload 3s 0.5s", /jitter value must be 0 or greater or equal to 1s/],
  ];
  await assertSetupErrors(cases);
  for (const ok of ["reload", "reload 10s", "reload 10s 2s", "reload 2s 0s"]) {
    const dns = await startDNS({
      defaultHost: "127.0.0.1",
      defaultPort: 0,
      log: () => {},
      corefile: `. {\n ${ok}\n whoami\n}\n`,
    });
    await dns.stop();
  }
});
