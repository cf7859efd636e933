/**
 * Server-side field validation (the `fieldValidation` query parameter of create, update and
 * patch), as kube-apiserver does it: Strict rejects unknown and duplicate fields with 400,
 * Warn (the default when the client says nothing) answers with `Warning: 299` headers, Ignore
 * says nothing. In every mode unknown fields are dropped from the stored object.
 */
import { kindSchema } from "../../schema/index.ts";
import { errors, StatusError } from "../errors.ts";
import { fieldErrors } from "../field-errors.ts";
import { checkFields, type FieldCheck, pruneUnknown } from "./check.ts";

export { checkFields, type FieldCheck, knownFields, pruneUnknown } from "./check.ts";

export type FieldValidationMode = "Strict" | "Warn" | "Ignore";

const modes: FieldValidationMode[] = ["Ignore", "Strict", "Warn"];

/**
 * The directive from the query value. Empty means Warn (apiserver handlers/rest.go); anything
 * else outside the three values fails like ValidateCreateOptions/UpdateOptions/PatchOptions (422).
 */
export function parseFieldValidation(
  value: string | null | undefined,
  optionsKind: "CreateOptions" | "UpdateOptions" | "PatchOptions" = "CreateOptions",
): FieldValidationMode {
  if (!value) return "Warn";
  if ((modes as string[]).includes(value)) return value as FieldValidationMode;
  throw errors.invalid("meta.k8s.io", optionsKind, "", [
    // ValidateFieldValidation lists the allowed set sorted, the empty value included.
    fieldErrors.notSupported("fieldValidation", value, ["", ...modes]),
  ]);
}

/** What the decoder would name the object in its error: `Service in version "v1"`. */
export interface DecodeTarget {
  kind: string;
  /** Version only, without the group (kube prints gvk.Version). */
  version: string;
}

/**
 * Turn a check into the outcome for `mode`: throws kube's 400 under Strict, returns warning texts
 * under Warn (YAML duplicate blocks split per line, as parseYAMLWarnings does), nothing under Ignore.
 * Without `target` the Strict message is the bare `strict decoding error: …` (as on patch).
 */
export function applyFieldValidation(
  mode: FieldValidationMode,
  result: FieldCheck,
  target?: DecodeTarget,
): string[] {
  if (result.errors.length === 0 || mode === "Ignore") return [];
  if (mode === "Strict") {
    const strict = `strict decoding error: ${result.errors.join(", ")}`;
    const msg = target
      ? `${target.kind} in version ${JSON.stringify(target.version)} cannot be handled as a ${target.kind}: ${strict}`
      : strict;
    throw new StatusError(400, "BadRequest", msg);
  }
  const out: string[] = [];
  for (const e of result.errors) {
    const m = /^yaml: unmarshal errors:\n([\s\S]*)$/.exec(e);
    if (m) for (const line of m[1].split("\n")) out.push(line.trim());
    else out.push(e);
  }
  return out;
}

export interface BodyFieldValidation {
  /** The decoded body; unknown fields are removed from it in place. */
  obj: unknown;
  /** The body text as received (JSON or YAML); absent for protobuf bodies. */
  rawText?: string;
  /** The request's media type: YAML bodies are checked for YAML duplicate keys. */
  mediaType?: string;
  /** The served apiVersion and kind of the resource (e.g. "apps/v1", "Deployment"). */
  apiVersion: string;
  kind: string;
  /** The `fieldValidation` query value (null when absent). */
  directive: string | null;
  optionsKind?: "CreateOptions" | "UpdateOptions" | "PatchOptions";
}

/**
 * The one call for create and update (and patch, on the patched object without `rawText`):
 * returns the warnings to send as `Warning: 299 - "…"` headers (see warningHeader), or throws
 * the StatusError kube-apiserver answers with.
 */
export function validateBodyFields(b: BodyFieldValidation): string[] {
  const mode = parseFieldValidation(b.directive, b.optionsKind);
  const type = kindSchema(b.apiVersion, b.kind);
  if (type?.kind !== "message") return [];
  const yaml = /ya?ml/.test(b.mediaType ?? "");
  const result = checkFields(b.obj, type.name, b.rawText, yaml);
  const version = b.apiVersion.includes("/") ? b.apiVersion.split("/")[1] : b.apiVersion;
  const warnings = applyFieldValidation(mode, result, { kind: b.kind, version });
  pruneUnknown(b.obj, type);
  return warnings;
}

/**
 * One `Warning` header value as kube writes it (k8s.io/apimachinery/pkg/util/net
 * NewWarningHeader): code 299, agent "-", the text quoted with `"` and `\` escaped.
 */
export function warningHeader(text: string): string {
  // Header values cannot carry control characters (tab aside).
  const clean = [...text].map((ch) => ((ch < " " && ch !== "\t") || ch === "\u007f" ? " " : ch)).join("");
  return `299 - "${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
