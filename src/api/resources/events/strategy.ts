/** core/v1 Event strategy: kube's legacyValidateEvent for v1 requests (pkg/apis/core/validation/events.go). */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { isDNS1123Subdomain, isQualifiedName } from "../../machinery/validation/names.ts";
import { obj, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

const root = FieldPath.root();
const mismatch = "does not match event.namespace";

function validate(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = o.metadata.namespace ?? "";
  const ioNs = str(obj(o.involvedObject).namespace);
  const ioPath = root.child("involvedObject", "namespace");
  const tooLong = (f: string, max: number) => {
    if (str(o[f]).length > max)
      errs.push(fieldErrors.invalid(root.child(f), "", `can have at most ${max} characters`));
  };
  if (!o.eventTime) {
    // Old-style events: the namespaces must agree ("default" allowed for cluster objects).
    if (ioNs === "" ? ns !== "" && ns !== "default" : ns !== ioNs)
      errs.push(fieldErrors.invalid(ioPath, ioNs, mismatch));
  } else {
    if (ioNs === "" && ns !== "default" && ns !== "kube-system")
      errs.push(fieldErrors.invalid(ioPath, ioNs, mismatch));
    const rc = str(o.reportingComponent);
    if (rc === "") errs.push(fieldErrors.required(root.child("reportingComponent")));
    for (const m of isQualifiedName(rc))
      errs.push(fieldErrors.invalid(root.child("reportingComponent"), rc, m));
    if (str(o.reportingInstance) === "") errs.push(fieldErrors.required(root.child("reportingInstance")));
    tooLong("reportingInstance", 128);
    if (str(o.action) === "") errs.push(fieldErrors.required(root.child("action")));
    tooLong("action", 128);
    if (str(o.reason) === "") errs.push(fieldErrors.required(root.child("reason")));
    tooLong("reason", 128);
    tooLong("message", 1024);
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErrors.invalid(root.child("namespace"), ns, m));
  return errs;
}

export const strategy: Strategy = { validate };
