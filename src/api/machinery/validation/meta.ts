/**
 * ObjectMeta and LabelSelector validation with kube-apiserver's rules and messages
 * (apimachinery/pkg/api/validation/objectmeta.go, apis/meta/v1/validation, and the finalizer
 * check that pkg/apis/core/validation adds on top).
 */
import { type FieldError, FieldPath, fieldErrors } from "../field-errors.ts";
import { isObject } from "../types.ts";
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isPathSegmentName,
  isPathSegmentPrefix,
  isQualifiedName,
  isValidLabelValue,
} from "./names.ts";

/** "none": the kind's strategy checks the name itself (e.g. IPAddress names are IPs). */
export type NameRule = "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "pathSegment" | "none";

export const fieldImmutable = "field is immutable";
/** apimachinery's TotalAnnotationSizeLimitB. */
export const totalAnnotationSizeLimit = 256 * 1024;

const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

/** kube's maskTrailingDash: a generateName prefix may end in '-'. Its quirk (drops two chars) is kept. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

/** kube's ValidateNameFunc for each rule; prefix=true checks a generateName. */
export function validateName(rule: NameRule, name: string, prefix: boolean): string[] {
  switch (rule) {
    case "dns1123Subdomain":
      return isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
    case "dns1123Label":
      return isDNS1123Label(prefix ? maskTrailingDash(name) : name);
    case "dns1035Label":
      return isDNS1035Label(prefix ? maskTrailingDash(name) : name);
    case "pathSegment":
      return prefix ? isPathSegmentPrefix(name) : isPathSegmentName(name);
    case "none":
      return [];
  }
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function stringMap(v: unknown): Array<[string, unknown]> {
  return isObject(v) ? Object.entries(v).filter(([, x]) => x !== undefined) : [];
}

/** metadata.labels: every key a qualified name, every value a label value; path not keyed (kube). */
export function validateLabels(labels: unknown, path: FieldPath | string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of stringMap(labels)) {
    for (const m of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, m));
    if (typeof v !== "string") {
      errs.push(fieldErrors.invalid(path, v, "must be a string"));
      continue;
    }
    for (const m of isValidLabelValue(v)) errs.push(fieldErrors.invalid(path, v, m));
  }
  return errs;
}

/** metadata.annotations: keys are qualified names (case-insensitive); total size ≤ 256 KiB. */
export function validateAnnotations(annotations: unknown, path: FieldPath | string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of stringMap(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === "string" ? v : String(v));
  }
  if (total > totalAnnotationSizeLimit) {
    // kube passes an empty value here: the body would be too large to echo back.
    errs.push({
      type: "FieldValueTooLong",
      field: path.toString(),
      detail: `must have at most ${totalAnnotationSizeLimit} bytes`,
    });
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = "";
  for (const ref of refs) {
    const r = isObject(ref) ? ref : {};
    const apiVersion = str(r.apiVersion);
    const kind = str(r.kind);
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    if (version === "")
      errs.push(fieldErrors.invalid(path.child("apiVersion"), apiVersion, "version must not be empty"));
    if (kind === "") errs.push(fieldErrors.invalid(path.child("kind"), kind, "kind must not be empty"));
    if (str(r.name) === "")
      errs.push(fieldErrors.invalid(path.child("name"), str(r.name), "name must not be empty"));
    if (str(r.uid) === "")
      errs.push(fieldErrors.invalid(path.child("uid"), str(r.uid), "uid must not be empty"));
    // kube's BannedOwners: events may not own anything.
    if (kind === "Event" && version === "v1" && (group === "" || group === "events.k8s.io"))
      errs.push(
        fieldErrors.invalid(path, ref, `${group}/${version}, Kind=${kind} is disallowed from being an owner`),
      );
    if (r.controller === true) {
      const cur = `${kind}/${str(r.name)}`;
      if (firstController !== "")
        errs.push(
          fieldErrors.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      else firstController = cur;
    }
  }
  return errs;
}

/** kube's validateKubeFinalizerName (core): unprefixed names must be one of the standard ones. */
function validateFinalizer(f: string, path: FieldPath): FieldError[] {
  if (f.includes("/") || standardFinalizers.has(f)) return [];
  return [
    fieldErrors.invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"),
  ];
}

function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  const list = finalizers.map(str);
  // The generic check reports on the list path; core's extra check reports per index.
  for (const f of list) for (const m of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, m));
  if (list.includes("orphan") && list.includes("foregroundDeletion"))
    errs.push(fieldErrors.invalid(path, list, "finalizer orphan and foregroundDeletion cannot be both set"));
  list.forEach((f, i) => {
    errs.push(...validateFinalizer(f, path.index(i)));
  });
  return errs;
}

function validateManagedFields(managed: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(managed)) return errs;
  managed.forEach((m, i) => {
    const e = isObject(m) ? m : {};
    const p = path.index(i);
    if (e.operation !== "Apply" && e.operation !== "Update")
      errs.push(fieldErrors.invalid(p.child("operation"), e.operation ?? "", "must be `Apply` or `Update`"));
    if (e.fieldsType !== undefined && e.fieldsType !== "FieldsV1")
      errs.push(fieldErrors.notSupported(p.child("fieldsType"), e.fieldsType, ["FieldsV1"]));
  });
  return errs;
}

export interface ObjectMetaOptions {
  namespaced: boolean;
  nameRule: NameRule;
  /** Where the metadata sits; default `metadata`. */
  path?: FieldPath;
}

/** kube's ValidateObjectMeta (core flavour, with the finalizer name check). */
export function validateObjectMeta(meta: unknown, opts: ObjectMetaOptions): FieldError[] {
  const path = opts.path ?? FieldPath.root("metadata");
  const m = isObject(meta) ? meta : {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  const name = str(m.name);
  const namespace = str(m.namespace);
  if (generateName !== "")
    for (const msg of validateName(opts.nameRule, generateName, true))
      errs.push(fieldErrors.invalid(path.child("generateName"), generateName, msg));
  if (name === "") errs.push(fieldErrors.required(path.child("name"), "name or generateName is required"));
  else
    for (const msg of validateName(opts.nameRule, name, false))
      errs.push(fieldErrors.invalid(path.child("name"), name, msg));
  if (opts.namespaced) {
    if (namespace === "") errs.push(fieldErrors.required(path.child("namespace")));
    else
      for (const msg of isDNS1123Label(namespace))
        errs.push(fieldErrors.invalid(path.child("namespace"), namespace, msg));
  } else if (namespace !== "") {
    errs.push(fieldErrors.forbidden(path.child("namespace"), "not allowed on this type"));
  }
  if (typeof m.generation === "number" && m.generation < 0)
    errs.push(
      fieldErrors.invalid(path.child("generation"), m.generation, "must be greater than or equal to 0"),
    );
  errs.push(...validateLabels(m.labels, path.child("labels")));
  errs.push(...validateAnnotations(m.annotations, path.child("annotations")));
  errs.push(...validateOwnerReferences(m.ownerReferences, path.child("ownerReferences")));
  errs.push(...validateFinalizers(m.finalizers, path.child("finalizers")));
  errs.push(...validateManagedFields(m.managedFields, path.child("managedFields")));
  return errs;
}

/** kube's ValidateImmutableField: `Invalid value: <new>: field is immutable`. */
export function validateImmutable(newVal: unknown, oldVal: unknown, path: FieldPath | string): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [fieldErrors.invalid(path, newVal ?? null, fieldImmutable)];
}

/**
 * kube's ValidateObjectMetaUpdate. The caller fills metadata.resourceVersion for unconditional
 * updates first (kube's store does), since an update without one is rejected here.
 */
export function validateObjectMetaUpdate(newMeta: unknown, oldMeta: unknown, path?: FieldPath): FieldError[] {
  const p = path ?? FieldPath.root("metadata");
  const n = isObject(newMeta) ? newMeta : {};
  const o = isObject(oldMeta) ? oldMeta : {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const old = new Set(Array.isArray(o.finalizers) ? o.finalizers.map(str) : []);
    const extra = (Array.isArray(n.finalizers) ? n.finalizers.map(str) : []).filter((f) => !old.has(f));
    if (extra.length > 0)
      errs.push(
        fieldErrors.forbidden(
          p.child("finalizers"),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${[
            ...new Set(extra),
          ]
            .sort()
            .map((f) => JSON.stringify(f))
            .join(", ")}}`,
        ),
      );
  }
  if (str(n.resourceVersion) === "")
    errs.push(
      fieldErrors.invalid(
        p.child("resourceVersion"),
        str(n.resourceVersion),
        "must be specified for an update",
      ),
    );
  const gen = (v: unknown) => (typeof v === "number" ? v : 0);
  if (gen(n.generation) < gen(o.generation))
    errs.push(fieldErrors.invalid(p.child("generation"), gen(n.generation), "must not be decremented"));
  for (const f of [
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
  ])
    errs.push(...validateImmutable(n[f] ?? emptyFor(f), o[f] ?? emptyFor(f), p.child(f)));
  errs.push(...validateLabels(n.labels, p.child("labels")));
  errs.push(...validateAnnotations(n.annotations, p.child("annotations")));
  errs.push(...validateOwnerReferences(n.ownerReferences, p.child("ownerReferences")));
  errs.push(...validateManagedFields(n.managedFields, p.child("managedFields")));
  if (Array.isArray(n.finalizers))
    n.finalizers.forEach((f, i) => {
      errs.push(...validateFinalizer(str(f), p.child("finalizers").index(i)));
    });
  return errs;
}

// Go's zero values: a missing string compares equal to "".
const emptyFor = (f: string): unknown =>
  f === "deletionTimestamp" || f === "deletionGracePeriodSeconds" || f === "creationTimestamp" ? null : "";

/** kube's ValidateLabelSelector (metav1.LabelSelector). */
export function validateLabelSelector(sel: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(sel)) return errs;
  errs.push(...validateLabels(sel.matchLabels, path.child("matchLabels")));
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  exprs.forEach((e, i) => {
    const r = isObject(e) ? e : {};
    const p = path.child("matchExpressions").index(i);
    const values = Array.isArray(r.values) ? r.values : [];
    switch (r.operator) {
      case "In":
      case "NotIn":
        if (values.length === 0)
          errs.push(
            fieldErrors.required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length > 0)
          errs.push(
            fieldErrors.forbidden(
              p.child("values"),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(
          fieldErrors.invalid(p.child("operator"), r.operator ?? "", "not a valid selector operator"),
        );
    }
    const key = str(r.key);
    for (const m of isQualifiedName(key)) errs.push(fieldErrors.invalid(p.child("key"), key, m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(str(v)))
        errs.push(fieldErrors.invalid(p.child("values").index(j), v, m));
    });
  });
  return errs;
}

/** True when a label selector is valid enough to evaluate (LabelSelectorAsSelector succeeds). */
export function labelSelectorIsValid(sel: unknown): boolean {
  if (sel === undefined || sel === null) return true;
  return validateLabelSelector(sel, FieldPath.root("s")).length === 0;
}

/** Whether labels match a metav1.LabelSelector; null/absent selects nothing, `{}` everything. */
export function labelSelectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObject(sel)) return false;
  const l = labels ?? {};
  for (const [k, v] of stringMap(sel.matchLabels)) if (l[k] !== v) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  for (const e of exprs) {
    const r = isObject(e) ? e : {};
    const key = str(r.key);
    const values = Array.isArray(r.values) ? r.values.map(str) : [];
    const has = Object.hasOwn(l, key);
    switch (r.operator) {
      case "In":
        if (!has || !values.includes(l[key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(l[key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when the selector has no requirements (matches everything). */
export function labelSelectorIsEmpty(sel: unknown): boolean {
  if (!isObject(sel)) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  return stringMap(sel.matchLabels).length === 0 && exprs.length === 0;
}

/** Structural equality over JSON values (Go's apiequality.Semantic.DeepEqual for our purposes). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
