/**
 * What differs between ReplicaSets and ReplicationControllers for the shared controller: the
 * API kind and the selector form (kube runs its ReplicaSet controller on converted RCs).
 */
import {
  fromLabelSelector,
  type LabelSelector,
  type MetaLabelSelector,
} from "../../api/machinery/selectors/label.ts";
import type { ResourceDescriptor } from "../../client/index.ts";
import { kinds } from "../framework/index.ts";
import type { ReplicaOwner } from "./reconciler.ts";

export interface ReplicaKind {
  kind: string;
  apiVersion: string;
  desc: ResourceDescriptor;
  /** Event source component, as kube-controller-manager names it. */
  component: string;
  /** The selector; throws SelectorError when it cannot be parsed. */
  selector(o: ReplicaOwner): LabelSelector;
}

export const replicaSetKind: ReplicaKind = {
  kind: "ReplicaSet",
  apiVersion: "apps/v1",
  desc: kinds.replicasets,
  component: "replicaset-controller",
  selector: (o) => fromLabelSelector(o.spec?.selector as MetaLabelSelector | undefined),
};
