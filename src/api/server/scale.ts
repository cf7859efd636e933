/** The /scale subresource (autoscaling/v1 Scale) for deployments, replicasets and replicationcontrollers. */
import { errors } from "../machinery/errors.ts";
import { fieldErrors } from "../machinery/field-errors.ts";
import { isObject, type KubeObject } from "../machinery/types.ts";
import type { ResourceRegistry } from "./registry.ts";

function getPath(o: KubeObject, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split(".")) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A selector in its string form, as Scale.status.selector carries it. */
export function selectorString(sel: unknown, style: "label" | "map"): string {
  if (!isObject(sel)) return "";
  const parts: string[] = [];
  const labels = (style === "map" ? sel : sel.matchLabels) as Record<string, string> | undefined;
  for (const k of Object.keys(labels ?? {}).sort()) parts.push(`${k}=${String(labels![k])}`);
  if (style === "label" && Array.isArray(sel.matchExpressions)) {
    for (const e of sel.matchExpressions) {
      if (!isObject(e)) continue;
      const key = String(e.key);
      const vals = Array.isArray(e.values) ? [...e.values].map(String).sort() : [];
      switch (e.operator) {
        case "In":
          parts.push(`${key} in (${vals.join(",")})`);
          break;
        case "NotIn":
          parts.push(`${key} notin (${vals.join(",")})`);
          break;
        case "Exists":
          parts.push(key);
          break;
        case "DoesNotExist":
          parts.push(`!${key}`);
          break;
      }
    }
  }
  return parts.sort().join(",");
}

function toScale(reg: ResourceRegistry, o: KubeObject): KubeObject {
  const sc = reg.def.subresources.scale!;
  const m = o.metadata;
  const status: Record<string, unknown> = { replicas: Number(getPath(o, sc.statusReplicas) ?? 0) };
  const sel = selectorString((o.spec as { selector?: unknown } | undefined)?.selector, sc.selectorStyle);
  if (sel) status.selector = sel;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: Number(getPath(o, sc.specReplicas) ?? 0) },
    status,
  };
}

export async function getScale(reg: ResourceRegistry, ns: string, name: string): Promise<KubeObject> {
  return toScale(reg, await reg.get(ns, name));
}

export async function updateScale(
  reg: ResourceRegistry,
  ns: string,
  name: string,
  scale: KubeObject,
  dryRun: boolean,
): Promise<KubeObject> {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
    throw errors.invalid("autoscaling", "Scale", name, [
      fieldErrors.invalid("spec.replicas", replicas ?? null, "must be greater than or equal to 0"),
    ]);
  const wantRV = scale.metadata?.resourceVersion;
  const sc = reg.def.subresources.scale!;
  const apply = (cur: KubeObject): KubeObject => {
    const next = structuredClone(cur);
    // The Scale's resourceVersion (when given) is a precondition on the parent object.
    if (wantRV) next.metadata.resourceVersion = wantRV;
    else delete next.metadata.resourceVersion;
    const specPath = sc.specReplicas.split(".");
    let target = next as Record<string, unknown>;
    for (const p of specPath.slice(0, -1)) {
      if (!isObject(target[p])) target[p] = {};
      target = target[p] as Record<string, unknown>;
    }
    target[specPath[specPath.length - 1]] = replicas;
    return next;
  };
  const updated = await reg.updateWith(ns, name, apply, { dryRun });
  return toScale(reg, updated);
}
