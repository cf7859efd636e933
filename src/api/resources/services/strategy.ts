/**
 * The Service strategy: SetDefaults_Service (pkg/apis/core/v1/defaults.go), the REST hooks that
 * run before validation (normalizeClusterIPs, patchAllocatedValues in
 * pkg/registry/core/service/storage) and svcStrategy (pkg/registry/core/service/strategy.go).
 * IP and port allocation is not done here.
 */
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import type { Strategy } from "../types.ts";
import {
  clusterIPsOf,
  externallyAccessible,
  needsClusterIP,
  needsHealthCheck,
  needsNodePort,
  num,
  objects,
  objOf,
  portsOf,
  specOf,
  str,
  svcType,
} from "./spec.ts";
import { validateService, validateServiceStatus, validateServiceUpdate } from "./validation.ts";

/** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
export const defaultAffinitySeconds = 10800;

function ensureSpec(svc: KubeObject): JsonObject {
  if (typeof svc.spec !== "object" || svc.spec === null || Array.isArray(svc.spec)) svc.spec = {};
  return svc.spec;
}

/** SetDefaults_Service. */
export function defaultService(svc: KubeObject): void {
  const s = ensureSpec(svc);
  if (str(s.sessionAffinity) === "") s.sessionAffinity = "None";
  if (s.sessionAffinity === "None") delete s.sessionAffinityConfig;
  if (s.sessionAffinity === "ClientIP") {
    const timeout = objOf(objOf(s.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (timeout === undefined || timeout === null)
      s.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultAffinitySeconds } };
  }
  if (str(s.type) === "") s.type = "ClusterIP";
  for (const p of objects(s.ports)) {
    if (str(p.protocol) === "") p.protocol = "TCP";
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === "")
      p.targetPort = num(p.port);
  }
  if (externallyAccessible(svc) && str(s.externalTrafficPolicy) === "") s.externalTrafficPolicy = "Cluster";
  const t = s.type;
  const itpUnset = s.internalTrafficPolicy === undefined || s.internalTrafficPolicy === null;
  if (itpUnset && (t === "NodePort" || t === "LoadBalancer" || t === "ClusterIP"))
    s.internalTrafficPolicy = "Cluster";
  if (t === "LoadBalancer") {
    if (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)
      s.allocateLoadBalancerNodePorts = true;
    // LoadBalancerIPMode (on by default): an address without a mode is a VIP.
    for (const ing of objects(objOf(objOf(svc.status).loadBalancer).ingress)) {
      if (str(ing.ip) !== "" && (ing.ipMode === undefined || ing.ipMode === null)) ing.ipMode = "VIP";
    }
  }
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** normalizeClusterIPs: keep clusterIP and clusterIPs in step for clients that set only one. */
export function normalizeClusterIPs(svc: KubeObject, old?: KubeObject): void {
  const s = ensureSpec(svc);
  const ip = str(s.clusterIP);
  const ips = clusterIPsOf(svc);
  if (!old) {
    if (ip !== "" && ips.length === 0) s.clusterIPs = [ip];
    return;
  }
  const oldIP = str(specOf(old).clusterIP);
  const oldIPs = clusterIPsOf(old);
  // An old client that does not know clusterIPs sent the object without it.
  if (oldIPs.length > 0 && ips.length === 0 && oldIP === ip) s.clusterIPs = [...oldIPs];
  if (oldIP !== ip && sameList(oldIPs, clusterIPsOf(svc))) {
    if (oldIP !== "" && ip === "") delete s.clusterIPs;
    else s.clusterIPs = [ip];
  }
}

/** patchAllocatedValues: a resubmitted manifest keeps what was allocated for it. */
export function patchAllocatedValues(svc: KubeObject, old: KubeObject): void {
  const s = ensureSpec(svc);
  const o = specOf(old);
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (str(s.clusterIP) === "" && str(o.clusterIP) !== "") s.clusterIP = o.clusterIP;
    if (clusterIPsOf(svc).length === 0 && clusterIPsOf(old).length > 0) s.clusterIPs = [...clusterIPsOf(old)];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = (ports: JsonObject[]) => new Set(ports.map((p) => num(p.nodePort)).filter((n) => n !== 0));
    const newUsed = used(portsOf(svc));
    const taken = new Set([...used(portsOf(old))].filter((n) => newUsed.has(n)));
    const byName = new Map(portsOf(old).map((p) => [str(p.name), num(p.nodePort)]));
    for (const p of objects(s.ports)) {
      if (num(p.nodePort) !== 0) continue;
      const v = byName.get(str(p.name)) ?? 0;
      if (v !== 0 && !taken.has(v)) p.nodePort = v;
    }
  }
  if (
    needsHealthCheck(old) &&
    needsHealthCheck(svc) &&
    num(s.healthCheckNodePort) === 0 &&
    num(o.healthCheckNodePort) !== 0
  )
    s.healthCheckNodePort = o.healthCheckNodePort;
}

const nodePortSet = (svc: KubeObject) =>
  new Set(
    portsOf(svc)
      .map((p) => num(p.nodePort))
      .filter((n) => n !== 0),
  );

/** dropTypeDependentFields: clear what the old type had and the new type cannot use. */
export function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const s = ensureSpec(svc);
  const o = specOf(old);
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (str(o.clusterIP) === str(s.clusterIP) && sameList(clusterIPsOf(old), clusterIPsOf(svc))) {
      delete s.clusterIP;
      delete s.clusterIPs;
    }
    if (JSON.stringify(o.ipFamilies ?? null) === JSON.stringify(s.ipFamilies ?? null)) delete s.ipFamilies;
    if (str(o.ipFamilyPolicy) === str(s.ipFamilyPolicy)) delete s.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const before = nodePortSet(old);
    if ([...nodePortSet(svc)].every((n) => before.has(n)))
      for (const p of objects(s.ports)) delete p.nodePort;
  }
  if (
    needsHealthCheck(old) &&
    !needsHealthCheck(svc) &&
    num(o.healthCheckNodePort) === num(s.healthCheckNodePort)
  )
    delete s.healthCheckNodePort;
  if (svcType(old) === "LoadBalancer" && svcType(svc) !== "LoadBalancer") {
    const a = o.allocateLoadBalancerNodePorts;
    const b = s.allocateLoadBalancerNodePorts;
    if (typeof a === "boolean" && a === b) delete s.allocateLoadBalancerNodePorts;
    if ((o.loadBalancerClass ?? null) === (s.loadBalancerClass ?? null)) delete s.loadBalancerClass;
  }
  if (
    externallyAccessible(old) &&
    !externallyAccessible(svc) &&
    str(o.externalTrafficPolicy) === str(s.externalTrafficPolicy)
  )
    delete s.externalTrafficPolicy;
  if (svcType(svc) !== "LoadBalancer") svc.status = { ...objOf(svc.status), loadBalancer: {} };
}

export const strategy: Strategy = {
  defaults: defaultService,
  prepareForCreate(svc) {
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(svc);
  },
  prepareForUpdate(svc, old) {
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    svc.status = old.status === undefined ? { loadBalancer: {} } : structuredClone(old.status);
    dropTypeDependentFields(svc, old);
  },
  validate: validateService,
  validateUpdate: validateServiceUpdate,
  prepareForStatusUpdate(svc, old) {
    svc.spec = structuredClone(old.spec);
  },
  validateStatusUpdate: (svc) => validateServiceStatus(svc),
};
