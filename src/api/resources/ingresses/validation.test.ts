import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FieldErrorType } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { isDNS1035Label, isDNS1123Subdomain } from "../../machinery/validation/names.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";
import { isWildcardDNS1123Subdomain } from "./validation.ts";

// Expectations: pkg/apis/networking/validation/validation.go (ValidateIngressCreate,
// ValidateIngressSpec, validateHTTPIngressPath, validateIngressBackend, validateIngressTLS,
// ValidateIngressLoadBalancerStatus) and validation_test.go TestValidateIngressCreate,
// TestValidateIngressRuleValue, TestValidateIngressTLS, TestValidateIngressStatusUpdate.

const backend = { service: { name: "web", port: { number: 80 } } };
const path = (over: JsonObject = {}): JsonObject => ({ path: "/", pathType: "Prefix", backend, ...over });
const ing = (spec: JsonObject, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "web", namespace: "default", ...(annotations ? { annotations } : {}) },
  spec,
});
const rule = (p: JsonObject, host = "foo.example.com"): JsonObject => ({ host, http: { paths: [p] } });

function create(o: KubeObject) {
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return strategy.validate(o).map((e) => [e.field, e.type, e.detail]);
}

type Want = [string, FieldErrorType, string];
const I = "FieldValueInvalid";
const P0 = "spec.rules[0].http.paths[0]";

const invalid: Array<[string, KubeObject, Want[]]> = [
  [
    "neither rules nor defaultBackend",
    ing({}),
    [["spec", I, "either `defaultBackend` or `rules` must be specified"]],
  ],
  [
    "missing pathType",
    ing({ rules: [rule(path({ pathType: undefined }))] }),
    [[`${P0}.pathType`, "FieldValueRequired", "pathType must be specified"]],
  ],
  [
    "unknown pathType",
    ing({ rules: [rule(path({ pathType: "Regex" }))] }),
    [
      [
        `${P0}.pathType`,
        "FieldValueNotSupported",
        'supported values: "Exact", "ImplementationSpecific", "Prefix"',
      ],
    ],
  ],
  [
    "relative Prefix path",
    ing({ rules: [rule(path({ path: "foo" }))] }),
    [[`${P0}.path`, I, "must be an absolute path"]],
  ],
  [
    "Exact path with //",
    ing({ rules: [rule(path({ pathType: "Exact", path: "/a//b" }))] }),
    [[`${P0}.path`, I, "must not contain '//'"]],
  ],
  [
    "Prefix path ending /..",
    ing({ rules: [rule(path({ path: "/a/.." }))] }),
    [[`${P0}.path`, I, "cannot end with '/..'"]],
  ],
  [
    "Prefix path with %2F",
    ing({ rules: [rule(path({ path: "/a%2Fb" }))] }),
    [[`${P0}.path`, I, "must not contain '%2F'"]],
  ],
  [
    "relative ImplementationSpecific path",
    ing({ rules: [rule(path({ pathType: "ImplementationSpecific", path: "foo" }))] }),
    [[`${P0}.path`, I, "must be an absolute path"]],
  ],
  [
    "rule without paths",
    ing({ rules: [{ host: "a.example.com", http: { paths: [] } }] }),
    [["spec.rules[0].http.paths", "FieldValueRequired", ""]],
  ],
  [
    "IP host",
    ing({ rules: [rule(path(), "1.2.3.4")] }),
    [["spec.rules[0].host", I, "must be a DNS name, not an IP address"]],
  ],
  [
    "bad wildcard host",
    ing({ rules: [rule(path(), "foo.*.example.com")] }),
    isWildcardDNS1123Subdomain("foo.*.example.com").map((m): Want => ["spec.rules[0].host", I, m]),
  ],
  [
    "upper-case host",
    ing({ rules: [rule(path(), "Foo.example.com")] }),
    isDNS1123Subdomain("Foo.example.com").map((m): Want => ["spec.rules[0].host", I, m]),
  ],
  [
    "both service and resource",
    ing({ defaultBackend: { ...backend, resource: { kind: "Bucket", name: "b" } } }),
    [["spec.defaultBackend", I, "cannot set both resource and service backends"]],
  ],
  [
    "no backend",
    ing({ defaultBackend: {} }),
    [["spec.defaultBackend", I, "resource or service backend is required"]],
  ],
  [
    "service name not DNS-1035",
    ing({ defaultBackend: { service: { name: "1web", port: { number: 80 } } } }),
    isDNS1035Label("1web").map((m): Want => ["spec.defaultBackend.service.name", I, m]),
  ],
  [
    "service without name",
    ing({ defaultBackend: { service: { port: { number: 80 } } } }),
    [["spec.defaultBackend.service.name", "FieldValueRequired", ""]],
  ],
  [
    "port name and number",
    ing({ defaultBackend: { service: { name: "web", port: { name: "http", number: 80 } } } }),
    [["spec.defaultBackend", I, "cannot set both port name & port number"]],
  ],
  [
    "no port",
    ing({ defaultBackend: { service: { name: "web", port: {} } } }),
    [["spec.defaultBackend", "FieldValueRequired", "port name or number is required"]],
  ],
  [
    "port number out of range",
    ing({ defaultBackend: { service: { name: "web", port: { number: 70000 } } } }),
    [["spec.defaultBackend.service.port.number", I, "must be between 1 and 65535, inclusive"]],
  ],
  [
    "bad port name",
    ing({ defaultBackend: { service: { name: "web", port: { name: "http--alt" } } } }),
    [["spec.defaultBackend.service.port.name", I, "must not contain consecutive hyphens"]],
  ],
  [
    "resource backend without kind",
    ing({ defaultBackend: { resource: { apiGroup: "example.com", name: "b" } } }),
    [["spec.defaultBackend.resource.kind", "FieldValueRequired", ""]],
  ],
  [
    "resource name with slash",
    ing({ defaultBackend: { resource: { kind: "Bucket", name: "a/b" } } }),
    [["spec.defaultBackend.resource.name", I, "may not contain '/'"]],
  ],
  [
    "bad TLS host",
    ing({ defaultBackend: backend, tls: [{ hosts: ["Bad_Host"] }] }),
    isDNS1123Subdomain("Bad_Host").map((m): Want => ["spec.tls[0].hosts[0]", I, m]),
  ],
  [
    "bad TLS secret",
    ing({ defaultBackend: backend, tls: [{ hosts: ["*.example.com"], secretName: "Secret!" }] }),
    isDNS1123Subdomain("Secret!").map((m): Want => ["spec.tls[0].secretName", I, m]),
  ],
  [
    "bad ingressClassName",
    ing({ defaultBackend: backend, ingressClassName: "Nginx" }),
    isDNS1123Subdomain("Nginx").map((m): Want => ["spec.ingressClassName", I, m]),
  ],
  [
    "class annotation disagrees",
    ing({ defaultBackend: backend, ingressClassName: "nginx" }, { "kubernetes.io/ingress.class": "traefik" }),
    [["annotations.kubernetes.io/ingress.class", I, "must match `ingressClassName` when both are specified"]],
  ],
];

describe("Ingress validation", () => {
  for (const [name, obj, want] of invalid) test(name, () => assert.deepEqual(create(obj), want));

  test("valid ingresses", () => {
    assert.deepEqual(create(ing({ rules: [rule(path())] })), []);
    assert.deepEqual(create(ing({ defaultBackend: backend })), []);
    assert.deepEqual(create(ing({ rules: [rule(path(), "*.example.com")] })), []);
    assert.deepEqual(
      create(ing({ rules: [rule(path({ pathType: "ImplementationSpecific", path: "" }))] })),
      [],
    );
    assert.deepEqual(create(ing({ rules: [{ host: "only-host.example.com" }] })), []);
    assert.deepEqual(
      create(
        ing({
          defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "b" } },
        }),
      ),
      [],
    );
    assert.deepEqual(
      create(
        ing(
          { defaultBackend: backend, ingressClassName: "nginx" },
          { "kubernetes.io/ingress.class": "nginx" },
        ),
      ),
      [],
    );
  });
});

describe("Ingress strategy", () => {
  test("status is cleared on create and kept on update; status updates keep spec", () => {
    const o = ing({ defaultBackend: backend });
    o.status = { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } };
    strategy.prepareForCreate?.(o);
    assert.deepEqual(o.status, { loadBalancer: {} });
    const old = ing({ defaultBackend: backend });
    old.status = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    const n = ing({ rules: [rule(path())] });
    strategy.prepareForUpdate?.(n, old);
    assert.deepEqual(n.status, old.status);
    const st = ing({ rules: [rule(path())] });
    st.status = { loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } };
    strategy.prepareForStatusUpdate?.(st, old);
    assert.deepEqual(st.spec, old.spec);
  });

  test("status validation", () => {
    const o = ing({ defaultBackend: backend });
    o.status = { loadBalancer: { ingress: [{ ip: "nope" }, { hostname: "10.0.0.1" }, { ip: "010.0.0.1" }] } };
    assert.deepEqual(
      strategy.validateStatusUpdate?.(o, o).map((e) => [e.field, e.type, e.detail]),
      [
        [
          "status.loadBalancer.ingress[0].ip",
          I,
          "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        ],
        ["status.loadBalancer.ingress[1].hostname", I, "must be a DNS name, not an IP address"],
      ],
    );
  });

  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
