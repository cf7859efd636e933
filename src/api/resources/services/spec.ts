/** Narrow, typed reads of a Service body (free-form JSON) shared by defaults and validation. */
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";

export const str = (v: unknown): string => (typeof v === "string" ? v : "");
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const strList = (v: unknown): string[] => list(v).map(str);
/** The object entries of a list, by reference (so callers may fill them in). */
export const objects = (v: unknown): JsonObject[] => list(v).filter(isObject);
export const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
/** Go's int32 zero value for an absent or non-numeric field. */
export const num = (v: unknown): number => (typeof v === "number" ? v : 0);

export function specOf(svc: KubeObject): JsonObject {
  return objOf(svc.spec);
}

export const svcType = (svc: KubeObject): string => str(specOf(svc).type);
export const clusterIPsOf = (svc: KubeObject): string[] => strList(specOf(svc).clusterIPs);
export const portsOf = (svc: KubeObject): JsonObject[] => list(specOf(svc).ports).map(objOf);

/** kube's isHeadlessService: exactly one clusterIPs entry, "None". */
export function isHeadless(svc: KubeObject): boolean {
  const ips = clusterIPsOf(svc);
  return ips.length === 1 && ips[0] === "None";
}

/** pkg/api/service ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(svc: KubeObject): boolean {
  const t = svcType(svc);
  return (
    t === "LoadBalancer" ||
    t === "NodePort" ||
    (t === "ClusterIP" && list(specOf(svc).externalIPs).length > 0)
  );
}

/** pkg/api/service NeedsHealthCheck: LoadBalancer with externalTrafficPolicy Local. */
export function needsHealthCheck(svc: KubeObject): boolean {
  return svcType(svc) === "LoadBalancer" && str(specOf(svc).externalTrafficPolicy) === "Local";
}

export const needsClusterIP = (svc: KubeObject): boolean => svcType(svc) !== "ExternalName";
export const needsNodePort = (svc: KubeObject): boolean =>
  svcType(svc) === "NodePort" || svcType(svc) === "LoadBalancer";
