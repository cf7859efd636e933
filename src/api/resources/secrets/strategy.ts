/** Secret strategy as kube's ValidateSecret / ValidateSecretUpdate and the v1 stringData conversion. */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import { validateImmutable } from "../../machinery/validation/meta.ts";
import { base64Size, maxDataSize, validateKeys } from "../configmaps/keys.ts";
import { validateImmutableData } from "../configmaps/strategy.ts";
import { isSet, obj, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

function validate(o: KubeObject): FieldError[] {
  const data = obj(o.data);
  const dp = FieldPath.root("data");
  const errs = validateKeys(Object.keys(data), dp);
  const total = Object.values(data).reduce<number>((n, v) => n + base64Size(v), 0);
  if (total > maxDataSize)
    errs.push({ type: "FieldValueTooLong", field: "data", detail: `must have at most ${maxDataSize} bytes` });
  const has = (k: string) => isSet(data[k]);
  const json = (k: string) => {
    if (!has(k)) return errs.push(fieldErrors.required(dp.key(k)));
    try {
      JSON.parse(Buffer.from(str(data[k]), "base64").toString("utf8"));
    } catch (e) {
      errs.push(
        fieldErrors.invalid(
          dp.key(k),
          "<secret contents redacted>",
          e instanceof Error ? e.message : String(e),
        ),
      );
    }
  };
  switch (str(o.type)) {
    case "kubernetes.io/service-account-token":
      if (!o.metadata.annotations?.["kubernetes.io/service-account.name"])
        errs.push(
          fieldErrors.required(
            FieldPath.root("metadata").child("annotations").key("kubernetes.io/service-account.name"),
          ),
        );
      break;
    case "kubernetes.io/dockercfg":
      json(".dockercfg");
      break;
    case "kubernetes.io/dockerconfigjson":
      json(".dockerconfigjson");
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password"))
        errs.push(fieldErrors.required(dp.key("username")), fieldErrors.required(dp.key("password")));
      break;
    case "kubernetes.io/ssh-auth":
      if (base64Size(data["ssh-privatekey"]) === 0) errs.push(fieldErrors.required(dp.key("ssh-privatekey")));
      break;
    case "kubernetes.io/tls":
      if (!has("tls.crt")) errs.push(fieldErrors.required(dp.key("tls.crt")));
      if (!has("tls.key")) errs.push(fieldErrors.required(dp.key("tls.key")));
      break;
  }
  return errs;
}

export const strategy: Strategy = {
  // SetDefaults_Secret, and the v1 conversion that folds stringData into data (stringData wins).
  defaults(o) {
    if (!o.type) o.type = "Opaque";
    if (isSet(o.stringData)) {
      const data = { ...obj(o.data) };
      for (const [k, v] of Object.entries(obj(o.stringData)))
        data[k] = Buffer.from(str(v), "utf8").toString("base64");
      o.data = data;
    }
    delete o.stringData;
  },
  validate,
  validateUpdate: (o, old) => [
    ...validateImmutable(o.type, old.type, "type"),
    ...validateImmutableData(o, old, ["data"]),
  ],
};
