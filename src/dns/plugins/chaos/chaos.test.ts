import assert from "node:assert/strict";
import { test } from "node:test";
import { startDNS } from "../../index.ts";
import { dig } from "../../testing/dig.ts";
import { answering, FakeWriter, fakeRequest } from "../../testing/fake.ts";
import { chaos } from "./chaos.ts";
import { DEFAULT_VERSION } from "./setup.ts";

const signal = new AbortController().signal;
const h = chaos({ version: "Skiff-001", authors: ["a", "b", "c"], hostname: () => "node-1" })(answering(3));
const ch = (name: string, qtype: "TXT" | "SRV" = "TXT") => fakeRequest(name, qtype, { qclass: "CH" });
const txt = (w: FakeWriter) =>
  (w.msgs[0].answers ?? []).map((a) => (a.type === "TXT" ? String(a.data) : a.type));

// plugin/chaos/chaos.go: version.bind/version.server → VERSION, TTL 0, class CH, query's name.
test("version.bind and version.server answer the version", async () => {
  for (const n of ["version.bind.", "VERSION.server."]) {
    const w = new FakeWriter();
    assert.equal(await h.serveDNS(ch(n), w, signal), 0);
    assert.deepEqual(txt(w), ["Skiff-001"]);
    const a = w.msgs[0].answers?.[0];
    assert.equal(a?.name, n);
    assert.equal(a && "class" in a ? a.class : undefined, "CH");
    assert.equal(a?.type === "TXT" ? a.ttl : -1, 0);
  }
});

test("authors.bind lists every author, hostname.bind and id.server the host", async () => {
  let w = new FakeWriter();
  await h.serveDNS(ch("authors.bind."), w, signal);
  assert.deepEqual(txt(w).sort(), ["a", "b", "c"]);
  for (const n of ["hostname.bind.", "id.server."]) {
    w = new FakeWriter();
    await h.serveDNS(ch(n), w, signal);
    assert.deepEqual(txt(w), ["node-1"]);
  }
});

// chaos_test.go: a non-TXT type, another class or another name goes on.
test("other types, classes and names go to the next plugin", async () => {
  for (const req of [ch("authors.bind.", "SRV"), fakeRequest("version.bind.", "TXT"), ch("example.org.")]) {
    const w = new FakeWriter();
    assert.equal(await h.serveDNS(req, w, signal), 3);
  }
});

test("setup: VERSION alone keeps default authors; AUTHORS are de-duplicated and sorted; no block", async () => {
  const run = async (line: string, name: string) => {
    const s = await startDNS({
      corefile: `. {\n ${line}\n}`,
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      log: () => {},
    });
    try {
      const port = s.addresses[0].port;
      return (await dig(port, "CH", "TXT", name, "+short")).trim().split("\n").sort();
    } finally {
      await s.stop();
    }
  };
  assert.deepEqual(await run("chaos", "version.bind"), [JSON.stringify(DEFAULT_VERSION)]);
  assert.deepEqual(await run("chaos v2", "version.bind"), ['"v2"']);
  assert.deepEqual(
    await run('chaos v3 "Miek Gieben" zed zed', "authors.bind"),
    ['"Miek Gieben"', '"zed"'].sort(),
  );
  await assert.rejects(
    startDNS({
      corefile: ". {\n chaos v2 {\n unknown\n }\n}",
      defaultPort: 0,
      defaultHost: "127.0.0.1",
      log: () => {},
    }),
    /unknown property 'unknown'/,
  );
});

test("dig CH TXT version.bind over UDP and TCP", async () => {
  const s = await startDNS({
    corefile: ". {\n chaos Skiff-001 info@example.org\n}",
    defaultPort: 0,
    defaultHost: "127.0.0.1",
    log: () => {},
  });
  try {
    const port = s.addresses[0].port;
    for (const tcp of ["+notcp", "+tcp"]) {
      const out = await dig(port, tcp, "CH", "TXT", "version.bind", "+noall", "+answer");
      assert.match(out, /^version\.bind\.\s+0\s+CH\s+TXT\s+"Skiff-001"$/m);
    }
  } finally {
    await s.stop();
  }
});
