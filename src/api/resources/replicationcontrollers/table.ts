/** `kubectl get replicationcontrollers` columns as kube-apiserver's printReplicationController. */
import { formatLabels, replicaOwnerTable } from "../replicasets/table.ts";
import type { TableDef } from "../types.ts";

export const table: TableDef = replicaOwnerTable(
  "replication controller",
  "Labels the controller's pods must carry.",
  (sel) => formatLabels(sel as Record<string, string> | undefined),
);
