/**
 * The writes of kube's ControllerRefManager: release owned objects that stopped matching, adopt
 * matching orphans after re-reading the owner (RecheckDeletionTimestamp), and return what the
 * owner then controls. Patches carry the resourceVersion they were computed from, so a
 * concurrent change answers 409 instead of being overwritten.
 */
import type { LabelSelector } from "../../api/machinery/selectors/label.ts";
import type { KubeObject } from "../../api/machinery/types.ts";
import { isConflict, isNotFound, type ResourceClient } from "../../client/index.ts";
import { newControllerRef } from "./podutil.ts";
import { claimPods } from "./reconciler.ts";

export interface ClaimTarget<T extends KubeObject> {
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  /** Reads the owner fresh from the API. */
  getOwner(): Promise<KubeObject>;
  /** The owned kind's client, scoped to the owner's namespace. */
  client: ResourceClient<T>;
}

export async function claim<T extends KubeObject>(
  t: ClaimTarget<T>,
  selector: LabelSelector,
  candidates: T[],
): Promise<T[]> {
  const c = claimPods(t.owner, selector, candidates);
  const uid = t.owner.metadata.uid;
  for (const o of c.release) {
    const refs = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
    try {
      await t.client.patch(o.metadata.name!, "merge", {
        metadata: { resourceVersion: o.metadata.resourceVersion, ownerReferences: refs.length ? refs : null },
      });
    } catch (err) {
      // Gone, or changed under us: its next event brings the owner back here.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
  const owned = c.owned;
  if (c.adopt.length === 0) return owned;
  const fresh = await t.getOwner();
  const name = `${t.owner.metadata.namespace}/${t.owner.metadata.name}`;
  if (fresh.metadata.uid !== uid)
    throw new Error(`original ${t.ownerKind} ${name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
  if (fresh.metadata.deletionTimestamp)
    throw new Error(`${t.ownerKind} ${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  const ref = newControllerRef(t.owner, t.ownerApiVersion, t.ownerKind);
  for (const o of c.adopt) {
    try {
      owned.push(
        await t.client.patch(o.metadata.name!, "merge", {
          metadata: {
            resourceVersion: o.metadata.resourceVersion,
            ownerReferences: [...(o.metadata.ownerReferences ?? []), ref],
          },
        }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return owned;
}
