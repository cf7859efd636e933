/** Maps discovery paths to documents and the Content-Type each must be served with. */
import type { JsonObject } from "../machinery/types.ts";
import type { ResourceDef } from "../resources/types.ts";
import {
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  chooseDiscoveryFormat,
  type DiscoveryFormat,
  discoveryContentType,
  discoveryETag,
} from "./discovery.ts";

export { chooseDiscoveryFormat, type DiscoveryFormat };

export interface DiscoveryAnswer {
  contentType: string;
  body: string;
  etag?: string;
}

function answer(doc: JsonObject, format: DiscoveryFormat): DiscoveryAnswer {
  const body = JSON.stringify(doc);
  return {
    contentType: discoveryContentType(format),
    body,
    etag: format === "legacy" ? undefined : discoveryETag(doc),
  };
}

/** The discovery document for path, or undefined when path is not a discovery path. */
export function discoveryResponse(
  path: string,
  format: DiscoveryFormat,
  defs: ResourceDef[],
  serverUrl: string,
): DiscoveryAnswer | undefined {
  const parts = path.split("/").filter(Boolean);
  if (path === "/api") {
    if (format !== "legacy") return answer(aggregatedDiscovery(defs, "core", format), format);
    return answer(apiVersions(defs, new URL(serverUrl).host), "legacy");
  }
  if (path === "/apis") {
    if (format !== "legacy") return answer(aggregatedDiscovery(defs, "apis", format), format);
    return answer(apiGroupList(defs), "legacy");
  }
  let doc: JsonObject | undefined;
  if (parts[0] === "api" && parts.length === 2) doc = apiResourceList(defs, "", parts[1]);
  else if (parts[0] === "apis" && parts.length === 2) doc = apiGroup(defs, parts[1]);
  else if (parts[0] === "apis" && parts.length === 3) doc = apiResourceList(defs, parts[1], parts[2]);
  return doc ? answer(doc, "legacy") : undefined;
}
