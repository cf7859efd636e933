/** `kubectl get configmaps` columns as kube-apiserver's printConfigMap. */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

function size(m: unknown): number {
  return m && typeof m === "object" ? Object.keys(m).length : 0;
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the config map, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Data",
      type: "string",
      format: "",
      description: "Number of keys in data and binaryData together.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the config map was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    return [
      obj.metadata.name ?? "",
      size(obj.data) + size(obj.binaryData),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
