/**
 * ipFamilyPolicy and ipFamilies defaulting and checks that depend on the cluster's service
 * ranges: kube's initIPFamilyFields (pkg/registry/core/service/storage/alloc.go), run before any
 * IP is allocated and also on dry runs.
 */
import { errors } from "../../machinery/errors.ts";
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { type IPFamily, ipFamilyOf } from "../../machinery/validation/net.ts";
import { clusterIPsOf, objOf, specOf, str, strList, svcType } from "../../resources/services/spec.ts";
import { validateClusterIPFields } from "../../resources/services/validation.ts";

export interface FamilyConfig {
  /** Families with a configured service range (from --service-cidr). */
  families: Set<IPFamily>;
  /** The family of the first configured range. */
  defaultFamily: IPFamily;
}

const spec = FieldPath.root("spec");
const policyOf = (svc: KubeObject): string => str(specOf(svc).ipFamilyPolicy);
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function hasSelector(svc: KubeObject): boolean {
  return Object.keys(objOf(specOf(svc).selector)).length > 0;
}

/** isMatchingPreferDualStackClusterIPFields: an unchanged PreferDualStack Service is left alone. */
export function unchangedPreferDualStack(svc: KubeObject, old?: KubeObject): boolean {
  if (!old) return false;
  const s = specOf(svc);
  if (s.ipFamilyPolicy === undefined || s.ipFamilyPolicy === null) return false;
  if (svcType(old) !== svcType(svc)) return false;
  if (!["ClusterIP", "NodePort", "LoadBalancer"].includes(svcType(svc))) return false;
  if (policyOf(svc) !== "PreferDualStack") return false;
  const op = specOf(old).ipFamilyPolicy;
  if (op !== undefined && op !== null && op !== "PreferDualStack") return false;
  return (
    same(clusterIPsOf(old), clusterIPsOf(svc)) && same(strList(specOf(old).ipFamilies), strList(s.ipFamilies))
  );
}

function invalid(svc: KubeObject, errs: FieldError[]) {
  return errors.invalid("", "Service", svc.metadata.name ?? "", errs);
}

function other(f: string): IPFamily {
  return f === "IPv4" ? "IPv6" : "IPv4";
}

/** Fill in spec.ipFamilyPolicy and spec.ipFamilies (mutates svc); throws a 422 StatusError. */
export function initIPFamilyFields(svc: KubeObject, old: KubeObject | undefined, cfg: FamilyConfig): void {
  if (svcType(svc) === "ExternalName") return;
  if (unchangedPreferDualStack(svc, old)) return;
  const s = specOf(svc) as JsonObject;
  svc.spec = s;
  if (s.ipFamilyPolicy === undefined || s.ipFamilyPolicy === null) {
    const oldPolicy = old ? specOf(old).ipFamilyPolicy : undefined;
    if (typeof oldPolicy === "string") s.ipFamilyPolicy = oldPolicy;
    else if (str(s.clusterIP) === "None" && !hasSelector(svc)) s.ipFamilyPolicy = "RequireDualStack";
    else s.ipFamilyPolicy = "SingleStack";
  }
  const pre = validateClusterIPFields(svc);
  if (pre.length > 0) throw invalid(svc, pre);

  const el: FieldError[] = [];
  const policy = policyOf(svc);
  const policyPath = spec.child("ipFamilyPolicy");
  if (old) {
    if (policy === "SingleStack") {
      // Keeping the primary and saying SingleStack is how a Service drops its secondary IP.
      if (same(clusterIPsOf(old), clusterIPsOf(svc)) && clusterIPsOf(svc).length > 1)
        s.clusterIPs = clusterIPsOf(svc).slice(0, 1);
      const fams = strList(s.ipFamilies);
      if (same(strList(specOf(old).ipFamilies), fams) && fams.length > 1) s.ipFamilies = fams.slice(0, 1);
    } else {
      const ips = clusterIPsOf(svc);
      if (ips.length > 0 && ips.length < clusterIPsOf(old).length)
        el.push(
          fieldErrors.invalid(
            policyPath,
            policy,
            "must be 'SingleStack' to release the secondary cluster IP",
          ),
        );
      const fams = strList(s.ipFamilies);
      if (fams.length > 0 && fams.length < strList(specOf(old).ipFamilies).length)
        el.push(
          fieldErrors.invalid(policyPath, policy, "must be 'SingleStack' to release the secondary IP family"),
        );
    }
  }
  if (policy === "SingleStack") {
    if (clusterIPsOf(svc).length === 2)
      el.push(
        fieldErrors.invalid(
          policyPath,
          policy,
          "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
        ),
      );
    if (strList(s.ipFamilies).length === 2)
      el.push(
        fieldErrors.invalid(
          policyPath,
          policy,
          "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
        ),
      );
  }
  // Families follow the IPs the user gave.
  const ips = clusterIPsOf(svc);
  const families = strList(s.ipFamilies);
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === "None") break;
    if (i < families.length) continue;
    const fam = ipFamilyOf(ips[i]);
    if (fam === "" || !cfg.families.has(fam))
      el.push(
        fieldErrors.invalid(
          spec.child("clusterIPs").index(i),
          ips,
          `${fam} is not configured on this cluster`,
        ),
      );
    else families.push(fam);
  }
  s.ipFamilies = families;
  if (el.length > 0) throw invalid(svc, el);

  // Headless without a selector may carry families the cluster does not have.
  if (str(s.clusterIP) === "None" && !hasSelector(svc)) {
    if (families.length === 0) families.push(cfg.defaultFamily);
    if (families.length < 2 && policy !== "SingleStack") families.push(other(families[0]));
    return;
  }
  if (policy === "RequireDualStack" && cfg.families.size < 2)
    el.push(
      fieldErrors.invalid(policyPath, policy, "this cluster is not configured for dual-stack services"),
    );
  families.forEach((f, i) => {
    if (!cfg.families.has(f as IPFamily))
      el.push(fieldErrors.invalid(spec.child("ipFamilies").index(i), f, "not configured on this cluster"));
  });
  if (el.length > 0) throw invalid(svc, el);
  if (families.length === 0) families.push(cfg.defaultFamily);
  if (policy !== "SingleStack" && families.length === 1 && cfg.families.size === 2)
    families.push(other(families[0]));
}
