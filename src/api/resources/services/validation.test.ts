import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FieldErrorType } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "../../machinery/validation/names.ts";
import { strategy } from "./strategy.ts";

// Expectations are kube-apiserver's: pkg/apis/core/validation/validation.go (ValidateService,
// validateServicePort, ValidateServiceClusterIPsRelatedFields, validateServiceExternalTrafficPolicy,
// validateServiceInternalTrafficFieldsValue, validateLoadBalancerClassField, ValidateNonSpecialIP) and
// the cases of validation_test.go TestValidateServiceCreate that exercise each branch.

const svc = (spec: JsonObject, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default", ...(annotations ? { annotations } : {}) },
  spec: { selector: { app: "web" }, ports: [{ port: 80 }], ...spec },
});

/** What the apiserver does on create before storing: defaults, prepare, validate. */
function create(o: KubeObject) {
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return strategy.validate(o).map((e) => ({ field: e.field, type: e.type, detail: e.detail }));
}

type Want = [field: string, type: FieldErrorType, detail: string];
const R = "FieldValueRequired";
const I = "FieldValueInvalid";
const NS = "FieldValueNotSupported";
const D = "FieldValueDuplicate";
const F = "FieldValueForbidden";
const portRange = "must be between 1 and 65535, inclusive";
const badIP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
const badCIDR = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
const onlyLB = "may only be used when `type` is 'LoadBalancer'";

const invalid: Array<[string, KubeObject, Want[]]> = [
  // TestValidateServiceCreate "missing port" / ValidateService ports Required.
  ["no ports", svc({ ports: [] }), [["spec.ports", R, ""]]],
  // "invalid port": port 0 also becomes the defaulted targetPort.
  [
    "port 0",
    svc({ ports: [{ port: 0 }] }),
    [
      ["spec.ports[0].port", I, portRange],
      ["spec.ports[0].targetPort", I, portRange],
    ],
  ],
  ["port 65536", svc({ ports: [{ port: 65536, targetPort: 8080 }] }), [["spec.ports[0].port", I, portRange]]],
  // "invalid protocol".
  [
    "protocol FOO",
    svc({ ports: [{ port: 80, protocol: "FOO" }] }),
    [["spec.ports[0].protocol", NS, 'supported values: "SCTP", "TCP", "UDP"']],
  ],
  // "empty port[1] name": names are required once there is more than one port.
  [
    "two unnamed ports",
    svc({ ports: [{ port: 80 }, { port: 443 }] }),
    [
      ["spec.ports[0].name", R, ""],
      ["spec.ports[1].name", R, ""],
    ],
  ],
  // "dup port name".
  [
    "duplicate port names",
    svc({
      ports: [
        { name: "p", port: 80 },
        { name: "p", port: 81 },
      ],
    }),
    [["spec.ports[1].name", D, ""]],
  ],
  // "invalid port[0] name": port names are DNS-1123 labels.
  [
    "port name not a DNS label",
    svc({ ports: [{ name: "Web_Port", port: 80 }] }),
    isDNS1123Label("Web_Port").map((m): Want => ["spec.ports[0].name", I, m]),
  ],
  // "invalid target port number".
  [
    "targetPort 70000",
    svc({ ports: [{ port: 80, targetPort: 70000 }] }),
    [["spec.ports[0].targetPort", I, portRange]],
  ],
  // "invalid target port name": IANA service name rules.
  [
    "targetPort name with edge hyphens",
    svc({ ports: [{ port: 80, targetPort: "-http-" }] }),
    [["spec.ports[0].targetPort", I, "must not begin or end with a hyphen"]],
  ],
  [
    "targetPort name too long",
    svc({ ports: [{ port: 80, targetPort: "abcdefghijklmnop" }] }),
    [["spec.ports[0].targetPort", I, "must be no more than 15 characters"]],
  ],
  [
    "targetPort name without letters",
    svc({ ports: [{ port: 80, targetPort: "8080-1" }] }),
    [["spec.ports[0].targetPort", I, "must contain at least one letter (a-z)"]],
  ],
  // "dup ports": same port and protocol twice.
  [
    "duplicate port+protocol",
    svc({
      ports: [
        { name: "a", port: 80 },
        { name: "b", port: 80 },
      ],
    }),
    [["spec.ports[1]", D, ""]],
  ],
  // "invalid node port with clusterIP type" (ClusterIP may not carry node ports).
  [
    "nodePort on ClusterIP",
    svc({ ports: [{ port: 80, nodePort: 30001 }] }),
    [["spec.ports[0].nodePort", F, "may not be used when `type` is 'ClusterIP'"]],
  ],
  // "duplicate nodeports".
  [
    "duplicate nodePort",
    svc({
      type: "NodePort",
      ports: [
        { name: "a", port: 80, nodePort: 30001 },
        { name: "b", port: 81, nodePort: 30001 },
      ],
    }),
    [["spec.ports[1].nodePort", D, ""]],
  ],
  [
    "nodePort beyond any port",
    svc({ type: "NodePort", ports: [{ port: 80, nodePort: 70000 }] }),
    [["spec.ports[0].nodePort", I, "must be between 0 and 65535, inclusive"]],
  ],
  // "invalid type".
  [
    "type Foo",
    svc({ type: "Foo" }),
    [["spec.type", NS, 'supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  ],
  // "invalid cluster ip".
  ["clusterIP not an IP", svc({ clusterIP: "invalid" }), [["spec.clusterIPs[0]", I, badIP]]],
  // "invalid node port with clusterIP None" / "LoadBalancer type cannot have None ClusterIP".
  [
    "headless NodePort",
    svc({ type: "NodePort", clusterIP: "None" }),
    [["spec.clusterIPs[0]", I, "may not be set to 'None' for NodePort services"]],
  ],
  [
    "headless LoadBalancer",
    svc({ type: "LoadBalancer", clusterIP: "None" }),
    [["spec.clusterIPs[0]", I, "may not be set to 'None' for LoadBalancer services"]],
  ],
  // "missing externalName" / "invalid externalName".
  ["ExternalName without name", svc({ type: "ExternalName", ports: [] }), [["spec.externalName", R, ""]]],
  [
    "ExternalName not a DNS name",
    svc({ type: "ExternalName", externalName: "Not_A_Name" }),
    isDNS1123Subdomain("Not_A_Name").map((m): Want => ["spec.externalName", I, m]),
  ],
  // "invalid ExternalName clusterIP (valid IP)".
  [
    "ExternalName with clusterIP",
    svc({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.0.0.1" }),
    [["spec.clusterIPs", F, "may not be set for ExternalName services"]],
  ],
  [
    "ExternalName with ipFamilyPolicy",
    svc({ type: "ExternalName", externalName: "db.example.com", ipFamilyPolicy: "SingleStack" }),
    [["spec.ipFamilyPolicy", F, "may not be set for ExternalName services"]],
  ],
  [
    "ExternalName with ipFamilies",
    svc({ type: "ExternalName", externalName: "db.example.com", ipFamilies: ["IPv4"] }),
    [["spec.ipFamilies", F, "may not be set for ExternalName services"]],
  ],
  // "invalid session affinity".
  [
    "sessionAffinity Sticky",
    svc({ sessionAffinity: "Sticky" }),
    [["spec.sessionAffinity", NS, 'supported values: "ClientIP", "None"']],
  ],
  // "invalid timeoutSeconds field" (0 and above 86400).
  [
    "ClientIP timeout 0",
    svc({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } }),
    [["spec.sessionAffinityConfig.clientIP.timeoutSeconds", I, "must be greater than 0 and less than 86400"]],
  ],
  [
    "ClientIP timeout 86401",
    svc({ sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
    [["spec.sessionAffinityConfig.clientIP.timeoutSeconds", I, "must be greater than 0 and less than 86400"]],
  ],
  // "invalid publicIPs localhost" / "invalid publicIPs unspecified" / "invalid externalIPs".
  ["externalIP not an IP", svc({ externalIPs: ["myhost"] }), [["spec.externalIPs[0]", I, badIP]]],
  [
    "externalIP loopback",
    svc({ externalIPs: ["127.0.0.1"] }),
    [["spec.externalIPs[0]", I, "may not be in the loopback range (127.0.0.0/8, ::1/128)"]],
  ],
  [
    "externalIP unspecified",
    svc({ externalIPs: ["0.0.0.0"] }),
    [["spec.externalIPs[0]", I, "may not be unspecified (0.0.0.0)"]],
  ],
  [
    "externalIP link-local",
    svc({ externalIPs: ["169.254.169.254"] }),
    [["spec.externalIPs[0]", I, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"]],
  ],
  // "invalid LoadBalancerSourceRanges" / "LoadBalancerSourceRanges on non-LoadBalancer".
  [
    "source ranges on ClusterIP",
    svc({ loadBalancerSourceRanges: ["10.0.0.0/8"] }),
    [["spec.LoadBalancerSourceRanges", F, onlyLB]],
  ],
  [
    "source range not a CIDR",
    svc({ type: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/33"] }),
    [["spec.LoadBalancerSourceRanges[0]", I, badCIDR]],
  ],
  [
    "source range annotation not a CIDR",
    svc(
      { type: "LoadBalancer" },
      { "service.beta.kubernetes.io/load-balancer-source-ranges": "10.0.0.0/8, foo" },
    ),
    [["metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]", I, badCIDR]],
  ],
  // "externalTrafficPolicy on ClusterIP" / "invalid externalTraffic field".
  [
    "externalTrafficPolicy on plain ClusterIP",
    svc({ externalTrafficPolicy: "Local" }),
    [["spec.externalTrafficPolicy", I, "may only be set for externally-accessible services"]],
  ],
  [
    "externalTrafficPolicy Foo",
    svc({ type: "NodePort", externalTrafficPolicy: "Foo" }),
    [["spec.externalTrafficPolicy", NS, 'supported values: "Cluster", "Local"']],
  ],
  // "invalid internalTraffic field".
  [
    "internalTrafficPolicy Foo",
    svc({ internalTrafficPolicy: "Foo" }),
    [["spec.internalTrafficPolicy", NS, 'supported values: "Cluster", "Local"']],
  ],
  // "invalid healthCheckNodePort" on a non-LoadBalancer.
  [
    "healthCheckNodePort on NodePort",
    svc({ type: "NodePort", healthCheckNodePort: 31000 }),
    [
      [
        "spec.healthCheckNodePort",
        I,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ],
    ],
  ],
  // ValidateService: a Local LoadBalancer needs a health check port (the allocator fills it).
  [
    "LoadBalancer Local without healthCheckNodePort",
    svc({ type: "LoadBalancer", externalTrafficPolicy: "Local" }),
    [["spec.healthCheckNodePort", R, ""]],
  ],
  // "invalid setting AllocateLoadBalancerNodePorts for type NodePort".
  [
    "allocateLoadBalancerNodePorts on ClusterIP",
    svc({ allocateLoadBalancerNodePorts: true }),
    [["spec.allocateLoadBalancerNodePorts", F, onlyLB]],
  ],
  // "invalid: set LoadBalancerClass when type is not LoadBalancer" / "invalid LoadBalancerClass".
  [
    "loadBalancerClass on ClusterIP",
    svc({ loadBalancerClass: "acme.io/lb" }),
    [["spec.loadBalancerClass", F, onlyLB]],
  ],
  [
    "loadBalancerClass not a qualified name",
    svc({ type: "LoadBalancer", loadBalancerClass: "bad class" }),
    isQualifiedName("bad class").map((m): Want => ["spec.loadBalancerClass", I, m]),
  ],
  // "invalid selector": ValidateLabels reports on spec.selector itself.
  [
    "selector key",
    svc({ selector: { "bad key": "x" } }),
    isQualifiedName("bad key").map((m): Want => ["spec.selector", I, m]),
  ],
  [
    "selector value",
    svc({ selector: { app: "not valid!" } }),
    isValidLabelValue("not valid!").map((m): Want => ["spec.selector", I, m]),
  ],
  // ValidateServiceClusterIPsRelatedFields cases ("invalid ipfamilies", "duplicate ipfamilies", ...).
  [
    "ipFamilies IPv5",
    svc({ ipFamilies: ["IPv5"] }),
    [["spec.ipFamilies[0]", NS, 'supported values: "IPv4", "IPv6"']],
  ],
  ["ipFamilies twice IPv4", svc({ ipFamilies: ["IPv4", "IPv4"] }), [["spec.ipFamilies[1]", D, ""]]],
  [
    "ipFamilyPolicy Dual",
    svc({ ipFamilyPolicy: "Dual" }),
    [["spec.ipFamilyPolicy", NS, 'supported values: "PreferDualStack", "RequireDualStack", "SingleStack"']],
  ],
  [
    "two IPv4 clusterIPs",
    svc({ clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.1", "10.0.0.2"] }),
    [["spec.clusterIPs", I, "may specify no more than one IP for each IP family"]],
  ],
  [
    "three clusterIPs",
    svc({ clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.1", "fd00::1", "10.0.0.2"] }),
    [["spec.clusterIPs", I, "may only hold up to 2 values"]],
  ],
  [
    "clusterIPs[0] differs from clusterIP",
    svc({ clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.2"] }),
    [["spec.clusterIPs", I, "first value must match `clusterIP`"]],
  ],
  [
    "clusterIPs without clusterIP",
    svc({ clusterIPs: ["10.0.0.2"] }),
    [["spec.clusterIPs", I, "must be empty when `clusterIP` is not specified"]],
  ],
  [
    "None with a second clusterIP",
    svc({ clusterIP: "None", clusterIPs: ["None", "10.0.0.1"] }),
    [["spec.clusterIPs", I, "'None' must be the first and only value"]],
  ],
  [
    "clusterIP family differs from ipFamilies",
    svc({ clusterIP: "10.0.0.1", ipFamilies: ["IPv6"] }),
    [["spec.clusterIPs[0]", I, "expected an IPv6 value as indicated by `ipFamilies[0]`"]],
  ],
  // validateServicePort: appProtocol is a qualified name.
  [
    "appProtocol",
    svc({ ports: [{ port: 80, appProtocol: "not valid" }] }),
    isQualifiedName("not valid").map((m): Want => ["spec.ports[0].appProtocol", I, m]),
  ],
  // validateServiceTrafficDistribution.
  [
    "trafficDistribution",
    svc({ trafficDistribution: "Nearest" }),
    [["spec.trafficDistribution", NS, 'supported values: "PreferClose"']],
  ],
  // ValidateService: topology annotations must agree.
  [
    "topology annotations disagree",
    svc(
      {},
      {
        "service.kubernetes.io/topology-mode": "Auto",
        "service.kubernetes.io/topology-aware-hints": "Disabled",
      },
    ),
    [
      [
        "metadata.annotations[service.kubernetes.io/topology-mode]",
        I,
        "must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified",
      ],
    ],
  ],
];

describe("Service validation: invalid objects", () => {
  test("the table is large enough", () => assert.ok(invalid.length >= 40));
  for (const [name, obj, want] of invalid)
    test(name, () => {
      const got = create(obj);
      assert.deepEqual(
        got,
        want.map(([field, type, detail]) => ({ field, type, detail })),
      );
    });
});

describe("Service validation: valid objects", () => {
  const ok: Array<[string, KubeObject]> = [
    ["plain ClusterIP", svc({})],
    ["headless without ports", svc({ clusterIP: "None", ports: [] })],
    [
      "ExternalName with trailing dot",
      svc({ type: "ExternalName", externalName: "db.example.com.", ports: [] }),
    ],
    ["NodePort with node port", svc({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] })],
    [
      "LoadBalancer Local",
      svc({ type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 30123 }),
    ],
    [
      "dual-stack clusterIPs",
      svc({
        clusterIP: "10.0.0.1",
        clusterIPs: ["10.0.0.1", "fd00::1"],
        ipFamilies: ["IPv4", "IPv6"],
        ipFamilyPolicy: "RequireDualStack",
      }),
    ],
    ["IPv6 clusterIP", svc({ clusterIP: "fd00::10" })],
    ["ClientIP affinity with default timeout", svc({ sessionAffinity: "ClientIP" })],
    ["named targetPort", svc({ ports: [{ port: 80, targetPort: "http" }] })],
    [
      "ClusterIP with external IP and Local",
      svc({ externalIPs: ["192.0.2.10"], externalTrafficPolicy: "Local" }),
    ],
    ["space-padded source range", svc({ type: "LoadBalancer", loadBalancerSourceRanges: [" 10.0.0.0/8 "] })],
    [
      "SCTP and UDP",
      svc({
        ports: [
          { name: "a", port: 53, protocol: "UDP" },
          { name: "b", port: 53, protocol: "SCTP" },
        ],
      }),
    ],
  ];
  for (const [name, obj] of ok) test(name, () => assert.deepEqual(create(obj), []));
});

// ValidateServiceUpdate: validateUpgradeDowngradeClusterIPs, validateUpgradeDowngradeIPFamilies,
// validateLoadBalancerClassField and validateServiceExternalTrafficFieldsUpdate.
describe("Service update validation", () => {
  function stored(spec: JsonObject): KubeObject {
    const o = svc(spec);
    strategy.defaults?.(o);
    strategy.prepareForCreate?.(o);
    return o;
  }
  function update(old: KubeObject, spec: JsonObject) {
    const n = svc(spec);
    strategy.defaults?.(n);
    strategy.prepareForUpdate?.(n, old);
    return [...strategy.validate(n), ...(strategy.validateUpdate?.(n, old) ?? [])].map((e) => [
      e.field,
      e.type,
      e.detail,
    ]);
  }

  test("changing clusterIP is refused", () => {
    const old = stored({ clusterIP: "10.0.0.1" });
    assert.deepEqual(update(old, { clusterIP: "10.0.0.2" }), [
      ["spec.clusterIPs[0]", I, "may not change once set"],
    ]);
  });

  test("omitting clusterIP keeps the stored one (patchAllocatedValues)", () => {
    const old = stored({ clusterIP: "10.0.0.1" });
    const n = svc({});
    strategy.defaults?.(n);
    strategy.prepareForUpdate?.(n, old);
    assert.equal(n.spec.clusterIP, "10.0.0.1");
    assert.deepEqual(n.spec.clusterIPs, ["10.0.0.1"]);
    assert.deepEqual(strategy.validateUpdate?.(n, old), []);
  });

  test("switching to ExternalName drops the cluster IP", () => {
    const old = stored({ clusterIP: "10.0.0.1" });
    const n = svc({ type: "ExternalName", externalName: "db.example.com", clusterIP: "10.0.0.1" });
    strategy.defaults?.(n);
    strategy.prepareForUpdate?.(n, old);
    assert.equal(n.spec.clusterIP, undefined);
    assert.deepEqual([...strategy.validate(n), ...(strategy.validateUpdate?.(n, old) ?? [])], []);
  });

  test("headless to headless is fine; headful to headless is not", () => {
    const headless = stored({ clusterIP: "None" });
    assert.deepEqual(update(headless, { clusterIP: "None" }), []);
    const headful = stored({ clusterIP: "10.0.0.1" });
    assert.deepEqual(update(headful, { clusterIP: "None" }), [
      ["spec.clusterIPs[0]", I, "may not change once set"],
    ]);
  });

  test("releasing the secondary IP needs SingleStack", () => {
    const old = stored({
      clusterIP: "10.0.0.1",
      clusterIPs: ["10.0.0.1", "fd00::1"],
      ipFamilies: ["IPv4", "IPv6"],
      ipFamilyPolicy: "RequireDualStack",
    });
    assert.deepEqual(
      update(old, {
        clusterIP: "10.0.0.1",
        clusterIPs: ["10.0.0.1"],
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "PreferDualStack",
      }),
      [
        ["spec.ipFamilyPolicy", I, "must be set to 'SingleStack' when releasing the secondary clusterIP"],
        ["spec.ipFamilyPolicy", I, "must be set to 'SingleStack' when releasing the secondary ipFamily"],
      ],
    );
  });

  test("ipFamilies may not change", () => {
    const old = stored({ clusterIP: "10.0.0.1", ipFamilies: ["IPv4"] });
    assert.deepEqual(update(old, { clusterIP: "10.0.0.1", ipFamilies: ["IPv6"] }), [
      ["spec.clusterIPs[0]", I, "expected an IPv6 value as indicated by `ipFamilies[0]`"],
      ["spec.ipFamilies[0]", I, "may not change once set"],
    ]);
  });

  test("loadBalancerClass may not change on a LoadBalancer", () => {
    const old = stored({ type: "LoadBalancer", loadBalancerClass: "acme.io/a" });
    assert.deepEqual(update(old, { type: "LoadBalancer", loadBalancerClass: "acme.io/b" }), [
      ["spec.loadBalancerClass", I, "may not change once set"],
    ]);
  });

  test("healthCheckNodePort is immutable while needed", () => {
    const old = stored({ type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 31000 });
    assert.deepEqual(
      update(old, { type: "LoadBalancer", externalTrafficPolicy: "Local", healthCheckNodePort: 31001 }),
      [["spec.healthCheckNodePort", F, "field is immutable"]],
    );
  });
});

// ValidateServiceStatusUpdate / ValidateLoadBalancerStatus.
describe("Service status validation", () => {
  const withStatus = (type: string, ingress: JsonObject[]): KubeObject => {
    const o = svc({ type });
    o.status = { loadBalancer: { ingress } };
    strategy.defaults?.(o);
    return o;
  };
  const check = (o: KubeObject) =>
    (strategy.validateStatusUpdate?.(o, o) ?? []).map((e) => [e.field, e.type, e.detail]);

  test("ingress only on LoadBalancer", () => {
    assert.deepEqual(check(withStatus("ClusterIP", [{ ip: "192.0.2.1" }])), [
      ["status.loadBalancer.ingress", F, "may only be used when `spec.type` is 'LoadBalancer'"],
    ]);
  });
  test("ip, ipMode and hostname checks", () => {
    const o = svc({ type: "LoadBalancer" });
    o.status = {
      loadBalancer: {
        ingress: [
          { ip: "bad", ipMode: "VIP" },
          { ip: "192.0.2.1" },
          { hostname: "192.0.2.2" },
          { ip: "192.0.2.3", ipMode: "X" },
        ],
      },
    };
    assert.deepEqual(check(o), [
      ["status.loadBalancer.ingress[0].ip", I, badIP],
      ["status.loadBalancer.ingress[1].ipMode", R, "must be specified when `ip` is set"],
      ["status.loadBalancer.ingress[2].hostname", I, "must be a DNS name, not an IP address"],
      ["status.loadBalancer.ingress[3].ipMode", NS, 'supported values: "Proxy", "VIP"'],
    ]);
  });
  test("defaults fill ipMode VIP on LoadBalancers", () => {
    const o = withStatus("LoadBalancer", [{ ip: "192.0.2.1" }]);
    assert.deepEqual(check(o), []);
    assert.equal(o.status.loadBalancer.ingress[0].ipMode, "VIP");
  });
});
