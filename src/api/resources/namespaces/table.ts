/** `kubectl get namespaces` columns as kube-apiserver's printNamespace. */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

export const table: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name of the namespace.", priority: 0 },
    {
      name: "Status",
      type: "string",
      format: "",
      description: "Phase of the namespace: Active or Terminating.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the namespace was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    return [
      obj.metadata.name ?? "",
      String(obj.status?.phase ?? ""),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
