/**
 * Service validation in kube-apiserver's order and words (pkg/apis/core/validation ValidateService,
 * validateServicePort, ValidateServiceClusterIPsRelatedFields, ValidateServiceUpdate,
 * ValidateLoadBalancerStatus). Metadata is validated by the server.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { validateLabels } from "../../machinery/validation/meta.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from "../../machinery/validation/names.ts";
import { ipFamilyOf, isValidCIDR, isValidIP, nonSpecialIPErrors } from "../../machinery/validation/net.ts";
import {
  clusterIPsOf,
  externallyAccessible,
  isHeadless,
  list,
  needsHealthCheck,
  num,
  objOf,
  portsOf,
  specOf,
  str,
  strList,
  svcType,
} from "./spec.ts";

const spec = FieldPath.root("spec");
const protocols = ["SCTP", "TCP", "UDP"];
const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const affinities = ["ClientIP", "None"];
const ipFamilies = ["IPv4", "IPv6"];
const ipFamilyPolicies = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const trafficPolicies = ["Cluster", "Local"];
const maxAffinitySeconds = 86400;
const topologyMode = "service.kubernetes.io/topology-mode";
const topologyHints = "service.kubernetes.io/topology-aware-hints";
const sourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges";

const has = (o: JsonObject, k: string) => o[k] !== undefined && o[k] !== null;

function qualifiedName(v: string, p: FieldPath): FieldError[] {
  return isQualifiedName(v).map((m) => fieldErrors.invalid(p, v, m));
}

/** kube's ValidatePortNumOrName for an IntOrString. */
function portNumOrName(v: unknown, p: FieldPath): FieldError[] {
  if (typeof v === "string") return isValidPortName(v).map((m) => fieldErrors.invalid(p, v, m));
  const n = num(v);
  return isValidPortNum(n).map((m) => fieldErrors.invalid(p, n, m));
}

function validatePort(sp: JsonObject, requireName: boolean, names: Set<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp.name);
  if (requireName && name === "") errs.push(fieldErrors.required(p.child("name")));
  else if (name !== "") {
    for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(p.child("name"), name, m));
    if (names.has(name)) errs.push(fieldErrors.duplicate(p.child("name"), name));
    else names.add(name);
  }
  const port = num(sp.port);
  for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(p.child("port"), port, m));
  const proto = str(sp.protocol);
  if (proto === "") errs.push(fieldErrors.required(p.child("protocol")));
  else if (!protocols.includes(proto))
    errs.push(fieldErrors.notSupported(p.child("protocol"), proto, protocols));
  errs.push(...portNumOrName(sp.targetPort, p.child("targetPort")));
  if (typeof sp.appProtocol === "string") errs.push(...qualifiedName(sp.appProtocol, p.child("appProtocol")));
  // kube stores nodePort as int32 and leaves the range to its allocator; reject what no port can be.
  if (has(sp, "nodePort")) {
    const np = sp.nodePort;
    if (typeof np !== "number" || !Number.isInteger(np) || np < 0 || np > 65535)
      errs.push(
        fieldErrors.invalid(p.child("nodePort"), np ?? null, "must be between 0 and 65535, inclusive"),
      );
  }
  return errs;
}

function validateAffinityConfig(cfg: unknown, p: FieldPath): FieldError[] {
  const why = "when session affinity type is ClientIP";
  if (cfg === undefined || cfg === null) return [fieldErrors.required(p, why)];
  const clientIP = objOf(cfg).clientIP;
  if (clientIP === undefined || clientIP === null) return [fieldErrors.required(p.child("clientIP"), why)];
  const t = objOf(clientIP).timeoutSeconds;
  const tp = p.child("clientIP", "timeoutSeconds");
  if (t === undefined || t === null) return [fieldErrors.required(tp, why)];
  const n = num(t);
  if (n <= 0 || n > maxAffinitySeconds)
    return [fieldErrors.invalid(tp, t, `must be greater than 0 and less than ${maxAffinitySeconds}`)];
  return [];
}

/** kube's ValidateServiceClusterIPsRelatedFields. */
export function validateClusterIPFields(svc: KubeObject): FieldError[] {
  if (svcType(svc) === "ExternalName") return [];
  const s = specOf(svc);
  const errs: FieldError[] = [];
  const ipsPath = spec.child("clusterIPs");
  const clusterIP = str(s.clusterIP);
  const ips = clusterIPsOf(svc);
  const families = strList(s.ipFamilies);
  if (clusterIP !== "") {
    if (ips.length === 0) errs.push(fieldErrors.required(ipsPath));
    else if (ips[0] !== clusterIP)
      errs.push(fieldErrors.invalid(ipsPath, ips, "first value must match `clusterIP`"));
  } else if (ips.length !== 0) {
    errs.push(fieldErrors.invalid(ipsPath, ips, "must be empty when `clusterIP` is not specified"));
  }
  const seen = new Set<string>();
  families.forEach((f, i) => {
    const fp = spec.child("ipFamilies").index(i);
    if (!ipFamilies.includes(f)) errs.push(fieldErrors.notSupported(fp, f, ipFamilies));
    if (seen.has(f)) errs.push(fieldErrors.duplicate(fp, f));
    seen.add(f);
  });
  if (has(s, "ipFamilyPolicy")) {
    const pol = str(s.ipFamilyPolicy);
    if (!ipFamilyPolicies.includes(pol))
      errs.push(fieldErrors.notSupported(spec.child("ipFamilyPolicy"), s.ipFamilyPolicy, ipFamilyPolicies));
  }
  let invalidIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === "None") {
      if (ips.length > 1) {
        invalidIPs = true;
        errs.push(fieldErrors.invalid(ipsPath, ips, "'None' must be the first and only value"));
      }
      return;
    }
    for (const m of isValidIP(ip)) {
      invalidIPs = true;
      errs.push(fieldErrors.invalid(ipsPath.index(i), ip, m));
    }
  });
  if (ips.length > 2) errs.push(fieldErrors.invalid(ipsPath, ips, "may only hold up to 2 values"));
  if (invalidIPs) return errs;
  if (ips.length > 1) {
    const fams = new Set(ips.map(ipFamilyOf));
    if (!(fams.has("IPv4") && fams.has("IPv6")))
      errs.push(fieldErrors.invalid(ipsPath, ips, "may specify no more than one IP for each IP family"));
  }
  if (!isHeadless(svc) && ips.length > 0 && families.length > 0) {
    ips.forEach((ip, i) => {
      if (i > families.length - 1) return;
      const fam = ipFamilyOf(ip);
      if (families[i] === "IPv4" && fam === "IPv6")
        errs.push(
          fieldErrors.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
      if (families[i] === "IPv6" && fam !== "IPv6")
        errs.push(
          fieldErrors.invalid(
            ipsPath.index(i),
            ip,
            `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
          ),
        );
    });
  }
  return errs;
}

function validateSourceRanges(svc: KubeObject): FieldError[] {
  const s = specOf(svc);
  const errs: FieldError[] = [];
  const notLB = svcType(svc) !== "LoadBalancer";
  const ranges = strList(s.loadBalancerSourceRanges);
  const onlyLB = "may only be used when `type` is 'LoadBalancer'";
  if (ranges.length > 0) {
    // kube's path really is capitalised here.
    const p = spec.child("LoadBalancerSourceRanges");
    if (notLB) errs.push(fieldErrors.forbidden(p, onlyLB));
    ranges.forEach((r, i) => {
      const v = r.trim();
      for (const m of isValidCIDR(v)) errs.push(fieldErrors.invalid(p.index(i), v, m));
    });
    return errs;
  }
  const ann = svc.metadata.annotations?.[sourceRangesAnnotation];
  if (ann === undefined) return errs;
  const p = FieldPath.root("metadata").child("annotations").key(sourceRangesAnnotation);
  if (notLB) errs.push(fieldErrors.forbidden(p, onlyLB));
  const val = ann.trim();
  if (val !== "")
    for (const part of val.split(",")) {
      const v = part.trim();
      for (const m of isValidCIDR(v)) errs.push(fieldErrors.invalid(p, v, m));
    }
  return errs;
}

function validateTrafficPolicies(svc: KubeObject): FieldError[] {
  const s = specOf(svc);
  const t = svcType(svc);
  const errs: FieldError[] = [];
  const etp = str(s.externalTrafficPolicy);
  if (!externallyAccessible(svc)) {
    if (etp !== "")
      errs.push(
        fieldErrors.invalid(
          spec.child("externalTrafficPolicy"),
          etp,
          "may only be set for externally-accessible services",
        ),
      );
  } else if (etp === "") errs.push(fieldErrors.required(spec.child("externalTrafficPolicy")));
  else if (!trafficPolicies.includes(etp))
    errs.push(fieldErrors.notSupported(spec.child("externalTrafficPolicy"), etp, trafficPolicies));
  const hc = num(s.healthCheckNodePort);
  const hcPath = spec.child("healthCheckNodePort");
  if (!needsHealthCheck(svc)) {
    if (hc !== 0)
      errs.push(
        fieldErrors.invalid(
          hcPath,
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (hc === 0) {
    // The allocator fills it in before validation runs (src/api/server/allocators).
    errs.push(fieldErrors.required(hcPath));
  } else {
    for (const m of isValidPortNum(hc)) errs.push(fieldErrors.invalid(hcPath, hc, m));
  }
  const itp = s.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    // Not required for ExternalName, for compatibility with objects stored before the field.
    if (t === "NodePort" || t === "LoadBalancer" || t === "ClusterIP")
      errs.push(fieldErrors.required(spec.child("internalTrafficPolicy")));
  } else if (!trafficPolicies.includes(str(itp)))
    errs.push(fieldErrors.notSupported(spec.child("internalTrafficPolicy"), itp, trafficPolicies));
  if (has(s, "trafficDistribution") && s.trafficDistribution !== "PreferClose")
    errs.push(
      fieldErrors.notSupported(spec.child("trafficDistribution"), s.trafficDistribution, ["PreferClose"]),
    );
  return errs;
}

/** kube's ValidateService, minus ObjectMeta. */
export function validateService(svc: KubeObject): FieldError[] {
  const s = specOf(svc);
  const t = svcType(svc);
  const ports = portsOf(svc);
  const ips = clusterIPsOf(svc);
  const errs: FieldError[] = [];
  const ann = svc.metadata.annotations ?? {};
  if (
    ann[topologyMode] !== undefined &&
    ann[topologyHints] !== undefined &&
    ann[topologyMode] !== ann[topologyHints]
  )
    errs.push(
      fieldErrors.invalid(
        FieldPath.root("metadata").child("annotations").key(topologyMode),
        ann[topologyMode],
        `must match annotations[${topologyHints}] when both are specified`,
      ),
    );

  if (ports.length === 0 && !isHeadless(svc) && t !== "ExternalName")
    errs.push(fieldErrors.required(spec.child("ports")));
  if ((t === "LoadBalancer" || t === "NodePort") && isHeadless(svc))
    errs.push(
      fieldErrors.invalid(
        spec.child("clusterIPs").index(0),
        ips[0],
        `may not be set to 'None' for ${t} services`,
      ),
    );
  if (t === "ExternalName") {
    const forbidden = "may not be set for ExternalName services";
    if (ips.length > 0) errs.push(fieldErrors.forbidden(spec.child("clusterIPs"), forbidden));
    if (strList(s.ipFamilies).length > 0)
      errs.push(fieldErrors.forbidden(spec.child("ipFamilies"), forbidden));
    if (has(s, "ipFamilyPolicy")) errs.push(fieldErrors.forbidden(spec.child("ipFamilyPolicy"), forbidden));
    // A trailing dot marks the CNAME as fully qualified.
    const cname = str(s.externalName).replace(/\.$/, "");
    if (cname === "") errs.push(fieldErrors.required(spec.child("externalName")));
    else
      for (const m of isDNS1123Subdomain(cname))
        errs.push(fieldErrors.invalid(spec.child("externalName"), cname, m));
  }

  const names = new Set<string>();
  ports.forEach((p, i) => {
    errs.push(...validatePort(p, ports.length > 1, names, spec.child("ports").index(i)));
  });
  if (has(s, "selector")) errs.push(...validateLabels(s.selector, spec.child("selector")));

  const affinity = str(s.sessionAffinity);
  if (affinity === "") errs.push(fieldErrors.required(spec.child("sessionAffinity")));
  else if (!affinities.includes(affinity))
    errs.push(fieldErrors.notSupported(spec.child("sessionAffinity"), affinity, affinities));
  if (affinity === "ClientIP")
    errs.push(...validateAffinityConfig(s.sessionAffinityConfig, spec.child("sessionAffinityConfig")));
  else if (affinity === "None" && has(s, "sessionAffinityConfig"))
    errs.push(
      fieldErrors.forbidden(
        spec.child("sessionAffinityConfig"),
        "must not be set when session affinity is None",
      ),
    );

  errs.push(...validateClusterIPFields(svc));

  strList(s.externalIPs).forEach((ip, i) => {
    const p = spec.child("externalIPs").index(i);
    const bad = isValidIP(ip);
    const msgs = bad.length > 0 ? bad : nonSpecialIPErrors(ip);
    for (const m of msgs) errs.push(fieldErrors.invalid(p, ip, m));
  });

  if (t === "") errs.push(fieldErrors.required(spec.child("type")));
  else if (!serviceTypes.includes(t))
    errs.push(fieldErrors.notSupported(spec.child("type"), t, serviceTypes));

  if (t === "ClusterIP")
    ports.forEach((p, i) => {
      if (num(p.nodePort) !== 0)
        errs.push(
          fieldErrors.forbidden(
            spec.child("ports").index(i).child("nodePort"),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
    });
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const np = num(p.nodePort);
    if (np === 0) return;
    const key = `${str(p.protocol)}/${np}`;
    if (nodePorts.has(key))
      errs.push(fieldErrors.duplicate(spec.child("ports").index(i).child("nodePort"), np));
    nodePorts.add(key);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${str(p.protocol)}/${num(p.port)}`;
    if (seenPorts.has(key))
      errs.push(
        fieldErrors.duplicate(spec.child("ports").index(i), { port: num(p.port), protocol: str(p.protocol) }),
      );
    seenPorts.add(key);
  });

  errs.push(...validateSourceRanges(svc));

  const alloc = s.allocateLoadBalancerNodePorts;
  if (alloc !== undefined && alloc !== null && t !== "LoadBalancer")
    errs.push(
      fieldErrors.forbidden(
        spec.child("allocateLoadBalancerNodePorts"),
        "may only be used when `type` is 'LoadBalancer'",
      ),
    );
  // kube reports this one without the "spec." prefix.
  if (t === "LoadBalancer" && (alloc === undefined || alloc === null))
    errs.push(fieldErrors.required("allocateLoadBalancerNodePorts"));

  const lbClass = s.loadBalancerClass;
  if (lbClass !== undefined && lbClass !== null) {
    if (t === "LoadBalancer") errs.push(...qualifiedName(str(lbClass), spec.child("loadBalancerClass")));
    else
      errs.push(
        fieldErrors.forbidden(
          spec.child("loadBalancerClass"),
          "may only be used when `type` is 'LoadBalancer'",
        ),
      );
  }
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}

/** The update-only part of kube's ValidateServiceUpdate (validateService runs as well). */
export function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...upgradeDowngradeClusterIPs(old, svc));
  errs.push(...upgradeDowngradeIPFamilies(old, svc));
  if (svcType(old) === "LoadBalancer" && svcType(svc) === "LoadBalancer") {
    const a = specOf(old).loadBalancerClass ?? null;
    const b = specOf(svc).loadBalancerClass ?? null;
    if (a !== b)
      errs.push(fieldErrors.invalid(spec.child("loadBalancerClass"), b, "may not change once set"));
  }
  if (
    needsHealthCheck(old) &&
    needsHealthCheck(svc) &&
    num(specOf(old).healthCheckNodePort) !== num(specOf(svc).healthCheckNodePort)
  )
    errs.push(fieldErrors.forbidden(spec.child("healthCheckNodePort"), "field is immutable"));
  return errs;
}

function upgradeDowngradeClusterIPs(old: KubeObject, svc: KubeObject): FieldError[] {
  if (svcType(svc) === "ExternalName" || svcType(old) === "ExternalName") return [];
  if (isHeadless(old) && isHeadless(svc)) return [];
  const errs: FieldError[] = [];
  const before = clusterIPsOf(old);
  const after = clusterIPsOf(svc);
  const ip0 = spec.child("clusterIPs").index(0);
  const changed = "may not change once set";
  if (before.length === after.length) {
    before.forEach((ip, i) => {
      if (ip !== after[i]) errs.push(fieldErrors.invalid(spec.child("clusterIPs").index(i), after, changed));
    });
  } else if (before.length > after.length) {
    if (after.length === 0) errs.push(fieldErrors.invalid(ip0, after, "primary clusterIP can not be unset"));
    if (before.length > 0 && after.length > 0 && after[0] !== before[0])
      errs.push(fieldErrors.invalid(ip0, after, changed));
    if (after.length === 1 && str(specOf(svc).ipFamilyPolicy) !== "SingleStack")
      errs.push(
        fieldErrors.invalid(
          spec.child("ipFamilyPolicy"),
          specOf(svc).ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary clusterIP",
        ),
      );
  } else if (before.length > 0 && after[0] !== before[0]) {
    errs.push(fieldErrors.invalid(ip0, after, changed));
  }
  return errs;
}

function upgradeDowngradeIPFamilies(old: KubeObject, svc: KubeObject): FieldError[] {
  if (svcType(svc) === "ExternalName" || svcType(old) === "ExternalName") return [];
  if (isHeadless(old) !== isHeadless(svc) || isHeadless(svc)) return [];
  const errs: FieldError[] = [];
  const before = strList(specOf(old).ipFamilies);
  const after = strList(specOf(svc).ipFamilies);
  const f0 = spec.child("ipFamilies").index(0);
  const changed = "may not change once set";
  if (before.length === after.length) {
    // kube reports every mismatch at index 0.
    before.forEach((f, i) => {
      if (f !== after[i]) errs.push(fieldErrors.invalid(f0, after, changed));
    });
  } else if (before.length > after.length) {
    if (clusterIPsOf(svc).length === 0)
      errs.push(fieldErrors.invalid(f0, after, "primary ipFamily can not be unset"));
    if (after.length > 0 && after[0] !== before[0])
      errs.push(fieldErrors.invalid(f0, clusterIPsOf(svc), changed));
    if (after.length === 1 && str(specOf(svc).ipFamilyPolicy) !== "SingleStack")
      errs.push(
        fieldErrors.invalid(
          spec.child("ipFamilyPolicy"),
          specOf(svc).ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
  } else if (before.length > 0 && after.length > 0 && after[0] !== before[0]) {
    errs.push(fieldErrors.invalid(f0, clusterIPsOf(svc), changed));
  }
  return errs;
}

const ipModes = ["Proxy", "VIP"];

/** kube's ValidateServiceStatusUpdate (ValidateLoadBalancerStatus with LoadBalancerIPMode on). */
export function validateServiceStatus(svc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ingPath = FieldPath.root("status").child("loadBalancer", "ingress");
  const ingress = list(objOf(objOf(svc.status).loadBalancer).ingress).map(objOf);
  if (svcType(svc) !== "LoadBalancer" && ingress.length > 0)
    return [fieldErrors.forbidden(ingPath, "may only be used when `spec.type` is 'LoadBalancer'")];
  ingress.forEach((ing, i) => {
    const p = ingPath.index(i);
    const ip = str(ing.ip);
    if (ip !== "") for (const m of isValidIP(ip)) errs.push(fieldErrors.invalid(p.child("ip"), ip, m));
    const mode = ing.ipMode;
    if (mode === undefined || mode === null) {
      if (ip !== "") errs.push(fieldErrors.required(p.child("ipMode"), "must be specified when `ip` is set"));
    } else if (ip === "")
      errs.push(fieldErrors.forbidden(p.child("ipMode"), "may not be specified when `ip` is not set"));
    else if (!ipModes.includes(str(mode)))
      errs.push(fieldErrors.notSupported(p.child("ipMode"), mode, ipModes));
    const host = str(ing.hostname);
    if (host !== "") {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldErrors.invalid(p.child("hostname"), host, m));
      if (isValidIP(host).length === 0)
        errs.push(fieldErrors.invalid(p.child("hostname"), host, "must be a DNS name, not an IP address"));
    }
  });
  return errs;
}
