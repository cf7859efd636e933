/**
 * PATCH on a resource, its /status or its /scale (kube-apiserver endpoints/handlers/patch.go):
 * JSON patch, JSON merge patch and strategic merge patch are applied to the live object inside
 * the update pipeline (so defaults, hooks and validation run again and conflicts retry);
 * server-side apply merges through the field manager and creates the object when it is missing.
 */
import { parse as parseYaml } from "yaml";
import { errors, StatusError } from "../machinery/errors.ts";
import { type FieldError, fieldErrors } from "../machinery/field-errors.ts";
import {
  applyFieldValidation,
  checkFields,
  type FieldValidationMode,
  parseFieldValidation,
  pruneUnknown,
} from "../machinery/fieldvalidation/index.ts";
import { serverSideApply } from "../machinery/managedfields/index.ts";
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  decodeJsonPatch,
  goValue,
  PatchError,
  patchSchemaFor,
} from "../machinery/patch/index.ts";
import { isObject, type KubeObject } from "../machinery/types.ts";
import { kindSchema } from "../schema/index.ts";
import { mediaType } from "./body.ts";
import type { ResourceRegistry, WriteOptions } from "./registry.ts";
import { getScale, updateScale } from "./scale.ts";

export const JSON_PATCH = "application/json-patch+json";
export const MERGE_PATCH = "application/merge-patch+json";
export const STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
export const APPLY_PATCH = "application/apply-patch+yaml";

/** The patch types built-in resources accept, in the order kube lists them in its 415 answer. */
export const patchTypes = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH] as const;
type PatchType = (typeof patchTypes)[number];

/** kube's maxJSONPatchOperations. */
const maxJsonPatchOperations = 10000;
/** validation.FieldManagerMaxLength. */
const fieldManagerMaxLength = 128;

export interface PatchOptions {
  dryRun?: boolean;
  /** The fieldManager query parameter. */
  fieldManager?: string;
  /** The force query parameter; undefined when absent (only apply may carry it). */
  force?: boolean;
  /** The fieldValidation query parameter (null or undefined when absent). */
  fieldValidation?: string | null;
  /** The request's User-Agent: the field manager of non-apply patches that name none. */
  userAgent?: string;
  now: Date;
}

export interface PatchResult {
  object: KubeObject;
  /** 201 when server-side apply created the object, 200 otherwise. */
  code: 200 | 201;
  /** fieldValidation=Warn texts for `Warning: 299` headers. */
  warnings: string[];
}

/** A non-Status error: kube answers 500 with its bare text and no reason. */
class UnknownStatusError extends StatusError {
  constructor(message: string) {
    super(500, "InternalError", message);
  }
  override toStatus() {
    const s = super.toStatus();
    delete s.reason;
    return s;
  }
}

/** The metav1.Status a PatchError becomes (interpretStrategicMergePatchError, applyJSPatch). */
export function patchErrorStatus(e: PatchError): StatusError {
  if (e.kind === "badRequest") return errors.badRequest(e.message);
  if (e.kind === "invalid")
    // NewGenericServerResponse(422, …, isUnexpectedResponse=false): a fixed message and empty
    // details; the engine's text is not sent (causes are only set for unexpected responses).
    return new StatusError(
      422,
      "Invalid",
      "the server rejected our request due to an error in our request",
      {},
    );
  return new UnknownStatusError(e.message);
}

/** prefixFromUserAgent: the User-Agent up to its first "/", printable runes only, at most 128 bytes. */
export function managerFromUserAgent(ua: string | undefined): string {
  let out = "";
  for (const ch of (ua ?? "").split("/")[0]) {
    if (!isPrintable(ch)) continue;
    if (Buffer.byteLength(out + ch) > fieldManagerMaxLength) break;
    out += ch;
  }
  return out;
}

function isPrintable(ch: string): boolean {
  return !/[\p{C}\p{Z}]/u.test(ch) || ch === " ";
}

/** ValidatePatchOptions: force only with apply, a manager required for apply, a sane manager name. */
function validatePatchOptions(type: PatchType, opts: PatchOptions): void {
  const errs: FieldError[] = [];
  const fm = opts.fieldManager ?? "";
  if (type === APPLY_PATCH) {
    if (!fm) errs.push(fieldErrors.required("fieldManager", "is required for apply patch"));
  } else if (opts.force !== undefined)
    errs.push(fieldErrors.forbidden("force", "may not be specified for non-apply patch"));
  if (fm.length > fieldManagerMaxLength)
    errs.push(fieldErrors.tooLong("fieldManager", undefined, fieldManagerMaxLength));
  let pos = 0;
  for (const ch of fm) {
    if (!isPrintable(ch)) {
      const cp = ch.codePointAt(0)!;
      errs.push(
        fieldErrors.invalid(
          "fieldManager",
          fm,
          `invalid character U+${cp.toString(16).toUpperCase().padStart(4, "0")} (at position ${pos})`,
        ),
      );
    }
    pos += Buffer.byteLength(ch);
  }
  if (errs.length > 0) throw errors.invalid("meta.k8s.io", "PatchOptions", "", errs);
}

/** The patch body decoded, rejected as kube's validateAndTranscodePatch does. */
function decodeBody(type: PatchType, body: Buffer): unknown {
  const text = body.toString("utf8");
  if (type === APPLY_PATCH) {
    try {
      return parseYaml(text) ?? {};
    } catch (e) {
      throw errors.badRequest(`error encoding patch: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    throw errors.badRequest("invalid JSON patch");
  }
}

/** checkName and the namespace check of patcher.applyPatch, on the patched object. */
function checkNameAndNamespace(reg: ResourceRegistry, obj: KubeObject, ns: string, name: string): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const objNs = obj.metadata.namespace ?? "";
  if (reg.def.namespaced && objNs !== "" && objNs !== ns)
    throw errors.badRequest(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  const objName = obj.metadata.name ?? "";
  if (objName !== name)
    throw errors.badRequest(
      `the name of the object (${objName}) does not match the name on the URL (${name})`,
    );
}

/** A patched document that is not an object cannot be decoded into the kind (422, field "patch"). */
function asObject(v: unknown): KubeObject {
  if (isObject(v)) return v as KubeObject;
  throw errors.invalid("", "", "", [
    fieldErrors.invalid(
      "patch",
      JSON.stringify(v),
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    ),
  ]);
}

interface Mechanism {
  /** Apply the patch to the live object (or Scale). */
  apply(current: KubeObject, apiVersion: string, kind: string): KubeObject;
}

function engine(
  type: Exclude<PatchType, typeof APPLY_PATCH>,
  patch: unknown,
  mode: FieldValidationMode,
  warnings: string[],
): Mechanism {
  return {
    apply(current, apiVersion, kind) {
      let out: KubeObject;
      try {
        if (type === JSON_PATCH) out = asObject(applyJsonPatch(current, patch));
        else if (type === MERGE_PATCH) out = asObject(applyMergePatch(current, patch));
        else
          out = asObject(
            applyStrategicMergePatch(current, patch, patchSchemaFor(kindSchema(apiVersion, kind))),
          );
      } catch (e) {
        if (e instanceof PatchError) throw patchErrorStatus(e);
        throw e;
      }
      const ref = kindSchema(apiVersion, kind);
      if (ref?.kind === "message") {
        const check = checkFields(out, ref.name);
        if (check.errors.length > 0 && mode === "Strict") {
          // Strict errors on a patch name the patched document (JSON) or the patch map (SMP) as the bad value.
          const bad = type === STRATEGIC_MERGE_PATCH ? goValue(patch) : JSON.stringify(out);
          throw errors.invalid("", "", "", [
            fieldErrors.invalid("patch", bad, `strict decoding error: ${check.errors.join(", ")}`),
          ]);
        }
        warnings.push(...applyFieldValidation(mode === "Strict" ? "Ignore" : mode, check));
        pruneUnknown(out, ref);
      }
      return out;
    },
  };
}

/** kube keeps a patch's resourceVersion as a precondition; the live one it merely carried along is dropped so conflicts retry. */
function keepResourceVersionIfChanged(out: KubeObject, current: KubeObject): void {
  if (out.metadata.resourceVersion === current.metadata.resourceVersion) delete out.metadata.resourceVersion;
}

/**
 * Serve a PATCH: `subresource` is "" (the object), "status" or "scale". Throws StatusErrors as
 * kube-apiserver answers them.
 */
export async function servePatch(
  reg: ResourceRegistry,
  ns: string,
  name: string,
  subresource: string,
  contentType: string | undefined,
  body: Buffer,
  opts: PatchOptions,
): Promise<PatchResult> {
  const mt = mediaType(contentType);
  if (!(patchTypes as readonly string[]).includes(mt))
    throw new StatusError(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(", ")}`,
    );
  const type = mt as PatchType;
  validatePatchOptions(type, opts);
  const mode = parseFieldValidation(opts.fieldValidation, "PatchOptions");
  const patch = decodeBody(type, body);
  const warnings: string[] = [];
  const manager = opts.fieldManager || managerFromUserAgent(opts.userAgent);
  const write: WriteOptions = { dryRun: opts.dryRun, fieldManager: manager };

  if (type === JSON_PATCH) {
    let ops: unknown[];
    try {
      ops = decodeJsonPatch(patch);
    } catch (e) {
      throw e instanceof PatchError ? patchErrorStatus(e) : e;
    }
    if (ops.length > maxJsonPatchOperations)
      throw errors.tooLarge(
        `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`,
      );
  }

  let mech: Mechanism;
  if (type === APPLY_PATCH) {
    if (!isObject(patch))
      throw errors.badRequest(
        `error decoding patch: json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`,
      );
    const config = patch as KubeObject;
    mech = {
      apply: (current) =>
        serverSideApply(current, config, {
          manager: manager,
          force: opts.force === true,
          now: opts.now,
          subresource: subresource || undefined,
        }),
    };
  } else mech = engine(type, patch, mode, warnings);

  if (subresource === "scale") {
    const current = await getScale(reg, ns, name);
    const out = mech.apply(current, "autoscaling/v1", "Scale");
    checkNameAndNamespace(reg, out, ns, name);
    keepResourceVersionIfChanged(out, current);
    return { object: await updateScale(reg, ns, name, out, !!opts.dryRun), code: 200, warnings };
  }
  if (subresource !== "" && subresource !== "status")
    throw errors.methodNotAllowed("the server does not allow this method on the requested resource");

  const desired = (current: KubeObject): KubeObject => {
    warnings.length = 0;
    const out = mech.apply(current, reg.apiVersion, reg.def.kind);
    checkNameAndNamespace(reg, out, ns, name);
    keepResourceVersionIfChanged(out, current);
    return out;
  };
  const updateOpts = {
    ...write,
    subresource: subresource === "status" ? ("status" as const) : undefined,
    operation: type === APPLY_PATCH ? ("Apply" as const) : ("Update" as const),
  };
  try {
    return { object: await reg.updateWith(ns, name, desired, updateOpts), code: 200, warnings };
  } catch (e) {
    // Server-side apply creates what does not exist (forceAllowCreate); the other types answer 404.
    if (!(type === APPLY_PATCH && subresource === "" && e instanceof StatusError && e.code === 404)) throw e;
  }
  const created = serverSideApply(undefined, patch as KubeObject, {
    manager: manager,
    force: opts.force === true,
    now: opts.now,
  });
  const uid = created.metadata?.uid;
  if (uid)
    throw errors.conflict(
      reg.gr,
      name,
      `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`,
    );
  checkNameAndNamespace(reg, created, ns, name);
  const createOpts: WriteOptions & { operation: "Apply" } = { ...write, operation: "Apply" };
  return { object: await reg.create(ns, created, createOpts), code: 201, warnings };
}
