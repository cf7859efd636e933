/** --dns-upstream as the resolv.conf behind the coredns pod's /etc/resolv.conf. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { nameserverLines } from "../dns/podview.ts";
import { upstreamResolvConf } from "./dns-child.ts";
import { UsageError } from "./flags.ts";

test("IP[:port] lists and resolv.conf files become nameserver lines (ports other than 53 kept)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "skiff-upstream-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const host = join(dir, "resolv.conf");
  writeFileSync(host, "search example.com\nnameserver 192.0.2.53\nnameserver fd00::53\n");
  const text = upstreamResolvConf(`127.0.0.1:5353,[::1]:54 10.0.0.1:53,${host}`);
  assert.deepEqual(nameserverLines(text), [
    { host: "127.0.0.1", port: 5353 },
    { host: "::1", port: 54 },
    { host: "10.0.0.1", port: 53 },
    { host: "192.0.2.53", port: 53 },
    { host: "fd00::53", port: 53 },
  ]);
  assert.match(text, /^nameserver 10\.0\.0\.1$/m, "port 53 is written the standard way");
});

test("an unreadable file or no nameserver at all is a flag error", () => {
  assert.throws(() => upstreamResolvConf("/nonexistent/resolv.conf"), UsageError);
  assert.throws(() => upstreamResolvConf(" , "), /names no nameserver/);
});
