/**
 * The workload controllers of kube-controller-manager: ReplicaSet, ReplicationController and
 * Deployment, sharing one set of informers.
 */
import type { RestClient } from "../../client/index.ts";
import { EventRecorder, InformerFactory } from "../framework/index.ts";
import { ReplicaController } from "../replicaset/controller.ts";
import { replicaSetKind } from "../replicaset/kind.ts";
import { newReplicationManager } from "../replicationcontroller/controller.ts";
import { DeploymentController } from "./controller.ts";

export { DeploymentController } from "./controller.ts";
export { computeHash } from "./hash.ts";

export interface WorkloadControllerOptions {
  /** Share informers with other controllers in the same process. */
  informers?: InformerFactory;
  /** Parallel reconciles per controller (kube's --concurrent-*-syncs default to 5). */
  workers?: number;
  /** Told about failed reconciles (they are retried with backoff). */
  onError?: (key: string, err: unknown) => void;
}

/** Run the ReplicaSet, ReplicationController and Deployment controllers until signal aborts. */
export async function startWorkloadControllers(
  client: RestClient,
  signal: AbortSignal,
  opts: WorkloadControllerOptions = {},
): Promise<void> {
  const informers = opts.informers ?? new InformerFactory(client);
  const common = { workers: opts.workers, onError: opts.onError };
  const rs = new ReplicaController(
    client,
    informers,
    replicaSetKind,
    new EventRecorder(client, replicaSetKind.component),
    common,
  );
  const rc = newReplicationManager(
    client,
    informers,
    new EventRecorder(client, "replication-controller"),
    common,
  );
  const deploy = new DeploymentController(
    client,
    informers,
    new EventRecorder(client, "deployment-controller"),
    common,
  );
  await Promise.all([rs.run(signal), rc.run(signal), deploy.run(signal)]);
}
