/**
 * The server's contract with handlers that do not wait (plugin.ts Served): a chain that answers
 * with a number has its reply sent before handle() returns, which is what lets a batched socket
 * send it with the rest of its batch; a chain that waits gets its reply sent when it settles.
 * Throws and rejections end the same way: the plugin's rcode, or SERVFAIL and a log line.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import dnsPacket from "dns-packet";
import { PluginError, type Remote } from "../plugin.ts";
import { encodeQuery } from "../testing/dig.ts";
import { answering } from "../testing/fake.ts";
import { chainServer } from "../testing/server.ts";
import type { DnsServer } from "./server.ts";

const REMOTE: Remote = { address: "127.0.0.1", port: 5300, family: "IPv4" };

function ask(s: DnsServer): { sent: Buffer[]; r: void | Promise<void> } {
  const sent: Buffer[] = [];
  const r = s.handle(encodeQuery("a.example.", "A", 7), REMOTE, "udp", (b) => sent.push(b));
  return { sent, r };
}

const rcode = (b: Buffer | undefined) => (b ? (dnsPacket.decode(b).flags ?? 0) & 0xf : -1);

test("a chain that answers without waiting: the reply is sent before handle() returns", () => {
  const s = chainServer(answering(0, { answers: 1, sync: true }));
  const { sent, r } = ask(s);
  assert.equal(r, undefined, "no promise");
  assert.equal(sent.length, 1);
  assert.equal(dnsPacket.decode(sent[0]).answers?.length, 1);
  assert.equal(s.pending, 0);
});

test("a chain that waits: handle() returns a promise, the reply comes when it settles", async () => {
  const s = chainServer(answering(0, { answers: 1 }));
  const { sent, r } = ask(s);
  assert.ok(r instanceof Promise);
  assert.equal(sent.length, 0);
  assert.equal(s.pending, 1);
  await r;
  assert.equal(sent.length, 1);
  assert.equal(s.pending, 0);
});

test("a synchronous PluginError is its rcode; any other throw is SERVFAIL, logged", () => {
  const refused = ask(chainServer(answering(0, { throws: new PluginError(5, "no"), sync: true })));
  assert.equal(refused.r, undefined);
  assert.equal(rcode(refused.sent[0]), 5);
  const errors: string[] = [];
  const boom = ask(chainServer(answering(0, { throws: new Error("boom"), sync: true }), { errors }));
  assert.equal(rcode(boom.sent[0]), 2);
  assert.match(errors.join("\n"), /Recovered from panic.*boom/s);
});

test("a rejected chain is SERVFAIL, logged, and nothing stays in flight", async () => {
  const errors: string[] = [];
  const s = chainServer(answering(0, { throws: new Error("late boom") }), { errors });
  const { sent, r } = ask(s);
  await r;
  assert.equal(rcode(sent[0]), 2);
  assert.match(errors.join("\n"), /late boom/);
  assert.equal(s.pending, 0);
});
