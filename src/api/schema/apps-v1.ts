// Types of io.k8s.api.apps.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { list, msg, T, type TypeDef } from "./types.ts";

export const appsV1Types: TypeDef[] = [
  {
    name: "io.k8s.api.apps.v1.Deployment",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.apps.v1.DeploymentSpec"), omitempty: true },
      { json: "status", tag: 3, type: msg("io.k8s.api.apps.v1.DeploymentStatus"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.DeploymentCondition",
    fields: [
      { json: "type", tag: 1, type: T.string, required: true },
      { json: "status", tag: 2, type: T.string, required: true },
      { json: "lastUpdateTime", tag: 6, type: T.time, omitempty: true },
      { json: "lastTransitionTime", tag: 7, type: T.time, omitempty: true },
      { json: "reason", tag: 4, type: T.string, omitempty: true },
      { json: "message", tag: 5, type: T.string, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.DeploymentList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.apps.v1.Deployment")), required: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.DeploymentSpec",
    fields: [
      { json: "replicas", tag: 1, type: T.int32, pointer: true, omitempty: true },
      {
        json: "selector",
        tag: 2,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"),
        pointer: true,
        required: true,
      },
      { json: "template", tag: 3, type: msg("io.k8s.api.core.v1.PodTemplateSpec"), required: true },
      {
        json: "strategy",
        tag: 4,
        type: msg("io.k8s.api.apps.v1.DeploymentStrategy"),
        omitempty: true,
        patchStrategy: "retainKeys",
      },
      { json: "minReadySeconds", tag: 5, type: T.int32, omitempty: true },
      { json: "revisionHistoryLimit", tag: 6, type: T.int32, pointer: true, omitempty: true },
      { json: "paused", tag: 7, type: T.bool, omitempty: true },
      { json: "progressDeadlineSeconds", tag: 9, type: T.int32, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.DeploymentStatus",
    fields: [
      { json: "observedGeneration", tag: 1, type: T.int64, omitempty: true },
      { json: "replicas", tag: 2, type: T.int32, omitempty: true },
      { json: "updatedReplicas", tag: 3, type: T.int32, omitempty: true },
      { json: "readyReplicas", tag: 7, type: T.int32, omitempty: true },
      { json: "availableReplicas", tag: 4, type: T.int32, omitempty: true },
      { json: "unavailableReplicas", tag: 5, type: T.int32, omitempty: true },
      { json: "terminatingReplicas", tag: 9, type: T.int32, pointer: true, omitempty: true },
      {
        json: "conditions",
        tag: 6,
        type: list(msg("io.k8s.api.apps.v1.DeploymentCondition")),
        omitempty: true,
        listType: "map",
        listMapKeys: ["type"],
        patchStrategy: "merge",
        patchMergeKey: "type",
      },
      { json: "collisionCount", tag: 8, type: T.int32, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.DeploymentStrategy",
    fields: [
      { json: "type", tag: 1, type: T.string, omitempty: true, enum: ["Recreate", "RollingUpdate"] },
      {
        json: "rollingUpdate",
        tag: 2,
        type: msg("io.k8s.api.apps.v1.RollingUpdateDeployment"),
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.ReplicaSet",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.apps.v1.ReplicaSetSpec"), omitempty: true },
      { json: "status", tag: 3, type: msg("io.k8s.api.apps.v1.ReplicaSetStatus"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.ReplicaSetCondition",
    fields: [
      { json: "type", tag: 1, type: T.string, required: true },
      { json: "status", tag: 2, type: T.string, required: true },
      { json: "lastTransitionTime", tag: 3, type: T.time, omitempty: true },
      { json: "reason", tag: 4, type: T.string, omitempty: true },
      { json: "message", tag: 5, type: T.string, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.ReplicaSetList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.apps.v1.ReplicaSet")), required: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.ReplicaSetSpec",
    fields: [
      { json: "replicas", tag: 1, type: T.int32, pointer: true, omitempty: true },
      { json: "minReadySeconds", tag: 4, type: T.int32, omitempty: true },
      {
        json: "selector",
        tag: 2,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"),
        pointer: true,
        required: true,
      },
      { json: "template", tag: 3, type: msg("io.k8s.api.core.v1.PodTemplateSpec"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.ReplicaSetStatus",
    fields: [
      { json: "replicas", tag: 1, type: T.int32, required: true },
      { json: "fullyLabeledReplicas", tag: 2, type: T.int32, omitempty: true },
      { json: "readyReplicas", tag: 4, type: T.int32, omitempty: true },
      { json: "availableReplicas", tag: 5, type: T.int32, omitempty: true },
      { json: "terminatingReplicas", tag: 7, type: T.int32, pointer: true, omitempty: true },
      { json: "observedGeneration", tag: 3, type: T.int64, omitempty: true },
      {
        json: "conditions",
        tag: 6,
        type: list(msg("io.k8s.api.apps.v1.ReplicaSetCondition")),
        omitempty: true,
        listType: "map",
        listMapKeys: ["type"],
        patchStrategy: "merge",
        patchMergeKey: "type",
      },
    ],
  },
  {
    name: "io.k8s.api.apps.v1.RollingUpdateDeployment",
    fields: [
      { json: "maxUnavailable", tag: 1, type: T.intOrString, pointer: true, omitempty: true },
      { json: "maxSurge", tag: 2, type: T.intOrString, pointer: true, omitempty: true },
    ],
  },
];
