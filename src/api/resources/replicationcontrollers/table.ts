/** `kubectl get replicationcontrollers` columns as kube-apiserver's printReplicationController. */
import { translateTimestampSince } from "../../../util/duration.ts";
import { formatLabels, layoutContainerCells } from "../replicasets/table.ts";
import type { TableDef } from "../types.ts";

interface ReplicationController {
  spec?: {
    replicas?: number;
    selector?: Record<string, string>;
    template?: { spec?: { containers?: Array<{ name?: string; image?: string }> } };
  };
  status?: { replicas?: number; readyReplicas?: number };
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the replication controller, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Desired",
      type: "integer",
      format: "",
      description: "Number of pods the controller should run.",
      priority: 0,
    },
    {
      name: "Current",
      type: "integer",
      format: "",
      description: "Number of pods the controller runs now.",
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
      description: "Time since the replication controller was created.",
      priority: 0,
    },
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
    {
      name: "Selector",
      type: "string",
      format: "",
      description: "Labels the controller's pods must carry.",
      priority: 1,
    },
  ],
  cells(obj, now) {
    const rc = obj as ReplicationController;
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    return [
      obj.metadata.name ?? "",
      rc.spec?.replicas ?? 1,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};
