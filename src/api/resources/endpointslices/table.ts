/**
 * `kubectl get endpointslices` columns as kube-apiserver's printEndpointSlice: up to three ports
 * and addresses each, then ` + N more...`; `<unset>` when there are none.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

const MAX_SHOWN = 3;

function listWithMore(items: string[]): string {
  const shown = items.slice(0, MAX_SHOWN);
  const text = shown.join(",");
  if (items.length > MAX_SHOWN) return `${text} + ${items.length - MAX_SHOWN} more...`;
  return text === "" ? "<unset>" : text;
}

interface EndpointSlice {
  addressType?: string;
  ports?: Array<{ port?: number | null; name?: string | null }> | null;
  endpoints?: Array<{ addresses?: string[] }> | null;
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the endpoint slice, unique within its namespace.",
      priority: 0,
    },
    {
      name: "AddressType",
      type: "string",
      format: "",
      description: "Kind of addresses in the slice: IPv4, IPv6 or FQDN.",
      priority: 0,
    },
    {
      name: "Ports",
      type: "string",
      format: "",
      description: "Ports of the slice's endpoints.",
      priority: 0,
    },
    {
      name: "Endpoints",
      type: "string",
      format: "",
      description: "Addresses of the slice's endpoints.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the endpoint slice was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    const s = obj as EndpointSlice;
    // A port without a number means all ports: its name, or "*".
    const ports = (s.ports ?? []).map((p) => (typeof p.port === "number" ? String(p.port) : (p.name ?? "*")));
    const addresses = (s.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      obj.metadata.name ?? "",
      s.addressType ?? "",
      listWithMore(ports),
      listWithMore(addresses),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
