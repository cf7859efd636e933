/**
 * Watch streams: newline-delimited JSON events {type, object}, headers flushed at once, ERROR
 * 410 then close for an expired resourceVersion, BOOKMARK when asked, selectors evaluated on
 * the old and the new object (an object that stops matching is DELETED for this watcher).
 */
import type { ServerResponse } from "node:http";
import { errors } from "../machinery/errors.ts";
import type { KubeObject } from "../machinery/types.ts";
import { ExpiredError, type WatchEvent, type Watcher } from "../storage/types.ts";
import { parseResourceVersion, type ResourceRegistry } from "./registry.ts";

export interface WatchQuery {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** Watch of a single object (GET .../name?watch=true or fieldSelector=metadata.name=x). */
  name?: string;
}

export type EventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Turns an event object into what goes on the wire (JSON, or a one-row Table). */
export type EventEncoder = (type: EventType, obj: KubeObject) => unknown;

const bookmarkEveryMs = 30_000;

/** Serve a watch until the client leaves, the timeout passes or the server stops. */
export async function serveWatch(
  reg: ResourceRegistry,
  ns: string,
  q: WatchQuery,
  res: ServerResponse,
  encode: EventEncoder,
  serverSignal: AbortSignal,
): Promise<void> {
  const fieldSelector = q.name
    ? [q.fieldSelector, `metadata.name=${q.name}`].filter((s) => s).join(",")
    : q.fieldSelector;
  const filter = reg.filter({ labelSelector: q.labelSelector, fieldSelector });
  const store = reg.store;

  // Decide where the stream starts (kube's resourceVersion semantics for watch).
  const rv = q.resourceVersion ?? "";
  const initial: KubeObject[] = [];
  let after: number;
  const sendInitial = q.sendInitialEvents === true || rv === "" || rv === "0";
  if (q.sendInitialEvents === false && (rv === "" || rv === "0")) {
    after = store.currentRevision();
  } else if (sendInitial && (rv === "" || rv === "0" || q.sendInitialEvents)) {
    const list = await reg.list(ns, { labelSelector: q.labelSelector, fieldSelector });
    initial.push(...list.items);
    after = Number(list.resourceVersion);
    if (rv !== "" && rv !== "0" && q.sendInitialEvents) {
      const want = parseResourceVersion(rv);
      if (want > after) after = Math.max(after, want);
    }
  } else {
    after = parseResourceVersion(rv);
  }

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  res.flushHeaders();

  const write = (type: EventType, obj: KubeObject | unknown) => {
    const payload = type === "ERROR" ? obj : encode(type, obj as KubeObject);
    res.write(`${JSON.stringify({ type, object: payload })}\n`);
  };

  let watcher: Watcher | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let lastRV = after;
  const done = new Promise<void>((resolve) => {
    const finish = () => {
      watcher?.stop();
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      if (timeout) clearTimeout(timeout);
      serverSignal.removeEventListener("abort", finish);
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.on("close", finish);
    serverSignal.addEventListener("abort", finish, { once: true });
    const t = q.timeoutSeconds && q.timeoutSeconds > 0 ? q.timeoutSeconds : 1800 + Math.random() * 1800;
    timeout = setTimeout(finish, t * 1000);

    for (const o of initial) write("ADDED", o);
    const bookmark = (extra?: Record<string, string>) => {
      const o: KubeObject = {
        apiVersion: reg.apiVersion,
        kind: reg.def.kind,
        metadata: { resourceVersion: String(lastRV), ...(extra ? { annotations: extra } : {}) },
      };
      write("BOOKMARK", o);
    };
    if (q.sendInitialEvents && q.allowWatchBookmarks) bookmark({ "k8s.io/initial-events-end": "true" });

    try {
      watcher = store.watch(reg.prefix(ns), {
        afterRevision: after,
        onEvent: (ev: WatchEvent) => {
          lastRV = ev.revision;
          const cur = reg.present(ev.current);
          const prev = ev.previous ? reg.present(ev.previous) : undefined;
          const curMatch = ev.type !== "DELETED" && filter.matches(cur);
          const prevMatch = prev !== undefined && filter.matches(prev);
          if (ev.type === "DELETED") {
            if (filter.matches(cur)) write("DELETED", cur);
            return;
          }
          if (curMatch && prevMatch) write("MODIFIED", cur);
          else if (curMatch) write("ADDED", cur);
          else if (prevMatch && prev) {
            prev.metadata.resourceVersion = String(ev.revision);
            write("DELETED", prev);
          }
        },
        onClose: (err) => {
          // A compaction that overtakes a replaying watch ends it like an expired start.
          if (err instanceof ExpiredError && !res.writableEnded)
            write(
              "ERROR",
              errors.expired(`too old resource version: ${after} (${err.compacted + 1})`).toStatus(),
            );
          finish();
        },
      });
    } catch (e) {
      if (e instanceof ExpiredError) {
        write("ERROR", errors.expired(`too old resource version: ${after} (${e.compacted + 1})`).toStatus());
        finish();
        return;
      }
      throw e;
    }
    if (q.allowWatchBookmarks) {
      bookmarkTimer = setInterval(() => bookmark(), bookmarkEveryMs);
      bookmarkTimer.unref();
    }
  });
  await done;
}
