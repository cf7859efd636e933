/**
 * `kubectl get replicasets` columns as kube-apiserver's printReplicaSet. Also home of the
 * workload printers' shared helpers (container/image lists, label selector text), which the
 * deployment and replication controller tables import.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableColumn, TableDef } from "../types.ts";

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

interface Container {
  name?: string;
  image?: string;
}

/** The CONTAINERS and IMAGES cells: names and images joined by commas. */
export function layoutContainerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? "").join(","), list.map((c) => c.image ?? "").join(",")];
}

function requirementString(r: LabelSelectorRequirement): string | undefined {
  const values = [...(r.values ?? [])].sort();
  switch (r.operator) {
    case "In":
      return values.length === 0 ? undefined : `${r.key} in (${values.join(",")})`;
    case "NotIn":
      return values.length === 0 ? undefined : `${r.key} notin (${values.join(",")})`;
    case "Exists":
      return values.length === 0 ? r.key : undefined;
    case "DoesNotExist":
      return values.length === 0 ? `!${r.key}` : undefined;
    default:
      return undefined;
  }
}

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, "" for a nil or empty
 * selector, undefined when the selector cannot be converted.
 */
export function labelSelectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!sel) return "";
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of sel.matchExpressions ?? []) {
    const text = requirementString(expr);
    if (text === undefined) return undefined;
    reqs.push({ key: expr.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(",");
}

/** metav1.FormatLabelSelector: like labelSelectorString, "<none>" when empty, "<error>" when bad. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return "<error>";
  return s === "" ? "<none>" : s;
}

/** labels.FormatLabels: "k=v" pairs sorted by key, "<none>" when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels?.[k]}`).join(",");
}

/** Containers, Images and Selector: the -o wide columns every pod-template owner prints. */
export function templateColumns(selectorDescription: string): TableColumn[] {
  return [
    {
      name: "Containers",
      type: "string",
      format: "",
      description: "Names of the containers in the pod template.",
      priority: 1,
    },
    {
      name: "Images",
      type: "string",
      format: "",
      description: "Images of the containers in the pod template.",
      priority: 1,
    },
    { name: "Selector", type: "string", format: "", description: selectorDescription, priority: 1 },
  ];
}

interface ReplicaOwner {
  spec?: { replicas?: number; selector?: unknown; template?: { spec?: { containers?: Container[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

/**
 * kube's printReplicaSet and printReplicationController: the same columns and cells, apart from
 * the words and how the selector is written (a LabelSelector, or a plain map for RCs).
 */
export function replicaOwnerTable(
  noun: string,
  selectorDescription: string,
  selector: (sel: unknown) => string,
): TableDef {
  return {
    columns: [
      {
        name: "Name",
        type: "string",
        format: "name",
        description: `Name of the ${noun}, unique within its namespace.`,
        priority: 0,
      },
      {
        name: "Desired",
        type: "integer",
        format: "",
        description: `Number of pods the ${noun} should run.`,
        priority: 0,
      },
      {
        name: "Current",
        type: "integer",
        format: "",
        description: `Number of pods the ${noun} runs now.`,
        priority: 0,
      },
      {
        name: "Ready",
        type: "integer",
        format: "",
        description: "Number of its pods that are ready.",
        priority: 0,
      },
      {
        name: "Age",
        type: "string",
        format: "",
        description: `Time since the ${noun} was created.`,
        priority: 0,
      },
      ...templateColumns(selectorDescription),
    ],
    cells(obj, now) {
      const o = obj as ReplicaOwner;
      const [names, images] = layoutContainerCells(o.spec?.template?.spec?.containers);
      return [
        obj.metadata.name ?? "",
        o.spec?.replicas ?? 1,
        o.status?.replicas ?? 0,
        o.status?.readyReplicas ?? 0,
        translateTimestampSince(obj.metadata.creationTimestamp, now),
        names,
        images,
        selector(o.spec?.selector),
      ];
    },
  };
}

export const table: TableDef = replicaOwnerTable(
  "replica set",
  "Label query over the pods the replica set owns.",
  (sel) => formatLabelSelector(sel as LabelSelector | undefined),
);
