import assert from "node:assert/strict";
import { test } from "node:test";
import { EndpointExpectations, type EndpointsObject, type SliceObject } from "./expect.ts";

const labels = (svc: string, manager = "endpointslice-controller.k8s.io") => ({
  "kubernetes.io/service-name": svc,
  "endpointslice.kubernetes.io/managed-by": manager,
});
const port = [{ name: "http", port: 8080, protocol: "TCP" }];

function slice(name: string, eps: Array<[string, boolean]>, manager?: string): SliceObject {
  return {
    metadata: { namespace: "ns", name, labels: labels("a", manager) },
    addressType: "IPv4",
    ports: port,
    endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  };
}

function endpoints(ready: string[], notReady: string[] = []): EndpointsObject {
  return {
    metadata: { namespace: "ns", name: "a" },
    subsets: [
      {
        addresses: ready.map((ip) => ({ ip })),
        notReadyAddresses: notReady.map((ip) => ({ ip })),
        ports: port,
      },
    ],
  };
}

test("a Service is correct only when its slices list exactly its pods with the right readiness", () => {
  const e = new EndpointExpectations();
  e.expect("ns/a", "10.0.0.1", true);
  e.expect("ns/a", "10.0.0.2", true);
  assert.equal(e.correctSlices, 0);
  e.applySlice({ type: "ADDED", object: slice("a-1", [["10.0.0.1", true]]) });
  assert.equal(e.sliceCorrect("ns/a"), false, "one pod missing");
  e.applySlice({ type: "ADDED", object: slice("a-2", [["10.0.0.2", true]]) });
  assert.equal(e.sliceCorrect("ns/a"), true, "spread over two slices is fine");
  // Slices of another manager do not count.
  e.applySlice({ type: "ADDED", object: slice("a-x", [["10.0.0.9", true]], "someone-else") });
  assert.equal(e.sliceCorrect("ns/a"), true);
  e.expect("ns/a", "10.0.0.2", false);
  assert.equal(e.sliceCorrect("ns/a"), false, "readiness flipped, slice not yet");
  e.applySlice({ type: "MODIFIED", object: slice("a-2", [["10.0.0.2", false]]) });
  assert.equal(e.sliceCorrect("ns/a"), true);
  e.applySlice({ type: "DELETED", object: slice("a-1", []) });
  assert.equal(e.sliceCorrect("ns/a"), false);
  assert.equal(e.writes.slices, 4);
});

test("a duplicate endpoint or a wrong port is not correct", () => {
  const e = new EndpointExpectations();
  e.expect("ns/a", "10.0.0.1", true);
  e.applySlice({ type: "ADDED", object: { ...slice("a-1", [["10.0.0.1", true]]), ports: [{ port: 80 }] } });
  assert.equal(e.sliceCorrect("ns/a"), false);
  e.applySlice({ type: "MODIFIED", object: slice("a-1", [["10.0.0.1", true]]) });
  e.applySlice({ type: "ADDED", object: slice("a-2", [["10.0.0.1", true]]) });
  assert.equal(e.sliceCorrect("ns/a"), false);
});

test("Endpoints: ready pods under addresses, the others under notReadyAddresses", () => {
  const e = new EndpointExpectations();
  e.expect("ns/a", "10.0.0.1", true);
  e.expect("ns/a", "10.0.0.2", false);
  e.applyEndpoints({ type: "ADDED", object: endpoints(["10.0.0.1", "10.0.0.2"]) });
  assert.equal(e.endpointsCorrect("ns/a"), false);
  e.applyEndpoints({ type: "MODIFIED", object: endpoints(["10.0.0.1"], ["10.0.0.2"]) });
  assert.equal(e.endpointsCorrect("ns/a"), true);
  assert.equal(e.correctEndpoints, 1);
  assert.throws(() => e.applyEndpoints({ type: "ERROR", object: endpoints([]) }), /endpoints watch/);
});
