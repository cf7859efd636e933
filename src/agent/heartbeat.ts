/**
 * Node registration and heartbeats, as kubelet does them: register the Node (or take over the
 * existing one), post its status periodically, and renew its Lease in kube-node-lease so the
 * node lifecycle controller sees the node alive.
 */
import { isAlreadyExists, isConflict, isNotFound, type RestClient } from "../client/index.ts";
import { kinds } from "./kinds.ts";
import { initialNode, type NodeIdentity, nodeStatus } from "./node.ts";
import type { Lease, Node } from "./types.ts";

export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** kubelet's default nodeLeaseDurationSeconds. */
export const LEASE_DURATION_SECONDS = 40;

const microTime = (d: Date) => `${d.toISOString().slice(0, 23)}000Z`;

/** Create the Node, or reconcile an existing one (labels, an empty podCIDR); returns it. */
export async function registerNode(client: RestClient, id: NodeIdentity): Promise<Node> {
  const nodes = client.resource<Node>(kinds.nodes);
  const want = initialNode(id);
  for (let attempt = 0; ; attempt++) {
    try {
      return await nodes.create(want);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    let cur: Node;
    try {
      cur = await nodes.get(id.nodeName);
    } catch (e) {
      if (isNotFound(e) && attempt < 5) continue; // deleted meanwhile: create again
      throw e;
    }
    const labels = { ...cur.metadata.labels, ...want.metadata.labels };
    const spec = { ...cur.spec };
    // podCIDRs may only change from empty to set (ValidateNodeUpdate).
    if (!spec.podCIDRs || spec.podCIDRs.length === 0) {
      spec.podCIDR = want.spec?.podCIDR;
      spec.podCIDRs = want.spec?.podCIDRs;
    }
    const next = { ...cur, metadata: { ...cur.metadata, labels }, spec };
    if (JSON.stringify(next) === JSON.stringify(cur)) return cur;
    try {
      return await nodes.update(next);
    } catch (e) {
      if (!(isConflict(e) || isNotFound(e)) || attempt >= 5) throw e;
    }
  }
}

/** Post the node's status (read-modify-write, retried on conflicts). */
export async function postNodeStatus(client: RestClient, id: NodeIdentity, now: () => Date): Promise<Node> {
  const nodes = client.resource<Node>(kinds.nodes);
  for (let attempt = 0; ; attempt++) {
    const cur = await nodes.get(id.nodeName);
    try {
      return await nodes.updateStatus({ ...cur, status: { ...cur.status, ...nodeStatus(id, cur, now()) } });
    } catch (e) {
      if (!isConflict(e) || attempt >= 5) throw e;
    }
  }
}

/** Create or renew the node's Lease (holder = node name, owned by the Node). */
export async function renewLease(client: RestClient, node: Node, now: Date): Promise<Lease> {
  const leases = client.resource<Lease>(kinds.leases).namespace(NODE_LEASE_NAMESPACE);
  const name = node.metadata.name ?? "";
  const spec = {
    holderIdentity: name,
    leaseDurationSeconds: LEASE_DURATION_SECONDS,
    renewTime: microTime(now),
  };
  for (let attempt = 0; ; attempt++) {
    let cur: Lease | undefined;
    try {
      cur = await leases.get(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      if (!cur)
        return await leases.create({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: {
            name,
            namespace: NODE_LEASE_NAMESPACE,
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid ?? "" }],
          },
          spec,
        });
      return await leases.update({ ...cur, spec: { ...cur.spec, ...spec } });
    } catch (e) {
      if (!(isConflict(e) || isAlreadyExists(e)) || attempt >= 5) throw e;
    }
  }
}

/** Run fn now and then every intervalMs until signal aborts; errors are reported, not fatal. */
export async function every(
  intervalMs: number,
  fn: () => Promise<void>,
  signal: AbortSignal,
  onError: (e: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await fn();
    } catch (e) {
      if (!signal.aborted) onError(e);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, intervalMs);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
