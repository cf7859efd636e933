/**
 * What the bench expects of the endpoint controllers, checked from watch events: every Service's
 * EndpointSlices (managed by the EndpointSlice controller) list exactly its pods' IPs, on the
 * target port, each with the readiness the bench gave the pod; its Endpoints list the same IPs
 * under addresses (ready) or notReadyAddresses.
 */

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
}

export interface SliceObject {
  metadata: { namespace?: string; name?: string; labels?: Record<string, string> };
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: Array<{ name?: string; port?: number; protocol?: string }> | null;
}

export interface EndpointsObject {
  metadata: { namespace?: string; name?: string };
  subsets?: Array<{
    addresses?: Array<{ ip: string }>;
    notReadyAddresses?: Array<{ ip: string }>;
    ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  }> | null;
}

export interface WatchLine<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/** The one port every bench Service exposes (Service port 80 → this target port). */
export const benchPort = { name: "http", port: 8080, protocol: "TCP" };

const managedBy = "endpointslice.kubernetes.io/managed-by";
const serviceName = "kubernetes.io/service-name";
const sliceController = "endpointslice-controller.k8s.io";

function portsOK(
  ports: Array<{ name?: string; port?: number; protocol?: string }> | null | undefined,
): boolean {
  return (
    ports?.length === 1 &&
    (ports[0].name ?? "") === benchPort.name &&
    ports[0].port === benchPort.port &&
    (ports[0].protocol ?? "TCP") === benchPort.protocol
  );
}

export class EndpointExpectations {
  /** service key → pod IP → ready. */
  private readonly want = new Map<string, Map<string, boolean>>();
  /** service key → slice name → slice. */
  private readonly slices = new Map<string, Map<string, SliceObject>>();
  private readonly endpoints = new Map<string, EndpointsObject>();
  private readonly slicesOK = new Set<string>();
  private readonly endpointsOK = new Set<string>();
  /** Watch events seen, by kind and type (the controllers' writes). */
  readonly writes = { slices: 0, endpoints: 0 };
  /** Called after every event with the service it concerned. */
  onChange?: (svcKey: string) => void;

  expect(svcKey: string, ip: string, ready: boolean): void {
    let m = this.want.get(svcKey);
    if (!m) {
      m = new Map();
      this.want.set(svcKey, m);
    }
    m.set(ip, ready);
    this.check(svcKey);
  }

  get services(): number {
    return this.want.size;
  }

  get correctSlices(): number {
    return this.slicesOK.size;
  }

  get correctEndpoints(): number {
    return this.endpointsOK.size;
  }

  sliceCorrect(svcKey: string): boolean {
    return this.slicesOK.has(svcKey);
  }

  endpointsCorrect(svcKey: string): boolean {
    return this.endpointsOK.has(svcKey);
  }

  /** The slices currently seen, for copying. */
  allSlices(): SliceObject[] {
    return [...this.slices.values()].flatMap((m) => [...m.values()]);
  }

  allEndpoints(): EndpointsObject[] {
    return [...this.endpoints.values()];
  }

  applySlice(ev: WatchLine<SliceObject>): void {
    if (ev.type === "ERROR") throw new Error(`endpointslices watch: ${JSON.stringify(ev.object)}`);
    if (ev.type === "BOOKMARK") return;
    const s = ev.object;
    const svc = s.metadata.labels?.[serviceName];
    if (!svc || s.metadata.labels?.[managedBy] !== sliceController) return;
    const key = `${s.metadata.namespace}/${svc}`;
    if (!this.want.has(key)) return;
    this.writes.slices++;
    let m = this.slices.get(key);
    if (!m) {
      m = new Map();
      this.slices.set(key, m);
    }
    if (ev.type === "DELETED") m.delete(s.metadata.name ?? "");
    else m.set(s.metadata.name ?? "", s);
    this.check(key);
  }

  applyEndpoints(ev: WatchLine<EndpointsObject>): void {
    if (ev.type === "ERROR") throw new Error(`endpoints watch: ${JSON.stringify(ev.object)}`);
    if (ev.type === "BOOKMARK") return;
    const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
    if (!this.want.has(key)) return;
    this.writes.endpoints++;
    if (ev.type === "DELETED") this.endpoints.delete(key);
    else this.endpoints.set(key, ev.object);
    this.check(key);
  }

  private check(key: string): void {
    const want = this.want.get(key);
    if (!want) return;
    setIf(this.slicesOK, key, this.slicesMatch(want, this.slices.get(key)));
    setIf(this.endpointsOK, key, this.endpointsMatch(want, this.endpoints.get(key)));
    this.onChange?.(key);
  }

  private slicesMatch(want: Map<string, boolean>, slices: Map<string, SliceObject> | undefined): boolean {
    if (!slices) return false;
    const seen = new Map<string, boolean>();
    for (const s of slices.values()) {
      if ((s.endpoints ?? []).length === 0) continue;
      if (s.addressType !== "IPv4" || !portsOK(s.ports)) return false;
      for (const ep of s.endpoints ?? []) {
        const ip = ep.addresses[0];
        if (seen.has(ip)) return false;
        seen.set(ip, ep.conditions?.ready === true);
      }
    }
    return sameMap(want, seen);
  }

  private endpointsMatch(want: Map<string, boolean>, ep: EndpointsObject | undefined): boolean {
    if (!ep) return false;
    const seen = new Map<string, boolean>();
    for (const sub of ep.subsets ?? []) {
      if (!portsOK(sub.ports)) return false;
      for (const a of sub.addresses ?? []) seen.set(a.ip, true);
      for (const a of sub.notReadyAddresses ?? []) seen.set(a.ip, false);
    }
    return sameMap(want, seen);
  }
}

function sameMap(a: Map<string, boolean>, b: Map<string, boolean>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function setIf(set: Set<string>, key: string, on: boolean): void {
  if (on) set.add(key);
  else set.delete(key);
}
