/**
 * The IngressClass strategy: networking/v1 SetDefaults_IngressClass and
 * pkg/apis/networking/validation (validateIngressClassSpec, validateIngressClassParametersReference,
 * validateIngressClassSpecUpdate). Metadata is validated by the server.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import { validateImmutable } from "../../machinery/validation/meta.ts";
import { isDNS1123Label, isDNS1123Subdomain, isPathSegmentName } from "../../machinery/validation/names.ts";
import type { Strategy } from "../types.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
const set = (o: JsonObject, k: string) => o[k] !== undefined && o[k] !== null;
const spec = FieldPath.root("spec");
const maxControllerLength = 250;
const scopes = ["Cluster", "Namespace"];
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

/** apimachinery's IsDomainPrefixedPath, e.g. "k8s.io/ingress-nginx". */
export function domainPrefixedPath(v: string, p: FieldPath): FieldError[] {
  if (v === "") return [fieldErrors.required(p)];
  const slash = v.indexOf("/");
  const host = slash < 0 ? v : v.slice(0, slash);
  const path = slash < 0 ? "" : v.slice(slash + 1);
  if (slash < 0 || host === "" || path === "")
    return [fieldErrors.invalid(p, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => fieldErrors.invalid(p, host, m));
  if (!httpPathRe.test(path))
    errs.push(fieldErrors.invalid(p, path, `Invalid path (regex used for validation is '${httpPathFmt}')`));
  return errs;
}

function validateParameters(params: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (set(params, "apiGroup")) {
    const g = str(params.apiGroup);
    for (const m of isDNS1123Subdomain(g)) errs.push(fieldErrors.invalid(p.child("apiGroup"), g, m));
  }
  for (const k of ["kind", "name"]) {
    const v = str(params[k]);
    if (v === "") errs.push(fieldErrors.required(p.child(k)));
    else for (const m of isPathSegmentName(v)) errs.push(fieldErrors.invalid(p.child(k), v, m));
  }
  if (!set(params, "scope")) {
    errs.push(fieldErrors.required(p.child("scope")));
    return errs;
  }
  const scope = str(params.scope);
  if (!scopes.includes(scope)) errs.push(fieldErrors.notSupported(p.child("scope"), scope, scopes));
  else if (scope === "Namespace") {
    if (!set(params, "namespace"))
      errs.push(fieldErrors.required(p.child("namespace"), "`parameters.scope` is set to 'Namespace'"));
    else {
      const ns = str(params.namespace);
      for (const m of isDNS1123Label(ns)) errs.push(fieldErrors.invalid(p.child("namespace"), ns, m));
    }
  } else if (set(params, "namespace"))
    errs.push(fieldErrors.forbidden(p.child("namespace"), "`parameters.scope` is set to 'Cluster'"));
  return errs;
}

/** validateIngressClassSpec. */
export function validateIngressClass(ic: KubeObject): FieldError[] {
  const s = objOf(ic.spec);
  const errs: FieldError[] = [];
  const controller = str(s.controller);
  const cp = spec.child("controller");
  if (controller === "") errs.push(fieldErrors.required(cp));
  else {
    // kube reports the length without echoing the value.
    if (controller.length > maxControllerLength)
      errs.push(fieldErrors.tooLong(cp, undefined, maxControllerLength));
    errs.push(...domainPrefixedPath(controller, cp));
  }
  if (set(s, "parameters")) errs.push(...validateParameters(objOf(s.parameters), spec.child("parameters")));
  return errs;
}

export const strategy: Strategy = {
  defaults(ic) {
    const params = objOf(objOf(ic.spec).parameters);
    if (isObject(objOf(ic.spec).parameters) && !set(params, "scope")) params.scope = "Cluster";
  },
  validate: validateIngressClass,
  validateUpdate: (ic, old) =>
    validateImmutable(
      str(objOf(ic.spec).controller),
      str(objOf(old.spec).controller),
      spec.child("controller"),
    ),
};
