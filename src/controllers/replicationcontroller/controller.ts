/**
 * The ReplicationController manager: kube runs its ReplicaSet controller over
 * ReplicationControllers (pkg/controller/replication), so Skiff does the same with the RC's kind,
 * API version and map selector.
 */
import { nothing, selectorFromMap } from "../../api/machinery/selectors/label.ts";
import type { RestClient } from "../../client/index.ts";
import { type EventRecorder, type InformerFactory, kinds } from "../framework/index.ts";
import { ReplicaController, type ReplicaControllerOptions } from "../replicaset/controller.ts";
import type { ReplicaKind } from "../replicaset/kind.ts";

export const replicationControllerKind: ReplicaKind = {
  kind: "ReplicationController",
  apiVersion: "v1",
  desc: kinds.replicationcontrollers,
  component: "replication-controller",
  // A nil map selector converts to a nil LabelSelector, which selects nothing.
  selector: (o) => {
    const s = o.spec?.selector as Record<string, string> | undefined | null;
    return s ? selectorFromMap(s) : nothing();
  },
};

export function newReplicationManager(
  client: RestClient,
  informers: InformerFactory,
  recorder: EventRecorder,
  opts: ReplicaControllerOptions = {},
): ReplicaController {
  return new ReplicaController(client, informers, replicationControllerKind, recorder, opts);
}
