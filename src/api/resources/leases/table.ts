/** `kubectl get leases` columns as kube-apiserver's printLease: NAME, HOLDER, AGE. */
import { translateTimestampSince } from "../../../util/duration.ts";
import { obj, str } from "../pods/json.ts";
import type { TableDef } from "../types.ts";

export const table: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name of the lease.", priority: 0 },
    {
      name: "Holder",
      type: "string",
      format: "",
      description: "The identity of the lease's current holder.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the lease was created.",
      priority: 0,
    },
  ],
  cells(o, now) {
    return [
      o.metadata.name ?? "",
      str(obj(o.spec).holderIdentity),
      translateTimestampSince(o.metadata.creationTimestamp, now),
    ];
  },
};
