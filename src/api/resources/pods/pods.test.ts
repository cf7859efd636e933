import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText, FieldPath } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { defaultPod, defaultPodTemplateSpec, defaultPullPolicy } from "./defaults.ts";
import { fields } from "./fields.ts";
import { podQOS } from "./qos.ts";
import { strategy } from "./strategy.ts";
import { validatePodSpec } from "./validation.ts";

// A pod as a client sends it, then defaulted the way the server does before validation.
function pod(spec: Record<string, unknown>): KubeObject {
  const p: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec,
  };
  strategy.defaults?.(p);
  return p;
}
const web = () => ({ containers: [{ name: "web", image: "nginx:1.27" }] });
const errs = (spec: Record<string, unknown>) => strategy.validate(pod(spec)).map(errorText);

describe("pod defaults (pkg/apis/core/v1/defaults.go)", () => {
  test("pod and container defaults", () => {
    const p = pod({ containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }] }] });
    assert.equal(p.spec.restartPolicy, "Always");
    assert.equal(p.spec.dnsPolicy, "ClusterFirst");
    assert.equal(p.spec.schedulerName, "default-scheduler");
    assert.equal(p.spec.terminationGracePeriodSeconds, 30);
    assert.deepEqual(p.spec.securityContext, {});
    assert.equal(p.spec.enableServiceLinks, true);
    const c = p.spec.containers[0];
    assert.equal(c.imagePullPolicy, "Always");
    assert.equal(c.terminationMessagePath, "/dev/termination-log");
    assert.equal(c.terminationMessagePolicy, "File");
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: "TCP" }]);
    assert.deepEqual(c.resources, {});
  });
  test("image pull policy follows the tag (SetDefaults_Container)", () => {
    assert.equal(defaultPullPolicy("nginx"), "Always");
    assert.equal(defaultPullPolicy("nginx:latest"), "Always");
    assert.equal(defaultPullPolicy("nginx:1.27"), "IfNotPresent");
    assert.equal(defaultPullPolicy("localhost:5000/app"), "Always");
    assert.equal(defaultPullPolicy("localhost:5000/app:v1"), "IfNotPresent");
    assert.equal(defaultPullPolicy("nginx@sha256:abc"), "IfNotPresent");
  });
  test("probes, handlers, volumes and env field refs", () => {
    const p = pod({
      containers: [
        {
          name: "web",
          image: "nginx:1",
          readinessProbe: { httpGet: { port: 80 } },
          env: [{ name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }],
        },
      ],
      volumes: [
        { name: "scratch" },
        { name: "s", secret: { secretName: "x" } },
        { name: "c", configMap: { name: "x" } },
      ],
    });
    assert.deepEqual(p.spec.containers[0].readinessProbe, {
      httpGet: { port: 80, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.equal(p.spec.containers[0].env[0].valueFrom.fieldRef.apiVersion, "v1");
    assert.deepEqual(p.spec.volumes[0], { name: "scratch", emptyDir: {} });
    assert.equal(p.spec.volumes[1].secret.defaultMode, 420);
    assert.equal(p.spec.volumes[2].configMap.defaultMode, 420);
  });
  test("requests default to limits on pods only; host network copies ports (SetDefaults_Pod)", () => {
    const spec = {
      hostNetwork: true,
      containers: [
        { name: "a", image: "x:1", resources: { limits: { cpu: "1" } }, ports: [{ containerPort: 8080 }] },
      ],
    };
    const p: KubeObject = { metadata: {}, spec: structuredClone(spec) };
    defaultPod(p);
    assert.deepEqual(p.spec.containers[0].resources.requests, { cpu: "1" });
    assert.equal(p.spec.containers[0].ports[0].hostPort, 8080);
    const t: KubeObject = { metadata: {}, spec: structuredClone(spec) };
    defaultPodTemplateSpec(t);
    assert.equal(t.spec.enableServiceLinks, undefined);
    assert.equal(t.spec.containers[0].resources.requests, undefined);
  });
  test("prepareForCreate sets Pending and the QoS class; updates keep status", () => {
    const p = pod(web());
    p.status = { phase: "Running", podIP: "10.0.0.1" };
    strategy.prepareForCreate?.(p);
    assert.deepEqual(p.status, { phase: "Pending", qosClass: "BestEffort" });
    const next = pod({ ...web(), activeDeadlineSeconds: 5 });
    next.status = { phase: "Failed" };
    strategy.prepareForUpdate?.(next, p);
    assert.deepEqual(next.status, { phase: "Pending", qosClass: "BestEffort" });
    const s = pod(web());
    s.status = { phase: "Running" };
    s.spec.nodeName = "other";
    strategy.prepareForStatusUpdate?.(s, p);
    assert.equal(s.spec.nodeName, undefined);
    assert.equal(s.status.phase, "Running");
  });
  test("QoS classes (GetPodQOS)", () => {
    const c = (resources: Record<string, unknown>) => ({
      containers: [{ name: "a", image: "x", resources }],
    });
    assert.equal(podQOS(c({})), "BestEffort");
    assert.equal(podQOS(c({ requests: { cpu: "100m" } })), "Burstable");
    const g = { limits: { cpu: "500m", memory: "1Gi" }, requests: { cpu: "0.5", memory: "1024Mi" } };
    assert.equal(podQOS(c(g)), "Guaranteed");
    assert.equal(
      podQOS(c({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } })),
      "Burstable",
    );
  });
});

describe("pod validation (pkg/apis/core/validation/validation.go)", () => {
  test("a plain pod is valid", () => {
    assert.deepEqual(errs(web()), []);
  });
  // Each row: spec, then the exact error texts kube gives.
  const table: Array<[string, Record<string, unknown>, string[]]> = [
    ["no containers (validateContainers)", { containers: [] }, ["spec.containers: Required value"]],
    [
      "duplicate container names",
      {
        containers: [
          { name: "x", image: "a:1" },
          { name: "x", image: "b:1" },
        ],
      },
      ['spec.containers[1].name: Duplicate value: "x"'],
    ],
    ["image required", { containers: [{ name: "x" }] }, ["spec.containers[0].image: Required value"]],
    [
      "containerPort out of range, duplicate port names, bad protocol (validateContainerPorts)",
      {
        containers: [
          {
            name: "x",
            image: "a:1",
            ports: [
              { name: "http", containerPort: 70000 },
              { name: "http", containerPort: 81, protocol: "HTTP" },
            ],
          },
        ],
      },
      [
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[1].name: Duplicate value: "http"',
        'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    ],
    [
      "port name format (IsValidPortName)",
      { containers: [{ name: "x", image: "a:1", ports: [{ name: "Http", containerPort: 80 }] }] },
      [
        'spec.containers[0].ports[0].name: Invalid value: "Http": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      "volume mount of an unknown volume; duplicate volume (validateVolumeMounts, validateVolumes)",
      {
        containers: [{ name: "x", image: "a:1", volumeMounts: [{ name: "data", mountPath: "/d" }] }],
        volumes: [{ name: "v" }, { name: "v" }],
      },
      [
        'spec.volumes[1].name: Duplicate value: "v"',
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      ],
    ],
    [
      "restartPolicy and dnsPolicy enums",
      { ...web(), restartPolicy: "Sometimes", dnsPolicy: "Google" },
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      "dnsPolicy None needs a dnsConfig (validateDNSPolicy)",
      { ...web(), dnsPolicy: "None" },
      ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"],
    ],
    [
      "probe without a handler; liveness successThreshold must be 1 (validateProbe)",
      { containers: [{ name: "x", image: "a:1", livenessProbe: { successThreshold: 2 } }] },
      [
        "spec.containers[0].livenessProbe: Required value: must specify a handler type",
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
      ],
    ],
    [
      "requests above limits (ValidateResourceRequirements)",
      {
        containers: [
          { name: "x", image: "a:1", resources: { limits: { cpu: "1" }, requests: { cpu: "2" } } },
        ],
      },
      [
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      ],
    ],
    [
      "unknown resource name",
      { containers: [{ name: "x", image: "a:1", resources: { requests: { gpu: "1" } } }] },
      [
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      "env var name with '=' and value plus valueFrom (ValidateEnv)",
      {
        containers: [
          {
            name: "x",
            image: "a:1",
            env: [
              { name: "A=B" },
              { name: "C", value: "v", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            ],
          },
        ],
      },
      [
        `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
    ],
    [
      "bad container name is a DNS label error",
      { containers: [{ name: "Web", image: "a:1" }] },
      [
        `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
  ];
  for (const [name, spec, want] of table)
    test(name, () => {
      assert.deepEqual(errs(spec), want);
    });

  test("validatePodSpec uses the given path", () => {
    const e = validatePodSpec({ containers: [] }, FieldPath.root("spec").child("template", "spec"));
    assert.ok(e.some((x) => x.field === "spec.template.spec.containers" && x.type === "FieldValueRequired"));
  });
});

describe("pod update (ValidatePodUpdate)", () => {
  test("image and activeDeadlineSeconds may change, nothing else", () => {
    const old = pod(web());
    const ok = pod({ containers: [{ name: "web", image: "nginx:1.28" }], activeDeadlineSeconds: 30 });
    assert.deepEqual(strategy.validateUpdate?.(ok, old), []);
    const bad = pod({ ...web(), restartPolicy: "Never" });
    const e = strategy.validateUpdate?.(bad, old) ?? [];
    assert.equal(e.length, 1);
    assert.equal(e[0].field, "spec");
    assert.equal(e[0].type, "FieldValueForbidden");
    assert.ok(
      e[0].detail.startsWith("pod updates may not change fields other than `spec.containers[*].image`"),
    );
  });
  test("containers may not be added", () => {
    const old = pod(web());
    const more = pod({ containers: [...web().containers, { name: "b", image: "b:1" }] });
    assert.deepEqual((strategy.validateUpdate?.(more, old) ?? []).map(errorText), [
      "spec.containers: Forbidden: pod updates may not add or remove containers",
    ]);
  });
  test("status podIPs must be IPs", () => {
    const p = pod(web());
    p.status = { podIPs: [{ ip: "10.0.0.300" }] };
    assert.deepEqual(
      (strategy.validateStatusUpdate?.(p, p) ?? []).map((e) => e.field),
      ["status.podIPs[0]"],
    );
  });
});

describe("pod field selectors (pod ToSelectableFields)", () => {
  test("values", () => {
    const p = pod({ ...web(), nodeName: "n1" });
    p.status = { phase: "Running", podIPs: [{ ip: "10.0.0.5" }] };
    assert.equal(fields["spec.nodeName"](p), "n1");
    assert.equal(fields["spec.restartPolicy"](p), "Always");
    assert.equal(fields["spec.hostNetwork"](p), "false");
    assert.equal(fields["status.phase"](p), "Running");
    assert.equal(fields["status.podIP"](p), "10.0.0.5");
    assert.equal(fields["spec.schedulerName"](p), "default-scheduler");
  });
});
