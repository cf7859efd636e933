/**
 * Reads a Kubernetes API path the way kube-apiserver's RequestInfoFactory does:
 * /api/v1/namespaces/default/services/x/status → group "", version v1, namespace default,
 * resource services, name x, subresource status.
 */
export interface ResourceRequest {
  kind: "resource";
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** kube's verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
}

export interface OtherRequest {
  kind: "other";
  path: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split("/").filter((p) => p !== "");
  let i: number;
  let group: string;
  let version: string;
  if (parts[0] === "api" && parts.length >= 2) {
    group = "";
    version = parts[1];
    i = 2;
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    i = 3;
  } else {
    return { kind: "other", path: pathname };
  }
  let rest = parts.slice(i).map(decodeURIComponent);
  if (rest.length === 0) return { kind: "other", path: pathname };
  let watchPath = false;
  // Deprecated /watch/ path form: /api/v1/watch/namespaces/x/pods.
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = "";
  let resource: string;
  let name = "";
  let subresource = "";
  const nsSub =
    rest[0] === "namespaces" && rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize");
  if (rest[0] === "namespaces" && rest.length >= 3 && !nsSub) {
    namespace = rest[1];
    resource = rest[2];
    name = rest[3] ?? "";
    subresource = rest[4] ?? "";
  } else {
    // Cluster-scoped, including /namespaces/{name}[/status|/finalize].
    resource = rest[0];
    name = rest[1] ?? "";
    subresource = rest[2] ?? "";
  }
  const m = method.toUpperCase();
  let verb: string;
  const isWatch = watchPath || query.get("watch") === "true" || query.get("watch") === "1";
  switch (m) {
    case "GET":
    case "HEAD":
      verb = name === "" ? (isWatch ? "watch" : "list") : isWatch ? "watch" : "get";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = name === "" ? "deletecollection" : "delete";
      break;
    default:
      verb = m.toLowerCase();
  }
  return { kind: "resource", group, version, namespace, resource, name, subresource, verb };
}
