/**
 * The swagger 2.0 document as gnostic's openapi_v2.Document protobuf (the body of
 * `/openapi/v2` for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`, which
 * client-go's discovery client sends and decodes with proto.Unmarshal). Field numbers follow
 * google/gnostic-models openapiv2/OpenAPIv2.proto. Free-form values (defaults, enum values,
 * vendor extensions) travel as `Any.yaml` text; JSON is valid YAML, so they are written as JSON.
 */
import pb from "protobufjs/minimal.js";
import type { Schema } from "./schemas.ts";

type W = pb.Writer;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function field(w: W, no: number, wire: number): W {
  return w.uint32((no << 3) | wire);
}
function wString(w: W, no: number, v: unknown): void {
  const s = str(v);
  if (s) field(w, no, 2).string(s);
}
function wBool(w: W, no: number, v: unknown): void {
  if (v === true) field(w, no, 0).bool(true);
}
function wStrings(w: W, no: number, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) if (typeof s === "string") field(w, no, 2).string(s);
}
/** An embedded message: write it with `body`, length-delimited. */
function wMsg(w: W, no: number, body: (w: W) => void): void {
  field(w, no, 2).fork();
  body(w);
  w.ldelim();
}
/** Any { 2: yaml }. */
function wAny(w: W, no: number, v: unknown): void {
  wMsg(w, no, (x) => wString(x, 2, JSON.stringify(v)));
}
/** NamedAny vendor extensions: every `x-` key of o. */
function wExtensions(w: W, no: number, o: Obj): void {
  for (const [k, v] of Object.entries(o))
    if (k.startsWith("x-"))
      wMsg(w, no, (x) => {
        wString(x, 1, k);
        wAny(x, 2, v);
      });
}

function wSchema(w: W, s: Obj): void {
  wString(w, 1, s.$ref);
  wString(w, 2, s.format);
  wString(w, 3, s.title);
  wString(w, 4, s.description);
  if (s.default !== undefined) wAny(w, 5, s.default);
  wBool(w, 16, s.uniqueItems);
  wStrings(w, 19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) wAny(w, 20, e);
  const ap = s.additionalProperties;
  if (isObj(ap)) wMsg(w, 21, (x) => wMsg(x, 1, (y) => wSchema(y, ap)));
  else if (typeof ap === "boolean") wMsg(w, 21, (x) => field(x, 2, 0).bool(ap));
  if (typeof s.type === "string") wMsg(w, 22, (x) => wString(x, 1, s.type));
  const items = s.items;
  if (isObj(items)) wMsg(w, 23, (x) => wMsg(x, 1, (y) => wSchema(y, items)));
  if (Array.isArray(s.allOf)) for (const a of s.allOf) if (isObj(a)) wMsg(w, 24, (x) => wSchema(x, a));
  const props = s.properties;
  if (isObj(props))
    wMsg(w, 25, (x) => {
      for (const [k, v] of Object.entries(props))
        if (isObj(v))
          wMsg(x, 1, (y) => {
            wString(y, 1, k);
            wMsg(y, 2, (z) => wSchema(z, v));
          });
    });
  wExtensions(w, 31, s);
}

/** ParametersItem: a body parameter, or a query/path non-body parameter. */
function wParameter(w: W, p: Obj): void {
  if (typeof p.$ref === "string") {
    wMsg(w, 2, (x) => wString(x, 1, p.$ref));
    return;
  }
  wMsg(w, 1, (x) => {
    if (p.in === "body") {
      wMsg(x, 1, (b) => {
        wString(b, 1, p.description);
        wString(b, 2, p.name);
        wString(b, 3, p.in);
        wBool(b, 4, p.required);
        if (isObj(p.schema)) wMsg(b, 5, (s) => wSchema(s, p.schema as Obj));
      });
      return;
    }
    // NonBodyParameter: 3 query, 4 path sub-schemas; their field numbers differ after `name`.
    const query = p.in === "query";
    wMsg(x, 2, (nb) =>
      wMsg(nb, query ? 3 : 4, (q) => {
        wBool(q, 1, p.required);
        wString(q, 2, p.in);
        wString(q, 3, p.description);
        wString(q, 4, p.name);
        wString(q, query ? 6 : 5, p.type);
        wString(q, query ? 7 : 6, p.format);
        wBool(q, query ? 20 : 19, p.uniqueItems);
      }),
    );
  });
}

function wOperation(w: W, o: Obj): void {
  wStrings(w, 1, o.tags);
  wString(w, 2, o.summary);
  wString(w, 3, o.description);
  wString(w, 5, o.operationId);
  wStrings(w, 6, o.produces);
  wStrings(w, 7, o.consumes);
  if (Array.isArray(o.parameters))
    for (const p of o.parameters) if (isObj(p)) wMsg(w, 8, (x) => wParameter(x, p));
  const responses = o.responses;
  if (isObj(responses))
    wMsg(w, 9, (x) => {
      for (const [code, r] of Object.entries(responses))
        if (isObj(r))
          wMsg(x, 1, (n) => {
            wString(n, 1, code);
            wMsg(n, 2, (rv) =>
              wMsg(rv, 1, (resp) => {
                wString(resp, 1, r.description);
                if (isObj(r.schema)) wMsg(resp, 2, (si) => wMsg(si, 1, (s) => wSchema(s, r.schema as Obj)));
              }),
            );
          });
    });
  wStrings(w, 10, o.schemes);
  wBool(w, 11, o.deprecated);
  wExtensions(w, 13, o);
}

const methods: Array<[string, number]> = [
  ["get", 2],
  ["put", 3],
  ["post", 4],
  ["delete", 5],
  ["options", 6],
  ["head", 7],
  ["patch", 8],
];

export function encodeSwaggerProto(doc: Schema): Uint8Array {
  const w = pb.Writer.create();
  wString(w, 1, doc.swagger);
  const info = doc.info;
  if (isObj(info))
    wMsg(w, 2, (x) => {
      wString(x, 1, info.title);
      wString(x, 2, info.version);
      wString(x, 3, info.description);
    });
  const paths = doc.paths;
  if (isObj(paths))
    wMsg(w, 8, (x) => {
      for (const [p, item] of Object.entries(paths))
        if (isObj(item))
          wMsg(x, 2, (n) => {
            wString(n, 1, p);
            wMsg(n, 2, (pi) => {
              for (const [m, no] of methods) {
                const op = item[m];
                if (isObj(op)) wMsg(pi, no, (o) => wOperation(o, op));
              }
              if (Array.isArray(item.parameters))
                for (const prm of item.parameters) if (isObj(prm)) wMsg(pi, 9, (y) => wParameter(y, prm));
              wExtensions(pi, 10, item);
            });
          });
    });
  const defs = doc.definitions;
  if (isObj(defs))
    wMsg(w, 9, (x) => {
      for (const [name, s] of Object.entries(defs))
        if (isObj(s))
          wMsg(x, 1, (n) => {
            wString(n, 1, name);
            wMsg(n, 2, (y) => wSchema(y, s));
          });
    });
  if (Array.isArray(doc.security))
    for (const req of doc.security)
      if (isObj(req))
        wMsg(w, 12, (x) => {
          for (const [name, scopes] of Object.entries(req))
            wMsg(x, 1, (n) => {
              wString(n, 1, name);
              wMsg(n, 2, (a) => wStrings(a, 1, scopes));
            });
        });
  const sec = doc.securityDefinitions;
  if (isObj(sec))
    wMsg(w, 13, (x) => {
      for (const [name, d] of Object.entries(sec))
        if (isObj(d))
          wMsg(x, 1, (n) => {
            wString(n, 1, name);
            // SecurityDefinitionsItem: 2 = ApiKeySecurity {1 type, 2 name, 3 in, 4 description}.
            wMsg(n, 2, (item) =>
              wMsg(item, 2, (k) => {
                wString(k, 1, d.type);
                wString(k, 2, d.name);
                wString(k, 3, d.in);
                wString(k, 4, d.description);
              }),
            );
          });
    });
  wExtensions(w, 16, doc);
  return w.finish();
}
