/**
 * The EndpointSlice strategy: discovery/v1 defaults (SetDefaults_EndpointPort) and
 * pkg/registry/discovery/endpointslice/strategy.go (generation, dropping deprecatedTopology
 * written through the v1 API).
 */
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import { deepEqual } from "../../machinery/validation/meta.ts";
import { isDNS1123Subdomain } from "../../machinery/validation/names.ts";
import type { Strategy } from "../types.ts";
import { validateEndpointSlice, validateEndpointSliceUpdate } from "./validation.ts";

const hostnameLabel = "kubernetes.io/hostname";
const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** SetDefaults_EndpointPort: an absent name is "", an absent protocol TCP. */
export function defaultEndpointSlice(eps: KubeObject): void {
  for (const p of objects(eps.ports)) {
    if (p.name === undefined || p.name === null) p.name = "";
    if (p.protocol === undefined || p.protocol === null) p.protocol = "TCP";
  }
}

/**
 * dropTopologyOnV1: deprecatedTopology cannot be written through v1. A node name the old slice
 * carried only in the topology label moves to nodeName, so partial updates keep it.
 */
export function dropTopologyOnV1(eps: KubeObject, old?: KubeObject): void {
  if (old && deepEqual(old.endpoints ?? null, eps.endpoints ?? null)) return;
  const prevNodes = new Set<string>();
  for (const ep of objects(old?.endpoints)) {
    const n = isObject(ep.deprecatedTopology) ? ep.deprecatedTopology[hostnameLabel] : undefined;
    if (typeof n === "string") prevNodes.add(n);
  }
  for (const ep of objects(eps.endpoints)) {
    const n = isObject(ep.deprecatedTopology) ? ep.deprecatedTopology[hostnameLabel] : undefined;
    const unset = ep.nodeName === undefined || ep.nodeName === null;
    if (unset && typeof n === "string" && prevNodes.has(n) && isDNS1123Subdomain(n).length === 0)
      ep.nodeName = n;
    delete ep.deprecatedTopology;
  }
}

function withoutMeta(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, ...rest } = o;
  return rest;
}

export const strategy: Strategy = {
  defaults: defaultEndpointSlice,
  prepareForCreate(eps) {
    eps.metadata.generation = 1;
    dropTopologyOnV1(eps);
  },
  prepareForUpdate(eps, old) {
    dropTopologyOnV1(eps, old);
    // EndpointSlices have no status: any change beyond metadata, or to labels, is a new generation.
    const changed =
      !deepEqual(withoutMeta(eps), withoutMeta(old)) ||
      !deepEqual(eps.metadata.labels ?? null, old.metadata.labels ?? null);
    const oldGen = old.metadata.generation ?? 0;
    eps.metadata.generation = changed ? oldGen + 1 : oldGen;
  },
  validate: validateEndpointSlice,
  validateUpdate: validateEndpointSliceUpdate,
};
