/** `kubectl get servicecidrs` columns as kube-apiserver's printServiceCIDR. */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

export const table: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name of the service CIDR.", priority: 0 },
    {
      name: "CIDRs",
      type: "string",
      format: "",
      description: "Ranges (at most one per IP family) that service cluster IPs come from.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the service CIDR was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    const cidrs: string[] = Array.isArray(obj.spec?.cidrs) ? obj.spec.cidrs : [];
    return [
      obj.metadata.name ?? "",
      cidrs.join(","),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
