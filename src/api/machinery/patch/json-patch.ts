/**
 * JSON patch (RFC 6902) as kube-apiserver applies it: the behaviour and error texts of
 * evanphx/json-patch v4, which kube uses. Its departures from the RFC are kept on purpose, since
 * clients depend on them: negative array indices count from the end, `replace` of a missing
 * object key adds it, and `test` treats a missing member and a null one alike.
 */
import { isDeepStrictEqual } from "node:util";
import { PatchError } from "./errors.ts";

type Container = Record<string, unknown> | unknown[];

/** Go's name of a JSON value's kind, as encoding/json writes it in type errors. */
export function jsonKindName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

/** strconv.Atoi: an optional sign and decimal digits. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing "${s}": invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.Atoi: parsing "${s}": value out of range`);
  return n;
}

const invalidIndex = (i: number) =>
  new Error(`Unable to access invalid index: ${i}: invalid index referenced`);

function decodeKey(k: string): string {
  return k.replaceAll("~1", "/").replaceAll("~0", "~");
}

function get(c: Container, key: string): unknown {
  if (!Array.isArray(c)) return Object.hasOwn(c, key) ? c[key] : undefined;
  let i = atoi(key);
  if (i < 0) {
    if (i < -c.length) throw invalidIndex(i);
    i += c.length;
  }
  if (i >= c.length) throw invalidIndex(i);
  return c[i];
}

function add(c: Container, key: string, v: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = v;
    return;
  }
  if (key === "-") {
    c.push(v);
    return;
  }
  let i: number;
  try {
    i = atoi(key);
  } catch (e) {
    throw new Error(`value was not a proper array index: '${key}': ${(e as Error).message}`);
  }
  const size = c.length + 1;
  if (i >= size) throw invalidIndex(i);
  if (i < 0) {
    if (i < -size) throw invalidIndex(i);
    i += size;
  }
  c.splice(i, 0, v);
}

function remove(c: Container, key: string): void {
  if (!Array.isArray(c)) {
    if (!Object.hasOwn(c, key)) throw new Error(`Unable to remove nonexistent key: ${key}: missing value`);
    delete c[key];
    return;
  }
  let i = atoi(key);
  if (i >= c.length) throw invalidIndex(i);
  if (i < 0) {
    if (i < -c.length) throw invalidIndex(i);
    i += c.length;
  }
  c.splice(i, 1);
}

/** Replace an element that get() has found. */
function set(c: Container, key: string, v: unknown): void {
  if (!Array.isArray(c)) {
    c[key] = v;
    return;
  }
  let i = atoi(key);
  if (i < 0) i += c.length;
  c[i] = v;
}

/** The container of the last path segment and that segment, or undefined when the path does not lead anywhere. */
function findObject(doc: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split("/");
  if (split.length < 2) return undefined;
  let cur: Container = doc;
  // The first segment is skipped unread, as v4 does (it is empty for a well-formed pointer).
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(cur, decodeKey(part));
    } catch {
      return undefined;
    }
    if (!isContainer(next)) return undefined;
    cur = next;
  }
  return { con: cur, key: decodeKey(split[split.length - 1]) };
}

type Operation = Record<string, unknown>;

function stringField(op: Operation, name: "path" | "from", missing: string): string {
  if (!Object.hasOwn(op, name) || op[name] === null) throw new Error(`${missing}: missing value`);
  const v = op[name];
  if (typeof v !== "string")
    throw new Error(`json: cannot unmarshal ${jsonKindName(v)} into Go value of type string`);
  return v;
}

const pathOf = (op: Operation) => stringField(op, "path", "operation missing path field");
const fromOf = (op: Operation) => stringField(op, "from", "operation, missing from field");

/** The op's value; absent and null both become JSON null once stored. */
function opValue(op: Operation): unknown {
  return op.value === undefined ? null : structuredClone(op.value);
}

function wrap(fn: () => void, prefix: string): void {
  try {
    fn();
  } catch (e) {
    throw new Error(`${prefix}: ${(e as Error).message}`);
  }
}

/** Decode a JSON patch document: null is no operations, anything but an array of objects is a 400. */
export function decodeJsonPatch(patch: unknown): Operation[] {
  if (patch === null) return [];
  if (!Array.isArray(patch))
    throw new PatchError(
      "badRequest",
      `json: cannot unmarshal ${jsonKindName(patch)} into Go value of type jsonpatch.Patch`,
    );
  for (const op of patch)
    if (op !== null && (typeof op !== "object" || Array.isArray(op)))
      throw new PatchError(
        "badRequest",
        `json: cannot unmarshal ${jsonKindName(op)} into Go value of type jsonpatch.Operation`,
      );
  return patch.map((op) => (op ?? {}) as Operation);
}

function applyOne(root: { doc: Container }, op: Operation): void {
  const kind = typeof op.op === "string" ? op.op : "unknown";
  switch (kind) {
    case "add": {
      let path: string;
      try {
        path = pathOf(op);
      } catch {
        throw new Error("add operation failed to decode path: missing value");
      }
      const t = findObject(root.doc, path);
      if (!t) throw new Error(`add operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(() => add(t.con, t.key, opValue(op)), `error in add for path: '${path}'`);
      return;
    }
    case "remove": {
      let path: string;
      try {
        path = pathOf(op);
      } catch {
        throw new Error("remove operation failed to decode path: missing value");
      }
      const t = findObject(root.doc, path);
      if (!t)
        throw new Error(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      wrap(() => remove(t.con, t.key), `error in remove for path: '${path}'`);
      return;
    }
    case "replace": {
      let path = "";
      wrap(() => {
        path = pathOf(op);
      }, "replace operation failed to decode path");
      if (path === "") {
        // Only an object or array replaces the whole document; anything else is silently ignored by v4.
        if (isContainer(op.value)) root.doc = structuredClone(op.value);
        return;
      }
      const t = findObject(root.doc, path);
      if (!t)
        throw new Error(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      try {
        get(t.con, t.key);
      } catch {
        throw new Error(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      }
      wrap(() => set(t.con, t.key, opValue(op)), `error in remove for path: '${path}'`);
      return;
    }
    case "move": {
      let from = "";
      wrap(() => {
        from = fromOf(op);
      }, "move operation failed to decode from");
      const f = findObject(root.doc, from);
      if (!f)
        throw new Error(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      let val: unknown;
      wrap(() => {
        val = get(f.con, f.key);
      }, `error in move for path: '${f.key}'`);
      wrap(() => remove(f.con, f.key), `error in move for path: '${f.key}'`);
      let path = "";
      wrap(() => {
        path = pathOf(op);
      }, "move operation failed to decode path");
      const t = findObject(root.doc, path);
      if (!t)
        throw new Error(
          `move operation does not apply: doc is missing destination path: ${path}: missing value`,
        );
      wrap(() => add(t.con, t.key, val ?? null), `error in move for path: '${path}'`);
      return;
    }
    case "test": {
      let path = "";
      wrap(() => {
        path = pathOf(op);
      }, "test operation failed to decode path");
      const failed = new Error(`testing value ${path} failed: test failed`);
      if (path === "") {
        if (isDeepStrictEqual(root.doc, op.value)) return;
        throw failed;
      }
      const t = findObject(root.doc, path);
      if (!t) throw new Error(`test operation does not apply: is missing path: ${path}: missing value`);
      let val: unknown;
      wrap(() => {
        val = get(t.con, t.key);
      }, `error in test for path: '${path}'`);
      if (val === undefined || val === null) {
        if (op.value === null || op.value === undefined) return;
        throw failed;
      }
      if (op.value === undefined || !isDeepStrictEqual(val, op.value)) throw failed;
      return;
    }
    case "copy": {
      let from = "";
      wrap(() => {
        from = fromOf(op);
      }, "copy operation failed to decode from");
      const f = findObject(root.doc, from);
      if (!f)
        throw new Error(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      let val: unknown;
      wrap(() => {
        val = get(f.con, f.key);
      }, `error in copy for from: '${from}'`);
      let path: string;
      try {
        path = pathOf(op);
      } catch {
        throw new Error("copy operation failed to decode path: missing value");
      }
      const t = findObject(root.doc, path);
      if (!t)
        throw new Error(
          `copy operation does not apply: doc is missing destination path: ${path}: missing value`,
        );
      const copy = val === undefined ? null : structuredClone(val);
      wrap(() => add(t.con, t.key, copy), "error while adding value during copy");
      return;
    }
    default:
      throw new Error(`Unexpected kind: ${kind}`);
  }
}

/**
 * Apply a JSON patch to a document (not modified; a new one is returned). A malformed patch
 * document is a "badRequest" PatchError; an operation that fails is an "invalid" one (kube: 422).
 */
export function applyJsonPatch(doc: Container, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  const root = { doc: structuredClone(doc) };
  for (const op of ops) {
    try {
      applyOne(root, op);
    } catch (e) {
      if (e instanceof PatchError) throw e;
      throw new PatchError("invalid", (e as Error).message);
    }
  }
  return root.doc;
}
