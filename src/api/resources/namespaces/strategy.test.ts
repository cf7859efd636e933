import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { strategy as endpoints } from "../endpoints/strategy.ts";
import { fields as eventFields } from "../events/fields.ts";
import { strategy as events } from "../events/strategy.ts";
import { fields as nodeFields } from "../nodes/fields.ts";
import { strategy as nodes } from "../nodes/strategy.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

describe("namespace (pkg/registry/core/namespace/strategy.go)", () => {
  test("defaults, create and field selector", () => {
    const ns: KubeObject = { metadata: { name: "team-a" } };
    strategy.defaults?.(ns);
    strategy.prepareForCreate?.(ns);
    assert.deepEqual(ns.metadata.labels, { "kubernetes.io/metadata.name": "team-a" });
    assert.deepEqual(ns.spec, { finalizers: ["kubernetes"] });
    assert.deepEqual(ns.status, { phase: "Active" });
    assert.equal(fields["status.phase"](ns), "Active");
    assert.deepEqual(strategy.validate(ns), []);
  });
  test("update keeps finalizers and status; status phase follows deletion", () => {
    const old: KubeObject = {
      metadata: { name: "a" },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    };
    const next: KubeObject = {
      metadata: { name: "a" },
      spec: { finalizers: [] },
      status: { phase: "Terminating" },
    };
    strategy.prepareForUpdate?.(next, old);
    assert.deepEqual(next.spec.finalizers, ["kubernetes"]);
    assert.equal(next.status.phase, "Active");
    const bad: KubeObject = { metadata: { name: "a" }, status: { phase: "Terminating" } };
    assert.deepEqual(strategy.validateStatusUpdate?.(bad, old).map(errorText), [
      `status.Phase: Invalid value: "Terminating": may only be 'Active' if \`deletionTimestamp\` is empty`,
    ]);
  });
  test("spec finalizers must be standard or qualified", () => {
    const ns: KubeObject = { metadata: { name: "a" }, spec: { finalizers: ["custom"] } };
    assert.deepEqual(strategy.validate(ns).map(errorText), [
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});

describe("event (legacyValidateEvent for v1)", () => {
  test("involvedObject namespace must match", () => {
    const ev: KubeObject = {
      metadata: { name: "e", namespace: "default" },
      involvedObject: { kind: "Pod", namespace: "other", name: "p" },
      reason: "Started",
      source: { component: "kubelet" },
    };
    assert.deepEqual(events.validate(ev).map(errorText), [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    ev.involvedObject.namespace = "default";
    assert.deepEqual(events.validate(ev), []);
    assert.equal(eventFields["involvedObject.kind"](ev), "Pod");
    assert.equal(eventFields.source(ev), "kubelet");
    assert.equal(eventFields.reason(ev), "Started");
  });
  test("new-style events need reportingComponent, reportingInstance, action, reason", () => {
    const ev: KubeObject = {
      metadata: { name: "e", namespace: "default" },
      involvedObject: { namespace: "default" },
      eventTime: "2024-01-01T00:00:00.000000Z",
    };
    assert.deepEqual(
      events
        .validate(ev)
        .map((e) => `${e.field} ${e.type}`)
        .slice(0, 1),
      ["reportingComponent FieldValueRequired"],
    );
    assert.ok(events.validate(ev).some((e) => e.field === "action" && e.type === "FieldValueRequired"));
  });
});

describe("node", () => {
  test("podCIDRs valid, one per family; taints; field selector", () => {
    const n: KubeObject = {
      metadata: { name: "n1" },
      spec: { podCIDR: "10.244.0.0/33", taints: [{ key: "k", effect: "Sometimes" }], unschedulable: true },
    };
    nodes.defaults?.(n);
    assert.deepEqual(n.spec.podCIDRs, ["10.244.0.0/33"]);
    assert.deepEqual(nodes.validate(n).map(errorText), [
      'spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    ]);
    const two: KubeObject = { metadata: { name: "n" }, spec: { podCIDRs: ["10.0.0.0/24", "10.1.0.0/24"] } };
    assert.equal(nodes.validate(two)[0].detail, "may specify no more than one CIDR for each IP family");
    assert.equal(nodeFields["spec.unschedulable"](n), "true");
  });
  test("podCIDRs may only go from empty to set", () => {
    const old: KubeObject = { metadata: { name: "n" }, spec: { podCIDRs: ["10.0.0.0/24"] } };
    const next: KubeObject = { metadata: { name: "n" }, spec: { podCIDRs: ["10.0.1.0/24"] } };
    assert.deepEqual(nodes.validateUpdate?.(next, old).map(errorText), [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
    assert.deepEqual(nodes.validateUpdate?.(old, { metadata: { name: "n" }, spec: {} }), []);
  });
});

describe("endpoints (ValidateEndpoints)", () => {
  test("addresses, special IPs, ports", () => {
    const ep: KubeObject = {
      metadata: { name: "s", namespace: "d" },
      subsets: [
        {
          addresses: [{ ip: "10.0.0.1" }, { ip: "127.0.0.1" }, { ip: "nope" }],
          ports: [{ port: 80 }, { port: 0, name: "b" }],
        },
        { ports: [{ port: 80 }] },
      ],
    };
    endpoints.defaults?.(ep);
    assert.equal(ep.subsets[0].ports[0].protocol, "TCP");
    assert.deepEqual(endpoints.validate(ep).map(errorText), [
      'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].addresses[2].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[2].ip: Invalid value: "nope": must be a valid IP address',
      "subsets[0].ports[0].name: Required value",
      "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
      "subsets[1]: Required value: must specify `addresses` or `notReadyAddresses`",
    ]);
  });
});
