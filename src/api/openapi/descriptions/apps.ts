import type { Docs } from "./index.ts";

const A = "io.k8s.api.apps.v1";

export const appsDocs: Docs = {
  [`${A}.Deployment`]: {
    "": "Runs a number of identical Pods and rolls out changes to them: each change of the template creates a new ReplicaSet, scaled up while the old ones are scaled down.",
    spec: "The desired state: the Pod template, the replica count and the rollout strategy.",
    status: "The progress of the Deployment. Written by the controller.",
  },
  [`${A}.DeploymentSpec`]: {
    "": "The desired state of a Deployment.",
    replicas: "How many Pods to run (1 by default). Also set through the scale subresource.",
    selector:
      "Which Pods belong to the Deployment; must match the template's labels and cannot change in apps/v1.",
    template: "The Pod blueprint. Changing it starts a rollout.",
    strategy: "How old Pods are replaced by new ones.",
    minReadySeconds:
      "How long a new Pod must be ready, without crashing, before it counts as available (0 by default).",
    revisionHistoryLimit: "How many old ReplicaSets to keep for rollbacks (10 by default).",
    paused: "While true, template changes do not start a rollout.",
    progressDeadlineSeconds:
      "Seconds a rollout may go without progress before the Deployment reports it as failed (600 by default).",
  },
  [`${A}.DeploymentStrategy`]: {
    "": "How a Deployment replaces Pods.",
    type: "RollingUpdate (the default): replace Pods gradually. Recreate: remove all old Pods before creating new ones.",
    rollingUpdate: "Limits of a rolling update.",
  },
  [`${A}.RollingUpdateDeployment`]: {
    "": "How fast a rolling update goes.",
    maxUnavailable:
      "How many of the desired Pods may be unavailable during the update: a number or a percentage (rounded down). 25% by default. Cannot be 0 together with maxSurge.",
    maxSurge:
      "How many Pods may exist above the desired count during the update: a number or a percentage (rounded up). 25% by default.",
  },
  [`${A}.DeploymentStatus`]: {
    "": "The observed state of a Deployment.",
    observedGeneration: "The generation the controller has acted on.",
    replicas: "How many Pods the Deployment's ReplicaSets have.",
    updatedReplicas: "How many Pods run the current template.",
    readyReplicas: "How many Pods are ready.",
    availableReplicas: "How many Pods have been ready for minReadySeconds.",
    unavailableReplicas: "How many more Pods are needed before all desired ones are available.",
    terminatingReplicas: "How many Pods are shutting down.",
    conditions: "Available, Progressing and ReplicaFailure observations.",
    collisionCount: "Bumped when the name of a new ReplicaSet collides, to make the next name differ.",
  },
  [`${A}.DeploymentCondition`]: {
    "": "One observation about a Deployment.",
    type: "Available, Progressing or ReplicaFailure.",
    status: "True, False or Unknown.",
    lastUpdateTime: "When the condition was last refreshed.",
    lastTransitionTime: "When status last changed.",
    reason: "A CamelCase word for why.",
    message: "Details for people.",
  },
  [`${A}.ReplicaSet`]: {
    "": "Keeps a number of Pods matching a selector running, creating or deleting Pods as needed. Usually owned by a Deployment.",
    spec: "The desired replica count and Pod template.",
    status: "How many Pods exist and are ready. Written by the controller.",
  },
  [`${A}.ReplicaSetSpec`]: {
    "": "The desired state of a ReplicaSet.",
    replicas: "How many Pods to keep running (1 by default).",
    minReadySeconds: "How long a new Pod must be ready before it counts as available.",
    selector: "Which Pods belong to the ReplicaSet; must match the template's labels.",
    template: "The Pod blueprint for new replicas.",
  },
  [`${A}.ReplicaSetStatus`]: {
    "": "The observed state of a ReplicaSet.",
    replicas: "How many Pods exist.",
    fullyLabeledReplicas: "How many Pods carry all the template's labels.",
    readyReplicas: "How many Pods are ready.",
    availableReplicas: "How many Pods have been ready for minReadySeconds.",
    terminatingReplicas: "How many Pods are shutting down.",
    observedGeneration: "The generation this status describes.",
    conditions: "The latest observations of the ReplicaSet's state.",
  },
};
