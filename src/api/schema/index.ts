import { appsV1Types } from "./apps-v1.ts";
import { autoscalingV1Types } from "./autoscaling-v1.ts";
import { coordinationV1Types } from "./coordination-v1.ts";
import { coreV1Types } from "./core-v1.ts";
import { discoveryV1Types } from "./discovery-v1.ts";
import { metaV1Types } from "./meta-v1.ts";
import { networkingV1Types } from "./networking-v1.ts";
import { msg, type TypeDef, type TypeRef } from "./types.ts";

export type { FieldDef, PrimitiveType, TypeDef, TypeRef } from "./types.ts";

/** Every type reachable from the served kinds, by OpenAPI definition name. */
export const typeRegistry: ReadonlyMap<string, TypeDef> = new Map(
  [
    ...metaV1Types,
    ...coreV1Types,
    ...appsV1Types,
    ...discoveryV1Types,
    ...networkingV1Types,
    ...autoscalingV1Types,
    ...coordinationV1Types,
  ].map((t) => [t.name, t]),
);

export function typeDef(name: string): TypeDef | undefined {
  return typeRegistry.get(name);
}

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** apiVersion → kind → type name. Each served kind comes with its List. */
const kindsByVersion: Record<string, Record<string, string>> = {
  v1: withLists("io.k8s.api.core.v1", [
    "Namespace",
    "Pod",
    "Service",
    "Endpoints",
    "ConfigMap",
    "Secret",
    "Event",
    "Node",
    "ReplicationController",
  ]),
  "apps/v1": withLists("io.k8s.api.apps.v1", ["Deployment", "ReplicaSet"]),
  "discovery.k8s.io/v1": withLists("io.k8s.api.discovery.v1", ["EndpointSlice"]),
  "networking.k8s.io/v1": withLists("io.k8s.api.networking.v1", [
    "Ingress",
    "IngressClass",
    "ServiceCIDR",
    "IPAddress",
  ]),
  "coordination.k8s.io/v1": withLists("io.k8s.api.coordination.v1", ["Lease"]),
  "autoscaling/v1": { Scale: "io.k8s.api.autoscaling.v1.Scale" },
  "meta.k8s.io/v1": {
    PartialObjectMetadata: `${META}.PartialObjectMetadata`,
    PartialObjectMetadataList: `${META}.PartialObjectMetadataList`,
  },
};
kindsByVersion.v1.List = "io.k8s.api.core.v1.List";

/** Kinds every group version accepts (metav1.AddToGroupVersion registers them everywhere). */
const metaKinds: Record<string, string> = {
  DeleteOptions: `${META}.DeleteOptions`,
  WatchEvent: `${META}.WatchEvent`,
  Status: `${META}.Status`,
};

function withLists(pkg: string, kinds: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of kinds) {
    out[k] = `${pkg}.${k}`;
    out[`${k}List`] = `${pkg}.${k}List`;
  }
  return out;
}

/** The schema of a kind as served at apiVersion, or undefined when Skiff does not serve it. */
export function kindSchema(apiVersion: string, kind: string): TypeRef | undefined {
  const byKind = kindsByVersion[apiVersion];
  if (!byKind) return undefined;
  const name = Object.hasOwn(byKind, kind)
    ? byKind[kind]
    : Object.hasOwn(metaKinds, kind)
      ? metaKinds[kind]
      : undefined;
  return name ? msg(name) : undefined;
}

/** All apiVersion/kind pairs kindSchema answers for (meta kinds listed once per version). */
export function servedKinds(): Array<{ apiVersion: string; kind: string; type: string }> {
  const out: Array<{ apiVersion: string; kind: string; type: string }> = [];
  for (const [apiVersion, byKind] of Object.entries(kindsByVersion)) {
    for (const [kind, type] of Object.entries({ ...byKind, ...metaKinds }))
      out.push({ apiVersion, kind, type });
  }
  return out;
}
