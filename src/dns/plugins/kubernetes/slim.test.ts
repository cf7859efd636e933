import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RecordType } from "dns-packet";
import type { KubeObject } from "../../../api/machinery/types.ts";
import { ask, namespaces, plugin, pod, pods, services, slice, slices } from "./fixtures.test-util.ts";
import type { KubernetesOptions } from "./kubernetes.ts";
import { reverseName } from "./names.ts";
import { slimEndpointSlice, slimNamespace, slimPod, slimService } from "./slim.ts";
import {
  type EndpointSlice,
  type Pod,
  podIndexers,
  type Service,
  serviceIndexers,
  sliceIndexers,
  staticView,
  TRIGGER_TIME_ANNOTATION,
} from "./view.ts";
import { podNames, serviceNames, sliceNames } from "./watch.ts";

/** What an apiserver adds that the plugin never reads. */
function fat<T extends KubeObject>(o: T): T {
  const copy = structuredClone(o);
  copy.metadata = {
    ...copy.metadata,
    uid: "0b7d6a7e-0000-4000-8000-000000000000",
    creationTimestamp: "2026-11-22T08:00:00Z",
    labels: { ...copy.metadata.labels, app: "x" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    managedFields: [{ manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": {} } }],
  };
  return copy;
}

const fatSlices: EndpointSlice[] = [
  ...slices.map(fat),
  // serving/terminating, nodeName and a full targetRef: dropped; ready: null kept.
  slice("testns", "svcempty", [
    {
      addresses: ["172.0.0.20"],
      conditions: { ready: null, serving: true, terminating: false },
      nodeName: "node-1",
      targetRef: { kind: "Pod", name: "svcempty-a", namespace: "testns" },
    },
    { addresses: ["172.0.0.21"], conditions: { ready: false, serving: true, terminating: true } },
  ]),
];
const terminating = pod("podns", "leaving", "10.240.0.3");
terminating.metadata.deletionTimestamp = "2026-11-22T08:00:00Z";
const fatPods: Pod[] = [...pods, terminating].map(fat);
const fatServices: Service[] = services.map(fat);

const ips = [
  ...fatServices.flatMap((s) => s.spec?.clusterIPs ?? []),
  ...fatSlices.flatMap((e) => (e.endpoints ?? []).flatMap((ep) => ep.addresses)),
  ...fatPods.map((p) => p.status?.podIP ?? ""),
].filter((ip) => ip && ip !== "None");

/** Every name form the fixtures can answer, and misses next to them. */
const names: string[] = [
  "cluster.local.",
  "svc.cluster.local.",
  "testns.svc.cluster.local.",
  "nope.svc.cluster.local.",
  ...fatServices.flatMap((s) => {
    const base = `${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local.`;
    return [base, `_http._tcp.${base}`, `_dns._udp.${base}`, `_http._udp.${base}`, `x.${base}`];
  }),
  ...["hostname1", "svc1-pod", "hdls1-pod-b", "svcempty-a", "172-0-0-4", "172-0-0-20"].flatMap((h) =>
    ["svc1", "hdls1", "svcempty"].map((s) => `${h}.${s}.testns.svc.cluster.local.`),
  ),
  ...fatPods.map(
    (p) => `${p.status?.podIP?.replaceAll(".", "-")}.${p.metadata.namespace}.pod.cluster.local.`,
  ),
  ...ips.map((ip) => `${reverseName(ip)}.`),
];
const types: RecordType[] = ["A", "AAAA", "SRV", "PTR", "NS", "SOA", "TXT"];

const views = (podNames: boolean) => ({
  raw: staticView({ services: fatServices, slices: fatSlices, pods: fatPods, namespaces, modified: 1 }),
  slim: staticView({
    services: fatServices.map(slimService),
    slices: fatSlices.map((e) => slimEndpointSlice(e, podNames)),
    pods: fatPods.map(slimPod),
    namespaces: namespaces.map((n) => slimNamespace({ metadata: { name: n } }).metadata.name ?? ""),
    modified: 1,
  }),
});

describe("kubernetes: slim objects", () => {
  const variants: Array<[string, Partial<KubernetesOptions>]> = [
    ["defaults", {}],
    ["pods verified, endpoint_pod_names", { podMode: "verified", endpointPodNames: true }],
    ["pods insecure, ignore empty_service", { podMode: "insecure", ignoreEmptyService: true }],
    ["local IP is an endpoint (NS records)", { localIPs: () => ["172.0.0.2", "172.0.0.1"] }],
  ];
  for (const [what, over] of variants) {
    test(`every answer is the same as from the full objects: ${what}`, async () => {
      const v = views(over.endpointPodNames ?? false);
      const full = plugin(over, v.raw);
      const slim = plugin(over, v.slim);
      let answered = 0;
      for (const name of names) {
        for (const type of types) {
          const a = await ask(full, name, type, "10.240.0.1");
          const b = await ask(slim, name, type, "10.240.0.1");
          assert.deepEqual(
            [b.rcode, b.answer, b.ns, b.extra],
            [a.rcode, a.answer, a.ns, a.extra],
            `${name} ${type}`,
          );
          if (a.answer.length > 0) answered++;
        }
      }
      assert.ok(answered >= 30, `the battery answers positively (${answered})`);
      assert.deepEqual(full.autoPath === undefined, slim.autoPath === undefined);
    });
  }

  test("indexes, announced names and the latency annotation survive; the rest is gone", () => {
    const zones = ["cluster.local."];
    for (const s of fatServices) {
      assert.deepEqual(serviceNames(slimService(s), zones), serviceNames(s, zones));
      assert.deepEqual(serviceIndexers.clusterIP(slimService(s)), serviceIndexers.clusterIP(s));
    }
    for (const e of fatSlices) {
      for (const podNamesToo of [false, true])
        assert.deepEqual(
          sliceNames(slimEndpointSlice(e), zones, podNamesToo),
          sliceNames(e, zones, podNamesToo),
        );
      assert.deepEqual(sliceIndexers.service(slimEndpointSlice(e)), sliceIndexers.service(e));
      assert.deepEqual(sliceIndexers.ip(slimEndpointSlice(e, false)), sliceIndexers.ip(e));
    }
    for (const p of fatPods) {
      assert.deepEqual(podNames(slimPod(p), zones), podNames(p, zones));
      assert.deepEqual(podIndexers.ip(slimPod(p)), podIndexers.ip(p));
    }
    assert.deepEqual(podIndexers.ip(slimPod(fatPods[2])), [], "terminating pods stay unindexed");

    const withTrigger = fat(slices[0]);
    withTrigger.metadata.annotations = {
      [TRIGGER_TIME_ANNOTATION]: "2026-11-22T08:00:00Z",
      other: "x",
    };
    const noPodNames = slimEndpointSlice(withTrigger, false);
    assert.equal(noPodNames.endpoints, undefined, "endpoints become their ready addresses");
    assert.deepEqual(noPodNames.readyIPs, ["172.0.0.1"]);
    assert.equal(noPodNames.readyPodNames, undefined, "pod names only with endpoint_pod_names");
    const s = slimEndpointSlice(withTrigger);
    assert.deepEqual(s.metadata, {
      name: "svc1-ipv4",
      namespace: "testns",
      resourceVersion: "1",
      labels: { "kubernetes.io/service-name": "svc1" },
      annotations: { [TRIGGER_TIME_ANNOTATION]: "2026-11-22T08:00:00Z" },
    });
    assert.deepEqual(
      [s.readyIPs, s.readyHostnames, s.readyPodNames],
      [["172.0.0.1"], undefined, ["svc1-pod"]],
    );
    assert.equal(s.apiVersion, undefined);
    assert.deepEqual(Object.keys(slimService(fatServices[0])).sort(), ["metadata", "spec"]);
    assert.deepEqual(slimNamespace(fat({ metadata: { name: "a", resourceVersion: "3" } })), {
      metadata: { name: "a", resourceVersion: "3" },
    });
  });

  test("a slice keeps its ready addresses in order, with hostnames and pod names lined up", () => {
    const e = slimEndpointSlice(
      slice("ns", "web", [
        { addresses: ["10.0.0.1"], conditions: { ready: true }, targetRef: { name: "web-a" } },
        { addresses: ["10.0.0.2"], conditions: { ready: false }, hostname: "gone" },
        { addresses: ["10.0.0.3", "10.0.0.4"], hostname: "h", targetRef: { name: "x".repeat(64) } },
        { addresses: ["10.0.0.5"], conditions: { ready: null } },
      ]),
    );
    assert.deepEqual(e.readyIPs, ["10.0.0.1", "10.0.0.3", "10.0.0.4", "10.0.0.5"]);
    assert.deepEqual(e.readyHostnames, ["", "h", "h", ""]);
    // A pod name longer than a label names no endpoint (object.EndpointSliceToEndpoints).
    assert.deepEqual(e.readyPodNames, ["web-a", "", "", ""]);
  });

  test("Services and slices with the same ports share one frozen port list", () => {
    const [a, b] = ["a", "b"].map((n) =>
      slimService({
        metadata: { name: n, namespace: "ns" },
        spec: { clusterIP: "10.96.0.9", ports: [{ name: "http", protocol: "TCP", port: 80 }] },
      }),
    );
    assert.equal(a.spec?.ports, b.spec?.ports);
    assert.ok(Object.isFrozen(a.spec?.ports) && Object.isFrozen(a.spec?.ports?.[0]));
    const other = slimService({
      metadata: { name: "c", namespace: "ns" },
      spec: { clusterIP: "10.96.0.9", ports: [{ name: "http", protocol: "TCP", port: 8080 }] },
    });
    assert.notEqual(other.spec?.ports, a.spec?.ports);
    assert.deepEqual(other.spec?.ports, [{ name: "http", protocol: "TCP", port: 8080 }]);
    const [empty, absent] = [
      { name: "", protocol: "TCP", port: 80 },
      { protocol: "TCP", port: 80 },
    ].map((p) => slimService({ metadata: { name: "d", namespace: "ns" }, spec: { ports: [p] } }).spec?.ports);
    assert.deepEqual(absent, [{ name: undefined, protocol: "TCP", port: 80 }]);
    assert.notEqual(empty, absent, "an empty name is not an absent one");
  });
});
