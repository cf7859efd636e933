/**
 * Ingress (networking.k8s.io/v1) validation as kube-apiserver does it
 * (pkg/apis/networking/validation/validation.go: ValidateIngressCreate, ValidateIngressSpec,
 * validateIngressRules, validateHTTPIngressPath, validateIngressBackend, validateIngressTLS,
 * ValidateIngressLoadBalancerStatus). Metadata is validated by the server.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import {
  isDNS1035Label,
  isDNS1123Subdomain,
  isPathSegmentName,
  isValidPortName,
  isValidPortNum,
} from "../../machinery/validation/names.ts";
import { isValidIP, parseIPSloppy } from "../../machinery/validation/net.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
const set = (o: JsonObject, k: string) => o[k] !== undefined && o[k] !== null;

export const pathTypes = ["Exact", "ImplementationSpecific", "Prefix"];
const invalidPathSequences = ["//", "/./", "/../", "%2f", "%2F"];
const invalidPathSuffixes = ["/..", "/."];
const ingressClassAnnotation = "kubernetes.io/ingress.class";

const subdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const wildcardRe = new RegExp(`^\\*\\.${subdomainFmt}$`);

/** apimachinery's IsWildcardDNS1123Subdomain. */
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push("must be no more than 253 characters");
  if (!wildcardRe.test(v))
    errs.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\." +
        subdomainFmt +
        "')",
    );
  return errs;
}

function hostErrors(host: string, p: FieldPath): FieldError[] {
  const msgs = host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => fieldErrors.invalid(p, host, m));
}

function typedRef(ref: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (set(ref, "apiGroup")) {
    const g = str(ref.apiGroup);
    for (const m of isDNS1123Subdomain(g)) errs.push(fieldErrors.invalid(p.child("apiGroup"), g, m));
  }
  for (const k of ["kind", "name"]) {
    const v = str(ref[k]);
    if (v === "") errs.push(fieldErrors.required(p.child(k)));
    else for (const m of isPathSegmentName(v)) errs.push(fieldErrors.invalid(p.child(k), v, m));
  }
  return errs;
}

/** validateIngressBackend. */
export function validateBackend(b: JsonObject, p: FieldPath): FieldError[] {
  const hasResource = set(b, "resource");
  const hasService = set(b, "service");
  if (hasResource && hasService)
    return [fieldErrors.invalid(p, "", "cannot set both resource and service backends")];
  if (hasResource) return typedRef(objOf(b.resource), p.child("resource"));
  if (!hasService) return [fieldErrors.invalid(p, "", "resource or service backend is required")];
  const errs: FieldError[] = [];
  const svc = objOf(b.service);
  const name = str(svc.name);
  if (name === "") errs.push(fieldErrors.required(p.child("service", "name")));
  else
    for (const m of isDNS1035Label(name)) errs.push(fieldErrors.invalid(p.child("service", "name"), name, m));
  const port = objOf(svc.port);
  const portName = str(port.name);
  const portNumber = typeof port.number === "number" ? port.number : 0;
  if (portName !== "" && portNumber !== 0)
    errs.push(fieldErrors.invalid(p, "", "cannot set both port name & port number"));
  else if (portName !== "")
    for (const m of isValidPortName(portName))
      errs.push(fieldErrors.invalid(p.child("service", "port", "name"), portName, m));
  else if (portNumber !== 0)
    for (const m of isValidPortNum(portNumber))
      errs.push(fieldErrors.invalid(p.child("service", "port", "number"), portNumber, m));
  else errs.push(fieldErrors.required(p, "port name or number is required"));
  return errs;
}

function validatePath(hp: JsonObject, p: FieldPath): FieldError[] {
  if (!set(hp, "pathType")) return [fieldErrors.required(p.child("pathType"), "pathType must be specified")];
  const errs: FieldError[] = [];
  const pathType = str(hp.pathType);
  const path = str(hp.path);
  const pp = p.child("path");
  if (pathType === "Exact" || pathType === "Prefix") {
    if (!path.startsWith("/")) errs.push(fieldErrors.invalid(pp, path, "must be an absolute path"));
    if (path !== "") {
      for (const seq of invalidPathSequences)
        if (path.includes(seq)) errs.push(fieldErrors.invalid(pp, path, `must not contain '${seq}'`));
      for (const suf of invalidPathSuffixes)
        if (path.endsWith(suf)) errs.push(fieldErrors.invalid(pp, path, `cannot end with '${suf}'`));
    }
  } else if (pathType === "ImplementationSpecific") {
    if (path !== "" && !path.startsWith("/"))
      errs.push(fieldErrors.invalid(pp, path, "must be an absolute path"));
  } else errs.push(fieldErrors.notSupported(p.child("pathType"), hp.pathType, pathTypes));
  errs.push(...validateBackend(objOf(hp.backend), p.child("backend")));
  return errs;
}

function validateRules(rules: JsonObject[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const rp = p.index(i);
    const host = str(r.host);
    if (host !== "") {
      if (parseIPSloppy(host))
        errs.push(fieldErrors.invalid(rp.child("host"), host, "must be a DNS name, not an IP address"));
      errs.push(...hostErrors(host, rp.child("host")));
    }
    if (set(r, "http")) {
      const hp = rp.child("http");
      const paths = list(objOf(r.http).paths).map(objOf);
      if (paths.length === 0) errs.push(fieldErrors.required(hp.child("paths")));
      paths.forEach((x, j) => {
        errs.push(...validatePath(x, hp.child("paths").index(j)));
      });
    }
  });
  return errs;
}

/** ValidateIngressSpec plus the create-time ingress.class annotation check. */
export function validateIngress(ing: KubeObject): FieldError[] {
  const spec = objOf(ing.spec);
  const sp = FieldPath.root("spec");
  const errs: FieldError[] = [];
  const rules = list(spec.rules).map(objOf);
  if (rules.length === 0 && !set(spec, "defaultBackend"))
    errs.push(
      fieldErrors.invalid(sp, spec.rules ?? null, "either `defaultBackend` or `rules` must be specified"),
    );
  if (set(spec, "defaultBackend"))
    errs.push(...validateBackend(objOf(spec.defaultBackend), sp.child("defaultBackend")));
  errs.push(...validateRules(rules, sp.child("rules")));
  list(spec.tls)
    .map(objOf)
    .forEach((t, i) => {
      const tp = sp.child("tls").index(i);
      list(t.hosts)
        .map(str)
        .forEach((h, j) => {
          errs.push(...hostErrors(h, tp.child("hosts").index(j)));
        });
      const secret = str(t.secretName);
      if (secret !== "")
        for (const m of isDNS1123Subdomain(secret))
          errs.push(fieldErrors.invalid(tp.child("secretName"), secret, m));
    });
  if (set(spec, "ingressClassName")) {
    const cls = str(spec.ingressClassName);
    for (const m of isDNS1123Subdomain(cls))
      errs.push(fieldErrors.invalid(sp.child("ingressClassName"), cls, m));
    const ann = ing.metadata.annotations?.[ingressClassAnnotation];
    // kube builds this path as annotations.<key> (no metadata prefix, no brackets).
    if (ann !== undefined && ann !== cls)
      errs.push(
        fieldErrors.invalid(
          FieldPath.root("annotations").child(ingressClassAnnotation),
          ann,
          "must match `ingressClassName` when both are specified",
        ),
      );
  }
  return errs;
}

/** ValidateIngressLoadBalancerStatus. */
export function validateIngressStatus(ing: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ip = FieldPath.root("status").child("loadBalancer", "ingress");
  list(objOf(objOf(ing.status).loadBalancer).ingress)
    .map(objOf)
    .forEach((e, i) => {
      const p = ip.index(i);
      const addr = str(e.ip);
      if (addr !== "")
        for (const m of isValidIP(addr)) errs.push(fieldErrors.invalid(p.child("ip"), addr, m));
      const host = str(e.hostname);
      if (host !== "") {
        for (const m of isDNS1123Subdomain(host))
          errs.push(fieldErrors.invalid(p.child("hostname"), host, m));
        if (parseIPSloppy(host))
          errs.push(fieldErrors.invalid(p.child("hostname"), host, "must be a DNS name, not an IP address"));
      }
    });
  return errs;
}
