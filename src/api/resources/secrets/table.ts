/** `kubectl get secrets` columns as kube-apiserver's printSecret. */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the secret, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Type",
      type: "string",
      format: "",
      description: "Type of the secret, which decides the keys it must hold.",
      priority: 0,
    },
    { name: "Data", type: "string", format: "", description: "Number of keys in data.", priority: 0 },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the secret was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    // stringData is folded into data on write, so only data counts (as in kube).
    const data = obj.data && typeof obj.data === "object" ? Object.keys(obj.data).length : 0;
    return [
      obj.metadata.name ?? "",
      String(obj.type ?? ""),
      data,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
