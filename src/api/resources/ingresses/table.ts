/**
 * `kubectl get ingress` columns as kube-apiserver's printIngress: up to three hosts (`*` for
 * none), the load balancer's addresses, and PORTS "80" or "80, 443" with TLS.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

interface Ingress {
  spec?: {
    ingressClassName?: string | null;
    rules?: Array<{ host?: string }>;
    tls?: unknown[];
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

const MAX_SHOWN = 3;

export function formatHosts(rules: Array<{ host?: string }> | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const rule of rules ?? []) {
    if (list.length === MAX_SHOWN) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  const text = list.join(",");
  // kube subtracts from the number of rules, not of hosts.
  return more ? `${text} + ${(rules ?? []).length - MAX_SHOWN} more...` : text;
}

function address(ing: Ingress): string {
  const set = new Set<string>();
  for (const i of ing.status?.loadBalancer?.ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort().join(",");
}

export const table: TableDef = {
  columns: [
    {
      name: "Name",
      type: "string",
      format: "name",
      description: "Name of the ingress, unique within its namespace.",
      priority: 0,
    },
    {
      name: "Class",
      type: "string",
      format: "",
      description: "IngressClass that handles this ingress.",
      priority: 0,
    },
    { name: "Hosts", type: "string", format: "", description: "Host names the rules match.", priority: 0 },
    {
      name: "Address",
      type: "string",
      format: "",
      description: "Addresses of the load balancer serving the ingress.",
      priority: 0,
    },
    {
      name: "Ports",
      type: "string",
      format: "",
      description: "Ports the ingress is served on.",
      priority: 0,
    },
    {
      name: "Age",
      type: "string",
      format: "",
      description: "Time since the ingress was created.",
      priority: 0,
    },
  ],
  cells(obj, now) {
    const ing = obj as Ingress;
    return [
      obj.metadata.name ?? "",
      ing.spec?.ingressClassName ?? "<none>",
      formatHosts(ing.spec?.rules),
      address(ing),
      (ing.spec?.tls ?? []).length > 0 ? "80, 443" : "80",
      translateTimestampSince(obj.metadata.creationTimestamp, now),
    ];
  },
};
