/** Watch events: newline-delimited JSON `{type, object}` as kube-apiserver streams them. */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { Status } from "../api/machinery/errors.ts";
import { isObject } from "../api/machinery/types.ts";

export type WatchEvent<T> =
  | { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"; object: T }
  | { type: "ERROR"; object: Status };

const types = new Set(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]);

/**
 * Parse events from a stream. A stream that breaks off (the server went away, the socket was
 * reset) ends the events like a clean end does, as client-go treats an unexpected EOF: the
 * caller resumes from the last resourceVersion it saw. A partial last line is dropped.
 */
export async function* readWatchEvents<T>(stream: Readable): AsyncGenerator<WatchEvent<T>, void, undefined> {
  let buf = "";
  // A multi-byte character may straddle two chunks.
  const decoder = new StringDecoder("utf8");
  const iter = stream[Symbol.asyncIterator]();
  for (;;) {
    let chunk: IteratorResult<Buffer | string>;
    try {
      chunk = await iter.next();
    } catch {
      return;
    }
    if (chunk.done) return;
    buf += typeof chunk.value === "string" ? chunk.value : decoder.write(chunk.value);
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield parseEvent<T>(line);
      nl = buf.indexOf("\n");
    }
  }
}

export function parseEvent<T>(line: string): WatchEvent<T> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
  }
  if (!isObject(v) || typeof v.type !== "string" || !types.has(v.type) || !isObject(v.object)) {
    throw new Error(`malformed watch event: ${line.slice(0, 200)}`);
  }
  return v as unknown as WatchEvent<T>;
}
