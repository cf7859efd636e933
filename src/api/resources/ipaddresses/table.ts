/**
 * `kubectl get ipaddresses` columns as kube-apiserver's printIPAddress: PARENTREF reads
 * `resource[.group]/[namespace/]name`, e.g. `services/default/kubernetes`.
 */
import type { TableDef } from "../types.ts";

interface IPAddress {
  spec?: { parentRef?: { group?: string; resource?: string; namespace?: string; name?: string } | null };
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "The IP address itself, in canonical form.",
      priority: 0,
    },
    {
      name: "ParentRef",
      type: "string",
      format: "",
      description: "The object the address is allocated to.",
      priority: 0,
    },
  ],
  // kube's printer also appends an age cell with no column for it; kubectl never shows it.
  cells(obj) {
    const ref = (obj as IPAddress).spec?.parentRef;
    let parent = "<none>";
    if (ref) {
      const gr = ref.group ? `${ref.resource ?? ""}.${ref.group}` : (ref.resource ?? "");
      parent = gr.toLowerCase();
      if (ref.namespace) parent += `/${ref.namespace}`;
      parent += `/${ref.name ?? ""}`;
    }
    return [obj.metadata.name ?? "", parent];
  },
};
