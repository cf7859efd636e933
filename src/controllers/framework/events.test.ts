import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../../../test/e2e/testserver.ts";
import { loadKubeconfig, RestClient } from "../../client/index.ts";
import { type CoreEvent, EventRecorder } from "./events.ts";
import { kinds } from "./kinds.ts";

let ts: TestServer;
let client: RestClient;
before(async () => {
  ts = await startTestServer();
  client = new RestClient(loadKubeconfig(ts.kubeconfig));
});
after(async () => {
  client.close();
  await ts.stop();
});

const svc = (name: string) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "7" },
});

async function eventsFor(name: string): Promise<CoreEvent[]> {
  const list = await client.resource<CoreEvent>(kinds.events).namespace("default").list();
  return list.items.filter((e) => e.involvedObject.name === name);
}

test("an event is written like client-go's recorder writes it", async () => {
  const t = new Date("2024-05-01T10:00:00.123Z");
  const r = new EventRecorder(client, "endpoint-controller", { host: "node-1", now: () => t });
  r.recordEvent(svc("a"), "Warning", "FailedToUpdateEndpoint", "boom");
  await r.drain();
  const [ev] = await eventsFor("a");
  // client-go tools/record makeEvent: name <object>.<hex nanos>, count 1, both timestamps now.
  assert.match(ev.metadata.name!, /^a\.[0-9a-f]+$/);
  assert.deepEqual(ev.involvedObject, {
    kind: "Service",
    namespace: "default",
    name: "a",
    uid: "uid-a",
    apiVersion: "v1",
    resourceVersion: "7",
  });
  assert.equal(ev.type, "Warning");
  assert.equal(ev.reason, "FailedToUpdateEndpoint");
  assert.equal(ev.message, "boom");
  assert.equal(ev.count, 1);
  assert.equal(ev.firstTimestamp, "2024-05-01T10:00:00Z");
  assert.equal(ev.lastTimestamp, "2024-05-01T10:00:00Z");
  assert.deepEqual(ev.source, { component: "endpoint-controller", host: "node-1" });
});

test("repeats bump count and lastTimestamp on the same Event", async () => {
  let t = new Date("2024-05-01T10:00:00Z");
  const r = new EventRecorder(client, "c", { now: () => t });
  r.recordEvent(svc("b"), "Normal", "Synced", "same");
  t = new Date("2024-05-01T10:00:05Z");
  r.recordEvent(svc("b"), "Normal", "Synced", "same");
  t = new Date("2024-05-01T10:00:09Z");
  r.recordEvent(svc("b"), "Normal", "Synced", "same");
  r.recordEvent(svc("b"), "Normal", "Synced", "other");
  await r.drain();
  const evs = await eventsFor("b");
  assert.equal(evs.length, 2);
  const same = evs.find((e) => e.message === "same")!;
  assert.equal(same.count, 3);
  assert.equal(same.firstTimestamp, "2024-05-01T10:00:00Z");
  assert.equal(same.lastTimestamp, "2024-05-01T10:00:09Z");
});

test("past 10 similar messages, events are combined onto one Event", async () => {
  const r = new EventRecorder(client, "c");
  // client-go events_cache.go: defaultAggregateMaxEvents = 10.
  for (let i = 0; i < 14; i++) r.recordEvent(svc("c"), "Warning", "Failed", `attempt ${i}`);
  await r.drain();
  const evs = await eventsFor("c");
  assert.equal(evs.length, 10);
  const combined = evs.filter((e) => e.message.startsWith("(combined from similar events): "));
  assert.equal(combined.length, 1);
  assert.equal(combined[0].count, 5);
  assert.equal(combined[0].message, "(combined from similar events): attempt 13");
});

test("a per-object token bucket drops spam (burst 25)", async () => {
  const r = new EventRecorder(client, "c");
  for (let i = 0; i < 30; i++) r.recordEvent(svc("d"), "Normal", "Same", "same");
  await r.drain();
  const [ev] = await eventsFor("d");
  assert.equal(ev.count, 25);
});

test("an Event deleted meanwhile is created anew", async () => {
  const r = new EventRecorder(client, "c");
  r.recordEvent(svc("e"), "Normal", "X", "m");
  await r.drain();
  const [ev] = await eventsFor("e");
  await client.resource(kinds.events).namespace("default").delete(ev.metadata.name!);
  r.recordEvent(svc("e"), "Normal", "X", "m");
  await r.drain();
  const evs = await eventsFor("e");
  assert.equal(evs.length, 1);
  assert.equal(evs[0].count, 2);
});

test("events about cluster-scoped objects go to default", async () => {
  const r = new EventRecorder(client, "c");
  r.recordEvent({ apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "u" } }, "Normal", "R", "m");
  await r.drain();
  const [ev] = await eventsFor("n1");
  assert.equal(ev.metadata.namespace, "default");
  assert.equal(ev.involvedObject.namespace, undefined);
});
