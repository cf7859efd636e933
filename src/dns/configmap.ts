/**
 * Cluster DNS served from a ConfigMap's Corefile, as CoreDNS in a kubeadm cluster serves the
 * `coredns` ConfigMap mounted at /etc/coredns/Corefile. Changes are applied through the
 * instance's reload (the new config is built and bound before the old one goes); a Corefile that
 * does not build is reported and the running config keeps serving.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Informer, type RestClient } from "../client/index.ts";
import type { ConfigMap } from "./configmap-manifests.ts";
import { type DNSInstance, type StartOptions, startDNS } from "./index.ts";

export const COREFILE_KEY = "Corefile";

const configmaps = { group: "", version: "v1", plural: "configmaps", namespaced: true };

export interface ConfigMapDNSOptions extends Omit<StartOptions, "corefile" | "signal"> {
  client: RestClient;
  namespace: string;
  name: string;
  /**
   * Where the served Corefile is mirrored (like kubelet's ConfigMap volume): errors name this
   * path, and its lines are the ConfigMap's. Written after each successful (re)load.
   */
  corefilePath: string;
  /**
   * Served instead when the ConfigMap's Corefile does not build at start (reported through
   * onRejected), until the ConfigMap changes; without it, that error is thrown.
   */
  fallback?: string;
  /** How long to wait for the first list of the ConfigMap (default 30 s). */
  syncTimeoutMs?: number;
  /** Told after a change was applied. */
  onApplied?(cm: ConfigMap): void;
  /** Told when a changed Corefile was rejected (the running config keeps serving). */
  onRejected?(cm: ConfigMap, err: Error): void;
  /** Told about other trouble (ConfigMap deleted, key missing, API errors). */
  onWarning?(msg: string): void;
}

export interface ConfigMapDNS {
  dns: DNSInstance;
  /** Resolves once every change seen so far has been applied or rejected. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** List the ConfigMap, serve its Corefile, then follow its changes until stopped. */
export async function serveConfigMap(o: ConfigMapDNSOptions): Promise<ConfigMapDNS> {
  const ac = new AbortController();
  const where = `configmap ${o.namespace}/${o.name}`;
  const informer = new Informer<ConfigMap>(o.client.resource<ConfigMap>(configmaps).namespace(o.namespace), {
    fieldSelector: `metadata.name=${o.name}`,
    onError: (err) => o.onWarning?.(`${where}: ${(err as Error).message}`),
  });
  const running = informer.run(ac.signal).catch((err: unknown) => o.onWarning?.(`${where}: ${err}`));
  const stopInformer = async () => {
    ac.abort();
    await running;
  };
  const timer = setTimeout(() => ac.abort(), o.syncTimeoutMs ?? 30_000);
  const synced = await informer.waitForSync(ac.signal);
  clearTimeout(timer);
  const first = informer.get(`${o.namespace}/${o.name}`);
  const text = first?.data?.[COREFILE_KEY];
  if (!synced || !first || text === undefined) {
    await stopInformer();
    if (!synced) throw new Error(`cannot list ${where} (is the apiserver up?)`);
    throw new Error(
      first ? `${where} has no "${COREFILE_KEY}" key` : `${where} not found: create it (skiff up does)`,
    );
  }

  let dns: DNSInstance;
  let serving = text;
  try {
    dns = await startDNS({ ...o, corefile: text });
  } catch (err) {
    if (o.fallback === undefined) {
      await stopInformer();
      throw err;
    }
    // A broken ConfigMap must not keep DNS (and in skiff up, the apiserver to fix it with) down.
    try {
      dns = await startDNS({ ...o, corefile: o.fallback });
    } catch (fallbackErr) {
      await stopInformer();
      throw fallbackErr;
    }
    serving = o.fallback;
    o.onRejected?.(first, err instanceof Error ? err : new Error(String(err)));
  }
  mirror(o.corefilePath, serving);

  // The last Corefile tried: a rejected one is not retried until it changes again (as reload).
  let tried = text;
  let latest: ConfigMap | undefined;
  let chain: Promise<void> = Promise.resolve();
  const apply = async (): Promise<void> => {
    const cm = latest;
    latest = undefined;
    const next = cm?.data?.[COREFILE_KEY];
    if (!cm || next === undefined || next === tried) return;
    tried = next;
    try {
      await dns.reload(next);
      mirror(o.corefilePath, next);
      o.onApplied?.(cm);
    } catch (err) {
      o.onRejected?.(cm, err instanceof Error ? err : new Error(String(err)));
    }
  };
  const changed = (cm: ConfigMap) => {
    if (cm.data?.[COREFILE_KEY] === undefined) {
      o.onWarning?.(`${where} has no "${COREFILE_KEY}" key: keeping the running config`);
      return;
    }
    // Bursts collapse: only the newest Corefile is applied once the current reload is done.
    const queued = latest !== undefined;
    latest = cm;
    if (!queued) chain = chain.then(apply);
  };
  informer.addEventHandler({
    onAdd: changed,
    onUpdate: (_old, cm) => changed(cm),
    onDelete: () => o.onWarning?.(`${where} was deleted: keeping the running config`),
  });

  return {
    dns,
    settled: () => chain,
    async stop() {
      await stopInformer();
      await chain;
      await dns.stop();
    },
  };
}

function mirror(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o644 });
}
