import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Answer } from "dns-packet";

const dataOf = (r: Answer): unknown => ("data" in r ? r.data : undefined);

import { startDNS } from "../../index.ts";
import { replyTo } from "../../message/message.ts";
import type { Handler, PluginModule } from "../../plugin.ts";
import { dig } from "../../testing/dig.ts";
import { FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { loadbalance } from "./loadbalance.ts";
import { parseWeights, WeightFile } from "./weights.ts";

const signal = new AbortController().signal;
const ips = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"];

/** A backend answering A with `ips` (and an rcode), keeping its own array as a zone would. */
function backend(rcode = 0): Handler & { answers: Answer[] } {
  const answers: Answer[] = ips.map((ip) => ({ name: "svc.", type: "A", class: "IN", ttl: 5, data: ip }));
  return {
    name: "backend",
    answers,
    async serveDNS(req, w) {
      const m = replyTo(req.msg, rcode);
      m.answers = answers;
      w.write(m);
      return rcode;
    },
  };
}

test("NOERROR answers are shuffled without touching the backend's records", async () => {
  const be = backend();
  const h = loadbalance((m) => ({ ...m, answers: [...(m.answers ?? [])].reverse() }))(be);
  const w = new FakeWriter();
  await h.serveDNS(fakeRequest("svc.", "A"), w, signal);
  assert.deepEqual(
    w.msgs[0].answers?.map((a) => dataOf(a)),
    [...ips].reverse(),
  );
  assert.deepEqual(
    be.answers.map((a) => dataOf(a)),
    ips,
  );
});

// loadbalance.go WriteMsg: other rcodes and AXFR/IXFR are written unchanged.
test("other rcodes and zone transfers are not reordered", async () => {
  const rev = loadbalance((m) => ({ ...m, answers: [...(m.answers ?? [])].reverse() }));
  for (const [rcode, qt] of [
    [3, "A"],
    [0, "AXFR"],
  ] as const) {
    const w = new FakeWriter();
    await rev(backend(rcode)).serveDNS(fakeRequest("svc.", qt), w, signal);
    assert.deepEqual(
      w.msgs[0].answers?.map((a) => dataOf(a)),
      ips,
    );
  }
});

// weighted_test.go: weight file parsing and its errors.
test("weight files parse and reject bad lines", () => {
  const w = parseWeights("# c\n\nwww.example.com\n100.64.1.1 3\n100.64.1.2 1\nother.org.\n::1 255\n", "f");
  assert.deepEqual([...w.keys()], ["www.example.com.", "other.org."]);
  assert.equal(w.get("www.example.com.")?.get("100.64.1.1"), 3);
  assert.throws(() => parseWeights("1.2.3.4\n", "f"), /wrong domain name/);
  assert.throws(() => parseWeights("x\nnot-ip 3\n", "f"), /wrong IP address/);
  assert.throws(() => parseWeights("x\n1.2.3.4 0\n", "f"), /wrong weight value/);
  assert.throws(() => parseWeights("x\n1.2.3.4 256\n", "f"), /wrong weight value/);
  assert.throws(() => parseWeights("1.2.3.4 2\n", "f"), /missing domain name/);
  assert.throws(() => parseWeights("x\na b c\n", "f"), /could not parse weight line/);
});

test("the weight file is read on start and again when it changes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-lb-"));
  try {
    const file = join(dir, "w");
    writeFileSync(file, "a.\n1.1.1.1 2\n");
    const logs: string[] = [];
    const log = {
      debug() {},
      info: (m: string) => logs.push(m),
      warn: (m: string) => logs.push(m),
      error: (m: string) => logs.push(m),
    };
    const wf = new WeightFile(file, 0, log);
    await wf.start();
    assert.equal(wf.weights.get("a.")?.get("1.1.1.1"), 2);
    writeFileSync(file, "a.\n1.1.1.1 7\n");
    await wf.update();
    assert.equal(wf.weights.get("a.")?.get("1.1.1.1"), 7);
    wf.stop();
    // A missing file with reload 0 is a startup error; with reload it is retried.
    await assert.rejects(new WeightFile(join(dir, "none"), 0, log).start());
    const retry = new WeightFile(join(dir, "none"), 60_000, log);
    await retry.start();
    retry.stop();
    assert.ok(logs.some((l) => l.startsWith("Failed to open weight file")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const fixed: PluginModule = {
  name: "fixed",
  setup: () => () => backend(),
};

const start = (block: string) =>
  startDNS({
    corefile: `. {\n${block}\nfixed\n}`,
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    plugins: [fixed],
    log: () => {},
  });

// setup_test.go: the accepted forms and the error messages.
test("setup accepts CoreDNS's forms and rejects the rest with its messages", async () => {
  for (const [block, msg] of [
    ["loadbalance fleeb", /unknown policy: fleeb/],
    ["loadbalance round_robin a", /unknown property for round_robin/],
    ["loadbalance weighted", /missing weight file argument/],
    ["loadbalance weighted a b", /unexpected argument/],
    ["loadbalance weighted wfile {\n susu\n}", /unknown property 'susu'/],
    ["loadbalance weighted wfile {\n reload a\n}", /invalid reload duration 'a'/],
    ["loadbalance weighted wfile {\n reload 30s a\n}", /unexpected argument/],
    ["loadbalance {\n prefer 10.0.0.0/99\n}", /invalid CIDR/],
    ["loadbalance {\n reload 1s\n}", /unknown property 'reload'/],
  ] as const) {
    await assert.rejects(start(block), msg, block);
  }
});

test("dig sees every address first over repeated queries, and prefer wins", async () => {
  let s = await start("loadbalance");
  try {
    const firsts = new Set<string>();
    for (let i = 0; i < 30 && firsts.size < ips.length; i++) {
      const out = (await dig(s.addresses[0].port, "svc.", "A", "+short")).trim().split("\n");
      assert.deepEqual([...out].sort(), ips);
      firsts.add(out[0]);
    }
    assert.equal(firsts.size, ips.length);
  } finally {
    await s.stop();
  }
  s = await start("loadbalance round_robin {\n prefer 10.0.0.3/32\n}");
  try {
    for (let i = 0; i < 5; i++) {
      const out = (await dig(s.addresses[0].port, "svc.", "A", "+short")).trim().split("\n");
      assert.equal(out[0], "10.0.0.3");
    }
  } finally {
    await s.stop();
  }
});
