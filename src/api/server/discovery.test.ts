import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resources } from "../resources/registry.ts";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  chooseDiscoveryFormat,
  DISCOVERY_V2_CONTENT_TYPE,
  DISCOVERY_V2BETA1_CONTENT_TYPE,
  discoveryContentType,
  discoveryETag,
  storageVersionHash,
} from "./discovery.ts";

type Obj = Record<string, unknown>;
const ALL = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

/** client-go's ContentTypeIsGVK: base application/json and equal g, v, as parameters in any order. */
function contentTypeIsGVK(contentType: string, g: string, v: string, as: string): boolean {
  const [base, ...rest] = contentType.split(";").map((s) => s.trim());
  const params = new Map(rest.map((p) => p.split("=") as [string, string]));
  return (
    base === "application/json" && params.get("g") === g && params.get("v") === v && params.get("as") === as
  );
}

describe("discovery content negotiation", () => {
  // What kubectl 1.27+ (client-go's acceptDiscoveryFormats) sends.
  const kubectl =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

  test("kubectl gets v2, older clients v2beta1, plain JSON the legacy documents", () => {
    assert.equal(chooseDiscoveryFormat(kubectl), "v2");
    assert.equal(
      chooseDiscoveryFormat(
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json",
      ),
      "v2beta1",
    );
    assert.equal(chooseDiscoveryFormat("application/json, */*"), "legacy");
    assert.equal(chooseDiscoveryFormat(""), "legacy");
    assert.equal(chooseDiscoveryFormat(undefined), "legacy");
  });

  test("extra parameters (profile=nopeer) and unsupported ranges do not get in the way", () => {
    assert.equal(
      chooseDiscoveryFormat(
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer",
      ),
      "v2",
    );
    assert.equal(
      chooseDiscoveryFormat(
        "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
      ),
      "v2beta1",
    );
  });

  test("the answer's Content-Type carries the g, v and as client-go checks", () => {
    assert.equal(
      DISCOVERY_V2_CONTENT_TYPE,
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    );
    assert.ok(
      contentTypeIsGVK(discoveryContentType("v2"), "apidiscovery.k8s.io", "v2", "APIGroupDiscoveryList"),
    );
    assert.ok(
      contentTypeIsGVK(
        discoveryContentType("v2beta1"),
        "apidiscovery.k8s.io",
        "v2beta1",
        "APIGroupDiscoveryList",
      ),
    );
    assert.equal(discoveryContentType("v2beta1"), DISCOVERY_V2BETA1_CONTENT_TYPE);
    assert.equal(discoveryContentType("legacy"), "application/json");
  });
});

describe("legacy discovery", () => {
  test("/api lists v1 and where to reach the server", () => {
    assert.deepEqual(apiVersions(resources, "127.0.0.1:6443"), {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }],
    });
  });

  test("/apis lists the named groups with their preferred version", () => {
    const list = apiGroupList(resources);
    assert.equal(list.kind, "APIGroupList");
    assert.equal(list.apiVersion, "v1");
    const groups = list.groups as Obj[];
    assert.deepEqual(
      groups.map((g) => g.name),
      ["apps", "discovery.k8s.io", "networking.k8s.io", "coordination.k8s.io"],
    );
    const apps = groups[0];
    assert.deepEqual(apps, {
      name: "apps",
      versions: [{ groupVersion: "apps/v1", version: "v1" }],
      preferredVersion: { groupVersion: "apps/v1", version: "v1" },
    });
    assert.equal(apiGroup(resources, "apps")?.kind, "APIGroup");
    assert.equal(apiGroup(resources, "batch"), undefined);
  });

  test("/api/v1 resources, sorted, with status subresources", () => {
    const list = apiResourceList(resources, "", "v1") as Obj;
    assert.equal(list.kind, "APIResourceList");
    assert.equal(list.apiVersion, undefined);
    assert.equal(list.groupVersion, "v1");
    const rs = list.resources as Obj[];
    const names = rs.map((r) => r.name as string);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(
      rs.find((r) => r.name === "pods"),
      {
        name: "pods",
        singularName: "pod",
        namespaced: true,
        kind: "Pod",
        verbs: ALL,
        shortNames: ["po"],
        categories: ["all"],
        // The hash a real cluster publishes for pods.
        storageVersionHash: "xPOwRZ+Yhw8=",
      },
    );
    assert.deepEqual(
      rs.find((r) => r.name === "pods/status"),
      {
        name: "pods/status",
        singularName: "",
        namespaced: true,
        kind: "Pod",
        verbs: ["get", "patch", "update"],
      },
    );
    const ns = rs.find((r) => r.name === "namespaces") as Obj;
    assert.deepEqual(ns.verbs, ["create", "delete", "get", "list", "patch", "update", "watch"]);
    assert.equal(ns.namespaced, false);
    assert.deepEqual((rs.find((r) => r.name === "events") as Obj).verbs, ALL);
  });

  test("/apis/apps/v1 has scale subresources in the autoscaling group", () => {
    const list = apiResourceList(resources, "apps", "v1") as Obj;
    assert.equal(list.apiVersion, "v1");
    assert.equal(list.groupVersion, "apps/v1");
    const rs = list.resources as Obj[];
    assert.deepEqual(
      rs.map((r) => r.name),
      [
        "deployments",
        "deployments/scale",
        "deployments/status",
        "replicasets",
        "replicasets/scale",
        "replicasets/status",
      ],
    );
    assert.deepEqual(rs[1], {
      name: "deployments/scale",
      singularName: "",
      namespaced: true,
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
      verbs: ["get", "patch", "update"],
    });
    assert.equal(apiResourceList(resources, "apps", "v1beta1"), undefined);
  });

  test("storageVersionHash is kube's (base64 of sha256 of group/version/kind, 8 bytes)", () => {
    assert.equal(storageVersionHash("", "v1", "Pod"), "xPOwRZ+Yhw8=");
    assert.notEqual(
      storageVersionHash("apps", "v1", "Deployment"),
      storageVersionHash("apps", "v1", "ReplicaSet"),
    );
  });
});

describe("aggregated discovery", () => {
  test("/api: the core group alone, without a name", () => {
    const doc = aggregatedDiscovery(resources, "core", "v2");
    assert.equal(doc.kind, "APIGroupDiscoveryList");
    assert.equal(doc.apiVersion, "apidiscovery.k8s.io/v2");
    const items = doc.items as Obj[];
    assert.equal(items.length, 1);
    assert.deepEqual(items[0].metadata, { creationTimestamp: null });
    const [v1] = items[0].versions as Obj[];
    assert.equal(v1.version, "v1");
    assert.equal(v1.freshness, "Current");
    const rs = v1.resources as Obj[];
    assert.deepEqual(
      rs.find((r) => r.resource === "pods"),
      {
        resource: "pods",
        responseKind: { group: "", version: "v1", kind: "Pod" },
        scope: "Namespaced",
        singularResource: "pod",
        verbs: ALL,
        shortNames: ["po"],
        categories: ["all"],
        subresources: [
          {
            subresource: "status",
            responseKind: { group: "", version: "v1", kind: "Pod" },
            verbs: ["get", "patch", "update"],
          },
          // kube lists pods/binding with the Binding kind and the create verb.
          {
            subresource: "binding",
            responseKind: { group: "", version: "v1", kind: "Binding" },
            verbs: ["create"],
          },
        ],
      },
    );
    const nodes = rs.find((r) => r.resource === "nodes") as Obj;
    assert.equal(nodes.scope, "Cluster");
    const cm = rs.find((r) => r.resource === "configmaps") as Obj;
    assert.equal(cm.subresources, undefined);
  });

  test("/apis: every named group; scale answers with autoscaling/v1 Scale", () => {
    const doc = aggregatedDiscovery(resources, "apis", "v2beta1");
    assert.equal(doc.apiVersion, "apidiscovery.k8s.io/v2beta1");
    const items = doc.items as Obj[];
    assert.deepEqual(
      items.map((i) => (i.metadata as Obj).name),
      ["apps", "discovery.k8s.io", "networking.k8s.io", "coordination.k8s.io"],
    );
    const apps = (items[0].versions as Obj[])[0];
    const deploy = (apps.resources as Obj[]).find((r) => r.resource === "deployments") as Obj;
    assert.deepEqual(deploy.subresources, [
      {
        subresource: "scale",
        responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
        verbs: ["get", "patch", "update"],
      },
      {
        subresource: "status",
        responseKind: { group: "apps", version: "v1", kind: "Deployment" },
        verbs: ["get", "patch", "update"],
      },
    ]);
    assert.deepEqual(deploy.shortNames, ["deploy"]);
  });

  test("ETags are quoted, stable, and change with the document", () => {
    const a = aggregatedDiscovery(resources, "apis", "v2");
    const e1 = discoveryETag(a);
    assert.match(e1, /^"[0-9A-F]{128}"$/);
    assert.equal(discoveryETag(aggregatedDiscovery(resources, "apis", "v2")), e1);
    assert.notEqual(discoveryETag(aggregatedDiscovery(resources, "apis", "v2beta1")), e1);
  });
});
