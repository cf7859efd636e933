/** `kubectl get ingressclasses` columns as kube-apiserver's printIngressClass. */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

interface IngressClass {
  spec?: {
    controller?: string;
    parameters?: { apiGroup?: string | null; kind?: string; name?: string } | null;
  };
}

export const table: TableDef = {
  columns: [
    { name: "Name", type: "string", format: "name", description: "Name of the ingress class.", priority: 0 },
    {
      name: "Controller",
      type: "string",
      format: "",
      description: "Controller that implements ingresses of this class.",
      priority: 0,
    },
    {
      name: "Parameters",
      type: "string",
      format: "",
      description: "Resource holding extra configuration for the controller.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the ingress class was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters;
    let parameters = "<none>";
    if (p) {
      // Kind[.apiGroup]/name
      parameters = `${p.kind ?? ""}${typeof p.apiGroup === "string" ? `.${p.apiGroup}` : ""}/${p.name ?? ""}`;
    }
    return [
      obj.metadata.name ?? "",
      ic.spec?.controller ?? "",
      parameters,
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
