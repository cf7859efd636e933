import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FieldErrorType } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from "../../machinery/validation/names.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

// Expectations: pkg/apis/discovery/validation/validation.go (ValidateEndpointSlice, validateEndpoints,
// validatePorts, validateHints) with the cases of validation_test.go TestValidateEndpointSliceCreate
// and TestValidateEndpointSliceUpdate; defaults from pkg/apis/discovery/v1/defaults.go.

const eps = (over: Partial<KubeObject>): KubeObject => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "web-abc", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.1.2.3"], conditions: { ready: true } }],
  ports: [{ name: "http", port: 80, protocol: "TCP" }],
  ...over,
});

function create(o: KubeObject) {
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return strategy.validate(o).map((e) => [e.field, e.type, e.detail]);
}

type Want = [string, FieldErrorType, string];
const I = "FieldValueInvalid";
const many = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

const invalid: Array<[string, KubeObject, Want[]]> = [
  ["missing addressType", eps({ addressType: undefined }), [["addressType", "FieldValueRequired", ""]]],
  [
    "unknown addressType",
    eps({ addressType: "IP" }),
    [["addressType", "FieldValueNotSupported", 'supported values: "FQDN", "IPv4", "IPv6"']],
  ],
  [
    "no addresses",
    eps({ endpoints: [{ addresses: [] }] }),
    [["endpoints[0].addresses", "FieldValueRequired", "must contain at least 1 address"]],
  ],
  [
    "101 addresses",
    eps({ endpoints: [{ addresses: many(101, (i) => `10.0.${i >> 8}.${(i & 255) + 1}`) }] }),
    [["endpoints[0].addresses", "FieldValueTooMany", "must have at most 100 items"]],
  ],
  [
    "1001 endpoints",
    eps({ endpoints: many(1001, () => ({ addresses: ["10.1.2.3"] })) }),
    [["endpoints", "FieldValueTooMany", "must have at most 1000 items"]],
  ],
  [
    "IPv6 address in an IPv4 slice",
    eps({ endpoints: [{ addresses: ["fd00::1"] }] }),
    [["endpoints[0].addresses[0]", I, "must be a valid IPv4 address"]],
  ],
  [
    "garbage address",
    eps({ endpoints: [{ addresses: ["foo"] }] }),
    [
      ["endpoints[0].addresses[0]", I, "must be a valid IPv4 address"],
      ["endpoints[0].addresses[0]", I, "must be a valid IP address"],
    ],
  ],
  [
    "IPv4 address in an IPv6 slice",
    eps({ addressType: "IPv6", endpoints: [{ addresses: ["10.1.2.3"] }] }),
    [["endpoints[0].addresses[0]", I, "must be a valid IPv6 address"]],
  ],
  [
    "loopback endpoint",
    eps({ endpoints: [{ addresses: ["127.0.0.1"] }] }),
    [["endpoints[0].addresses[0]", I, "may not be in the loopback range (127.0.0.0/8, ::1/128)"]],
  ],
  [
    "FQDN with one label",
    eps({ addressType: "FQDN", endpoints: [{ addresses: ["localhost"] }] }),
    [["endpoints[0].addresses[0]", I, "should be a domain with at least two segments separated by dots"]],
  ],
  [
    "FQDN not a subdomain",
    eps({ addressType: "FQDN", endpoints: [{ addresses: ["Bad_Name.example.com"] }] }),
    [["endpoints[0].addresses[0]", I, isDNS1123Subdomain("Bad_Name.example.com").join(",")]],
  ],
  [
    "bad hostname",
    eps({ endpoints: [{ addresses: ["10.1.2.3"], hostname: "Web.1" }] }),
    isDNS1123Label("Web.1").map((m): Want => ["endpoints[0].hostname", I, m]),
  ],
  [
    "bad nodeName",
    eps({ endpoints: [{ addresses: ["10.1.2.3"], nodeName: "Node_1" }] }),
    isDNS1123Subdomain("Node_1").map((m): Want => ["endpoints[0].nodeName", I, m]),
  ],
  [
    "duplicate zone hints",
    eps({ endpoints: [{ addresses: ["10.1.2.3"], hints: { forZones: [{ name: "a" }, { name: "a" }] } }] }),
    [["endpoints[0].hints.forZones[1].name", "FieldValueDuplicate", ""]],
  ],
  [
    "nine zone hints",
    eps({
      endpoints: [{ addresses: ["10.1.2.3"], hints: { forZones: many(9, (i) => ({ name: `z${i}` })) } }],
    }),
    [["endpoints[0].hints.forZones", "FieldValueTooMany", "must have at most 8 items"]],
  ],
  [
    "bad port name",
    eps({ ports: [{ name: "HTTP", port: 80 }] }),
    isDNS1123Label("HTTP").map((m): Want => ["ports[0].name", I, m]),
  ],
  [
    "two unnamed ports",
    eps({ ports: [{ port: 80 }, { port: 81 }] }),
    [["ports[1].name", "FieldValueDuplicate", ""]],
  ],
  [
    "bad protocol",
    eps({ ports: [{ name: "x", port: 80, protocol: "ICMP" }] }),
    [["ports[0].protocol", "FieldValueNotSupported", 'supported values: "SCTP", "TCP", "UDP"']],
  ],
  [
    "bad appProtocol",
    eps({ ports: [{ name: "x", port: 80, appProtocol: "a b" }] }),
    isQualifiedName("a b").map((m): Want => ["ports[0].appProtocol", I, m]),
  ],
];

describe("EndpointSlice validation", () => {
  for (const [name, obj, want] of invalid) test(name, () => assert.deepEqual(create(obj), want));

  test("valid slices", () => {
    assert.deepEqual(create(eps({})), []);
    assert.deepEqual(create(eps({ addressType: "IPv6", endpoints: [{ addresses: ["fd00::10"] }] })), []);
    assert.deepEqual(
      create(eps({ addressType: "FQDN", endpoints: [{ addresses: ["db.example.com."] }] })),
      [],
    );
    assert.deepEqual(create(eps({ endpoints: [], ports: [] })), []);
    assert.deepEqual(
      create(eps({ endpoints: [{ addresses: ["10.1.2.3"], nodeName: "node-1", zone: "a" }] })),
      [],
    );
  });

  test("addressType is immutable", () => {
    const old = eps({});
    strategy.prepareForCreate?.(old);
    const n = eps({ addressType: "IPv6", endpoints: [] });
    assert.deepEqual(
      strategy.validateUpdate?.(n, old).map((e) => [e.field, e.type, e.detail]),
      [["addressType", I, "field is immutable"]],
    );
  });
});

describe("EndpointSlice strategy", () => {
  test("ports default to name '' and protocol TCP", () => {
    const o = eps({ ports: [{ port: 80 }] });
    strategy.defaults?.(o);
    assert.deepEqual(o.ports, [{ port: 80, name: "", protocol: "TCP" }]);
  });

  test("create sets generation 1 and drops deprecatedTopology", () => {
    const o = eps({
      endpoints: [{ addresses: ["10.1.2.3"], deprecatedTopology: { "kubernetes.io/hostname": "n1" } }],
    });
    strategy.prepareForCreate?.(o);
    assert.equal(o.metadata.generation, 1);
    assert.equal(o.endpoints[0].deprecatedTopology, undefined);
    assert.equal(o.endpoints[0].nodeName, undefined);
  });

  test("update bumps generation only on real changes", () => {
    const old = eps({});
    strategy.prepareForCreate?.(old);
    const same = eps({});
    same.metadata.annotations = { a: "b" };
    strategy.prepareForUpdate?.(same, old);
    assert.equal(same.metadata.generation, 1);
    const moved = eps({ endpoints: [{ addresses: ["10.1.2.4"] }] });
    strategy.prepareForUpdate?.(moved, old);
    assert.equal(moved.metadata.generation, 2);
    const relabelled = eps({});
    relabelled.metadata.labels = { x: "y" };
    strategy.prepareForUpdate?.(relabelled, old);
    assert.equal(relabelled.metadata.generation, 2);
  });

  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
