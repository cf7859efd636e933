/**
 * `kubectl get endpoints` columns as kube-apiserver's printEndpoints: up to three ready
 * `ip:port` pairs, then ` + N more...`; `<none>` without subsets.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

interface Subset {
  addresses?: Array<{ ip: string }>;
  ports?: Array<{ port: number }>;
}

const MAX_SHOWN = 3;

/** net.JoinHostPort: IPv6 addresses get brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function formatEndpoints(subsets: Subset[] | undefined): string {
  if (!subsets || subsets.length === 0) return "<none>";
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (s: string) => {
    if (list.length === MAX_SHOWN) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services without ports list bare IPs.
      count += addresses.length;
      for (const a of addresses) add(a.ip);
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) add(joinHostPort(a.ip, p.port));
    }
  }
  const text = list.join(",");
  return more ? `${text} + ${count - MAX_SHOWN} more...` : text;
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the endpoints object, the same as its service's.",
      priority: 0,
    },
    {
      name: "Endpoints",
      type: "string",
      format: "",
      description: "Ready addresses and ports behind the service.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the endpoints object was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    return [
      obj.metadata.name ?? "",
      formatEndpoints(obj.subsets as Subset[] | undefined),
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
