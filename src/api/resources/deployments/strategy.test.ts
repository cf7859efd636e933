import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { strategy as rs } from "../replicasets/strategy.ts";
import { strategy as rc } from "../replicationcontrollers/strategy.ts";
import { strategy } from "./strategy.ts";

const template = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
});
function deploy(spec: Record<string, unknown>): KubeObject {
  const d: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d", namespace: "default" },
    spec,
  };
  strategy.defaults?.(d);
  return d;
}
const good = () => ({ selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) });

describe("deployment defaults (apps/v1 SetDefaults_Deployment)", () => {
  test("replicas, strategy, history, deadline and the template's pod defaults", () => {
    const d = deploy(good());
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, {
      type: "RollingUpdate",
      rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
    });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.template.spec.restartPolicy, "Always");
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, "IfNotPresent");
    assert.equal(d.spec.template.spec.enableServiceLinks, undefined);
  });
  test("Recreate gets no rollingUpdate", () => {
    assert.deepEqual(deploy({ ...good(), strategy: { type: "Recreate" } }).spec.strategy, {
      type: "Recreate",
    });
  });
});

describe("deployment validation (pkg/apis/apps/validation)", () => {
  const table: Array<[string, Record<string, unknown>, string[]]> = [
    [
      "selector does not match the template labels",
      { selector: { matchLabels: { app: "web" } }, template: template({ app: "api" }) },
      [
        'spec.template.metadata.labels: Invalid value: {"app":"api"}: `selector` does not match template `labels`',
      ],
    ],
    ["selector missing", { template: template({ app: "web" }) }, ["spec.selector: Required value"]],
    [
      "empty selector",
      { selector: {}, template: template({ app: "web" }) },
      ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"],
    ],
    [
      "negative replicas",
      { ...good(), replicas: -1 },
      ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
    ],
    [
      "both surge and unavailable zero (ValidateRollingUpdateDeployment)",
      { ...good(), strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
      ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
    ],
    [
      "unavailable over 100%",
      { ...good(), strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%" } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    ],
    [
      "Recreate with rollingUpdate",
      { ...good(), strategy: { type: "Recreate", rollingUpdate: {} } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      "template restartPolicy must be Always (ValidatePodTemplateSpecForReplicaSet)",
      {
        ...good(),
        template: { ...template({ app: "web" }), spec: { ...template({}).spec, restartPolicy: "Never" } },
      },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      "progressDeadlineSeconds must exceed minReadySeconds",
      { ...good(), minReadySeconds: 700 },
      ["spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds"],
    ],
    [
      "template pod spec errors carry the template path",
      {
        ...good(),
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web" }] } },
      },
      ["spec.template.spec.containers[0].image: Required value"],
    ],
  ];
  for (const [name, spec, want] of table)
    test(name, () => {
      assert.deepEqual(strategy.validate(deploy(spec)).map(errorText), want);
    });
  test("a good deployment is valid", () => {
    assert.deepEqual(strategy.validate(deploy(good())), []);
  });
  test("the selector is immutable in apps/v1", () => {
    const old = deploy(good());
    const next = deploy({
      selector: { matchLabels: { app: "web", v: "2" } },
      template: template({ app: "web", v: "2" }),
    });
    assert.deepEqual(strategy.validateUpdate?.(next, old).map(errorText), [
      'spec.selector: Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable',
    ]);
  });
  test("status kept on update, spec kept on status update", () => {
    const old = deploy(good());
    old.status = { replicas: 3 };
    const next = deploy({ ...good(), replicas: 5 });
    next.status = { replicas: 0 };
    strategy.prepareForUpdate?.(next, old);
    assert.deepEqual(next.status, { replicas: 3 });
    const st = deploy({ ...good(), replicas: 9 });
    strategy.prepareForStatusUpdate?.(st, old);
    assert.equal(st.spec.replicas, 1);
  });
});

describe("replicaset (apps/v1)", () => {
  const mk = (spec: Record<string, unknown>): KubeObject => {
    const o: KubeObject = { metadata: { name: "r", namespace: "d" }, spec };
    rs.defaults?.(o);
    return o;
  };
  test("replicas default 1, status reset on create", () => {
    const o = mk(good());
    assert.equal(o.spec.replicas, 1);
    o.status = { replicas: 7 };
    rs.prepareForCreate?.(o);
    assert.deepEqual(o.status, { replicas: 0 });
    assert.deepEqual(rs.validate(o), []);
  });
  test("selector mismatch and status ordering", () => {
    assert.deepEqual(
      rs
        .validate(mk({ selector: { matchLabels: { a: "b" } }, template: template({ a: "c" }) }))
        .map((e) => e.field),
      ["spec.template.metadata.labels"],
    );
    const o = mk(good());
    o.status = { replicas: 1, readyReplicas: 2 };
    assert.deepEqual(rs.validateStatusUpdate?.(o, o).map(errorText), [
      "status.readyReplicas: Invalid value: 2: cannot be greater than the number of replicas",
    ]);
  });
});

describe("replicationcontroller (core/v1)", () => {
  const mk = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => {
    const o: KubeObject = { metadata: { name: "r", namespace: "d", labels }, spec };
    rc.defaults?.(o);
    return o;
  };
  test("selector and labels default from the template (SetDefaults_ReplicationController)", () => {
    const o = mk({ template: template({ app: "web" }) });
    assert.deepEqual(o.spec.selector, { app: "web" });
    assert.deepEqual(o.metadata.labels, { app: "web" });
    assert.equal(o.spec.replicas, 1);
    assert.deepEqual(rc.validate(o), []);
    assert.deepEqual(mk({ template: template({ app: "web" }) }, { team: "x" }).metadata.labels, {
      team: "x",
    });
  });
  test("selector mismatch and activeDeadlineSeconds (ValidatePodTemplateSpecForRC)", () => {
    const o = mk({
      selector: { app: "other" },
      template: { ...template({ app: "web" }), spec: { ...template({}).spec, activeDeadlineSeconds: 5 } },
    });
    assert.deepEqual(rc.validate(o).map(errorText), [
      'spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`',
      "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicationController is not Supported",
    ]);
  });
});
