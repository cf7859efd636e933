/**
 * Serving `/openapi/v2` and `/openapi/v3[/<group version>]` like kube-apiserver (kube-openapi's
 * handler and handler3): the v3 root maps each group version to a URL carrying the SHA-512 of its
 * document (`?hash=`); a request with the current hash is immutable and cacheable for a year, a
 * stale hash is redirected (301) to the current one. ETags are the same hash, quoted. Documents
 * are built once per process (per resource list).
 */
import { createHash } from "node:crypto";
import type { ResourceDef } from "../resources/types.ts";
import { gvKey, v2Document, v3Documents } from "./documents.ts";
import { encodeSwaggerProto } from "./gnostic.ts";

export { gvKey, v2Document, v3Documents } from "./documents.ts";

export interface OpenAPIResponse {
  status: number;
  contentType: string;
  body: Buffer | string;
  headers?: Record<string, string>;
}

interface Built {
  root: Buffer;
  rootEtag: string;
  v3: Map<string, { json: Buffer; hash: string }>;
  v2json: Buffer;
  v2pb: Buffer;
  v2hash: string;
}

const cache = new WeakMap<ResourceDef[], Built>();

function sha512Hex(b: Buffer | Uint8Array): string {
  return createHash("sha512").update(b).digest("hex").toUpperCase();
}

function build(defs: ResourceDef[]): Built {
  const hit = cache.get(defs);
  if (hit) return hit;
  const v3 = new Map<string, { json: Buffer; hash: string }>();
  for (const [key, doc] of v3Documents(defs)) {
    const json = Buffer.from(JSON.stringify(doc));
    v3.set(key, { json, hash: sha512Hex(json) });
  }
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [key, d] of v3) paths[key] = { serverRelativeURL: relativeURL(key, d.hash) };
  const root = Buffer.from(JSON.stringify({ paths }));
  const v2 = v2Document(defs);
  const v2json = Buffer.from(JSON.stringify(v2));
  const built: Built = {
    root,
    rootEtag: sha512Hex(root),
    v3,
    v2json,
    v2pb: Buffer.from(encodeSwaggerProto(v2)),
    v2hash: sha512Hex(v2json),
  };
  cache.set(defs, built);
  return built;
}

function relativeURL(key: string, hash: string): string {
  return `/openapi/v3/${key}?hash=${hash}`;
}

/** Media ranges of an Accept header, most preferred first (q-values honoured, order kept on ties). */
function acceptRanges(accept: string): string[] {
  const ranges = (accept || "*/*")
    .split(",")
    .map((part, i) => {
      const [type, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
      const qp = params.find((p) => p.startsWith("q="));
      return { type, q: qp ? Number(qp.slice(2)) : 1, i };
    })
    .filter((r) => r.type && r.q > 0);
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  return ranges.map((r) => r.type);
}

function matches(range: string, type: string): boolean {
  if (range === "*/*") return true;
  const [rt, rs] = range.split("/");
  const [t, s] = type.split("/");
  return rt === t && (rs === "*" || rs === s);
}

/** The first of `offered` the client accepts, in the client's order of preference. */
function negotiate(accept: string, offered: string[]): string | undefined {
  for (const r of acceptRanges(accept)) {
    const hit = offered.find((o) => matches(r, o));
    if (hit) return hit;
  }
  return undefined;
}

const V2_PB = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
const V2_PB_OLD = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/**
 * Answer an OpenAPI request, or undefined when `path` is not an OpenAPI path. `path` may carry the
 * query string (the v3 `hash`); `ifNoneMatch` is the request's If-None-Match header, if any.
 */
export function openapiHandler(
  path: string,
  accept: string,
  defs: ResourceDef[],
  ifNoneMatch?: string,
): OpenAPIResponse | undefined {
  const url = new URL(path, "http://localhost");
  const p = url.pathname.replace(/\/+$/, "");
  if (p !== "/openapi/v2" && p !== "/openapi/v3" && !p.startsWith("/openapi/v3/")) return undefined;
  const b = build(defs);
  const noCache = { "Cache-Control": "no-cache, private" };

  if (p === "/openapi/v2") {
    const etag = `"${b.v2hash}"`;
    const headers = { ...noCache, ETag: etag, Vary: "Accept" };
    const type = negotiate(accept, ["application/json", V2_PB, V2_PB_OLD]);
    if (!type) return { status: 406, contentType: "text/plain; charset=utf-8", body: "", headers };
    const pbWanted = type !== "application/json";
    if (notModified(ifNoneMatch, etag))
      return { status: 304, contentType: pbWanted ? V2_PB : "application/json", body: "", headers };
    return pbWanted
      ? { status: 200, contentType: V2_PB, body: b.v2pb, headers }
      : { status: 200, contentType: "application/json", body: b.v2json, headers };
  }

  if (p === "/openapi/v3") {
    const etag = `"${b.rootEtag}"`;
    const headers = { ...noCache, ETag: etag };
    if (notModified(ifNoneMatch, etag))
      return { status: 304, contentType: "application/json", body: "", headers };
    return { status: 200, contentType: "application/json", body: b.root, headers };
  }

  const key = p.slice("/openapi/v3/".length);
  const doc = b.v3.get(key);
  if (!doc)
    return {
      status: 404,
      contentType: "text/plain; charset=utf-8",
      body: "404 page not found\n",
      headers: noCache,
    };
  // Only JSON is offered for v3 (kubectl asks for JSON); anything else is 406 as in handler3.
  if (!negotiate(accept, ["application/json"]))
    return {
      status: 406,
      contentType: "text/plain; charset=utf-8",
      body: "",
      headers: { ...noCache, Vary: "Accept" },
    };
  const etag = `"${doc.hash}"`;
  const hash = url.searchParams.get("hash");
  if (hash && hash !== doc.hash) {
    const location = relativeURL(key, doc.hash);
    return {
      status: 301,
      contentType: "text/html; charset=utf-8",
      body: `<a href="${location}">Moved Permanently</a>.\n\n`,
      headers: { ...noCache, Location: location, ETag: etag, Vary: "Accept" },
    };
  }
  const headers: Record<string, string> = hash
    ? {
        "Cache-Control": "public, immutable",
        Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString(),
        ETag: etag,
        Vary: "Accept",
      }
    : { ...noCache, ETag: etag, Vary: "Accept" };
  if (notModified(ifNoneMatch, etag))
    return { status: 304, contentType: "application/json", body: "", headers };
  return { status: 200, contentType: "application/json", body: doc.json, headers };
}

/** The current v3 URL of a group version (tests and clients that skip the root). */
export function v3URL(defs: ResourceDef[], d: Pick<ResourceDef, "group" | "version">): string | undefined {
  const doc = build(defs).v3.get(gvKey(d));
  return doc ? relativeURL(gvKey(d), doc.hash) : undefined;
}
