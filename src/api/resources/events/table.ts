/**
 * `kubectl get events` columns as kube-apiserver's printEvent (wide): LAST SEEN falls back to
 * the first timestamp, then to eventTime; series events show the series' count and time.
 */
import { translateTimestampSince } from "../../../util/duration.ts";
import type { TableDef } from "../types.ts";

interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

/** formatEventSource: component (or reporting controller), then ", host" when known. */
function eventSource(e: Event): string {
  const component = e.source?.component || e.reportingComponent || "";
  const instance = e.source?.host || e.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

export const table: TableDef = {
  columns: [
    {
      name: "Last Seen",
      type: "string",
      format: "",
      description: "Time since the event was last observed.",
      priority: 0,
    },
    { name: "Type", type: "string", format: "", description: "Normal or Warning.", priority: 0 },
    {
      name: "Reason",
      type: "string",
      format: "",
      description: "Short machine-readable cause of the event.",
      priority: 0,
    },
    {
      name: "Object",
      type: "string",
      format: "",
      description: "The object the event is about, as kind/name.",
      priority: 0,
    },
    {
      name: "Subobject",
      type: "string",
      format: "",
      description: "The part of the object the event is about, such as a container.",
      priority: 1,
    },
    {
      name: "Source",
      type: "string",
      format: "",
      description: "The component (and host) that reported the event.",
      priority: 1,
    },
    {
      name: "Message",
      type: "string",
      format: "",
      description: "Human-readable description of what happened.",
      priority: 0,
    },
    {
      name: "First Seen",
      type: "string",
      format: "",
      description: "Time since the event was first observed.",
      priority: 1,
    },
    {
      name: "Count",
      type: "string",
      format: "",
      description: "How many times the event occurred.",
      priority: 1,
    },
    { name: "Name", type: "string", format: "name", description: "Name of the event object.", priority: 1 },
  ],
  cells(obj, now) {
    const e = obj as Event;
    const first = e.firstTimestamp
      ? translateTimestampSince(e.firstTimestamp, now)
      : translateTimestampSince(e.eventTime, now);
    let last = e.lastTimestamp ? translateTimestampSince(e.lastTimestamp, now) : first;
    let count = e.count ?? 0;
    if (e.series) {
      last = translateTimestampSince(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      // Singleton events of the events.k8s.io API carry no count.
      count = 1;
    }
    const kind = (e.involvedObject?.kind ?? "").toLowerCase();
    const target = e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
    return [
      last,
      e.type ?? "",
      e.reason ?? "",
      target,
      e.involvedObject?.fieldPath ?? "",
      eventSource(e),
      (e.message ?? "").trim(),
      first,
      count,
      obj.metadata.name ?? "",
    ];
  },
};
