/** Writers around writers: everything but write passes through, the plugin tracker included. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Packet } from "dns-packet";
import { FakeWriter } from "../testing/fake.ts";
import { Recorder } from "./recorder.ts";
import { WrappedWriter } from "./wrapped.ts";

class Tracking extends FakeWriter {
  plugin = "";
}

class Upper extends WrappedWriter {
  write(msg: Packet): void {
    this.inner.write({
      ...msg,
      questions: msg.questions?.map((q) => ({ ...q, name: q.name.toUpperCase() })),
    });
  }
}

test("two wrappers deep, the plugin label reaches the server's tracker and written/size come back", () => {
  const base = new Tracking();
  const w = new Recorder(new Upper(base));
  assert.equal(w.written, false);
  w.plugin = "kubernetes";
  assert.equal(base.plugin, "kubernetes");
  assert.equal(w.plugin, "kubernetes");
  w.write({ type: "response", id: 1, questions: [{ name: "a.example.", type: "A" }] });
  assert.equal(base.msgs[0].questions?.[0]?.name, "A.EXAMPLE.");
  assert.equal(w.written, true);
  assert.equal(w.size, base.size);
  assert.equal(w.remote, base.remote);
});

test("over a writer that tracks nothing, the label is dropped, not invented", () => {
  const base = new FakeWriter();
  const w = new Recorder(base);
  w.plugin = "cache";
  assert.equal(w.plugin, undefined);
  assert.equal((base as { plugin?: string }).plugin, undefined);
});
