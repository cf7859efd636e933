/** `kubectl get deployments` columns as kube-apiserver's printDeployment. */
import { translateTimestampSince } from "../../../util/duration.ts";
import {
  type LabelSelector,
  labelSelectorString,
  layoutContainerCells,
  templateColumns,
} from "../replicasets/table.ts";
import type { TableDef } from "../types.ts";

interface Deployment {
  spec?: {
    replicas?: number;
    selector?: LabelSelector;
    template?: { spec?: { containers?: Array<{ name?: string; image?: string }> } };
  };
  status?: { updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the deployment, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Ready",
      type: "string",
      format: "",
      description: "Ready pods out of the desired number.",
      priority: 0,
    },
    {
      name: "Up-to-date",
      type: "string",
      format: "",
      description: "Pods that already run the latest pod template.",
      priority: 0,
    },
    {
      name: "Available",
      type: "string",
      format: "",
      description: "Pods that have been ready for at least minReadySeconds.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the deployment was created.",
      priority: 0,
    },
    ...templateColumns("Label query over the pods the deployment manages."),
  ],
  cells(obj, now) {
    const d = obj as Deployment;
    const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
    // printDeployment prints the selector as-is ("" when empty) and "<invalid>" when unparsable.
    const selector = labelSelectorString(d.spec?.selector) ?? "<invalid>";
    return [
      obj.metadata.name ?? "",
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};
