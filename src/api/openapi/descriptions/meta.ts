import type { Docs } from "./index.ts";

const M = "io.k8s.apimachinery.pkg.apis.meta.v1";

export const metaDocs: Docs = {
  [`${M}.ObjectMeta`]: {
    "": "The metadata every persisted object carries: identity, labels and annotations, ownership and the server's bookkeeping.",
    name: "The object's name, unique among objects of its kind in its namespace. Set on create (or generated from generateName) and fixed afterwards.",
    generateName:
      "A prefix the server completes with random characters when name is empty, giving a unique name. The server answers 409 if the generated name is taken.",
    namespace:
      'The namespace the object lives in. Empty means "default" for namespaced kinds; cluster-scoped kinds have none. Fixed after creation.',
    selfLink: "Deprecated and always empty: the server no longer fills it in.",
    uid: "A unique identifier the server assigns on creation; it never repeats, so it tells a re-created object from the old one. Read-only.",
    resourceVersion:
      "An opaque value that changes with every write. Send it back on update for optimistic concurrency (a stale value gets 409), or give it to list and watch to start from that point. Read-only.",
    generation: "A counter of changes to the desired state (spec), increased by the server. Read-only.",
    creationTimestamp: "When the server stored the object first, in UTC. Read-only.",
    deletionTimestamp:
      "When deletion was requested and the object is waiting for its finalizers or grace period. Set by the server; once set it only moves earlier. Read-only.",
    deletionGracePeriodSeconds:
      "The seconds left for graceful termination once deletion is requested. Read-only.",
    labels:
      "Key/value pairs for grouping and selecting objects; Services, ReplicaSets and selectors match on them. Keys are an optional DNS prefix and a name.",
    annotations: "Free-form key/value data for tools and people. Not used for selection.",
    ownerReferences:
      "The objects this one depends on. When every owner is gone the garbage collector deletes this object; at most one owner can be the managing controller.",
    finalizers:
      "Names of cleanups that must finish before the object is removed. While any remain, deletion only sets deletionTimestamp.",
    managedFields:
      "Which field manager set which fields, kept by server-side apply. Usually not edited by hand.",
  },
  [`${M}.ListMeta`]: {
    "": "Metadata of a list response.",
    selfLink: "Deprecated and always empty.",
    resourceVersion:
      "The version of the data this list was read at; start a watch from it to see every later change.",
    continue:
      "Set when the list was cut short by limit: pass it back to get the next page. Pages may expire (410).",
    remainingItemCount: "An estimate of how many items the following pages hold, when the server can tell.",
  },
  [`${M}.LabelSelector`]: {
    "": "Selects objects by label. matchLabels and matchExpressions must all hold (AND). An empty selector matches everything; a missing one matches nothing.",
    matchLabels:
      "Labels that must be present with exactly these values. Each pair is the same as a matchExpressions entry with operator In and one value.",
    matchExpressions: "Label conditions that must all hold.",
  },
  [`${M}.LabelSelectorRequirement`]: {
    "": "One label condition: a key, an operator and values.",
    key: "The label key the condition is about.",
    operator: "How the label's value is compared: In, NotIn, Exists or DoesNotExist.",
    values: "The values for In and NotIn (must not be empty); must be empty for Exists and DoesNotExist.",
  },
  [`${M}.OwnerReference`]: {
    "": "Points at an owner of this object, in the same namespace (or cluster-scoped).",
    apiVersion: "The owner's API version.",
    kind: "The owner's kind.",
    name: "The owner's name.",
    uid: "The owner's uid: a re-created owner with the same name is a different owner.",
    controller: "True when the owner is the controller that manages this object. Only one owner may say so.",
    blockOwnerDeletion: "With foreground deletion, the owner is not removed until this object is gone.",
  },
  [`${M}.ManagedFieldsEntry`]: {
    "": "The fields one manager set through one kind of operation.",
    manager: "The name of the field manager.",
    operation: "Apply or Update: how the fields were set.",
    apiVersion: "The version of the object the fields are described in.",
    time: "When this entry last changed.",
    fieldsType: "The format of fieldsV1; always FieldsV1.",
    fieldsV1: "The owned fields, as a tree.",
    subresource: "The subresource the change went through (such as status), or empty for the main resource.",
  },
  [`${M}.Condition`]: {
    "": "One observation about the state of an object.",
    type: "What the condition is about, in CamelCase.",
    status: "True, False or Unknown.",
    observedGeneration: "The metadata.generation the condition was computed from.",
    lastTransitionTime: "When status last changed.",
    reason: "A CamelCase word for why status has its value.",
    message: "A human-readable explanation.",
  },
  [`${M}.Status`]: {
    "": "The outcome of an operation that does not return an object, and the shape of every error.",
    status: "Success or Failure.",
    message: "What happened, for people.",
    reason: "A CamelCase reason clients can act on, such as NotFound or Conflict.",
    details: "More about the object the error concerns and its causes.",
    code: "The HTTP status code.",
  },
  [`${M}.DeleteOptions`]: {
    "": "Options for a delete request.",
    gracePeriodSeconds: "Seconds to wait before deleting; zero means at once.",
    preconditions: "Conditions the object must meet to be deleted.",
    orphanDependents: "Deprecated; use propagationPolicy.",
    propagationPolicy: "Orphan, Background or Foreground: what happens to owned objects.",
    dryRun: "All: run the request without storing anything.",
  },
  [`${M}.WatchEvent`]: {
    "": "One event of a watch stream.",
    type: "ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.",
    object: "The object after the change; a Status for ERROR; only metadata.resourceVersion for BOOKMARK.",
  },
};
