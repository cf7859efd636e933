// Types of io.k8s.apimachinery.pkg.apis.meta.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { list, map, msg, T, type TypeDef } from "./types.ts";

export const metaV1Types: TypeDef[] = [
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
    fields: [
      { json: "type", tag: 1, type: T.string, required: true },
      { json: "status", tag: 2, type: T.string, required: true },
      { json: "observedGeneration", tag: 3, type: T.int64, omitempty: true },
      { json: "lastTransitionTime", tag: 4, type: T.time, required: true },
      { json: "reason", tag: 5, type: T.string, required: true },
      { json: "message", tag: 6, type: T.string, required: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      { json: "gracePeriodSeconds", tag: 1, type: T.int64, pointer: true, omitempty: true },
      {
        json: "preconditions",
        tag: 2,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions"),
        pointer: true,
        omitempty: true,
      },
      { json: "orphanDependents", tag: 3, type: T.bool, pointer: true, omitempty: true },
      { json: "propagationPolicy", tag: 4, type: T.string, pointer: true, omitempty: true },
      { json: "dryRun", tag: 5, type: list(T.string), omitempty: true, listType: "atomic" },
      {
        json: "ignoreStoreReadErrorWithClusterBreakingPotential",
        tag: 6,
        type: T.bool,
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    structType: "atomic",
    fields: [
      { json: "matchLabels", tag: 1, type: map(T.string), omitempty: true },
      {
        json: "matchExpressions",
        tag: 2,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
    fields: [
      { json: "key", tag: 1, type: T.string, required: true },
      { json: "operator", tag: 2, type: T.string, required: true },
      { json: "values", tag: 3, type: list(T.string), omitempty: true, listType: "atomic" },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
    fields: [
      { json: "selfLink", tag: 1, type: T.string, omitempty: true },
      { json: "resourceVersion", tag: 2, type: T.string, omitempty: true },
      { json: "continue", tag: 3, type: T.string, omitempty: true },
      { json: "remainingItemCount", tag: 4, type: T.int64, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
    fields: [
      { json: "manager", tag: 1, type: T.string, omitempty: true },
      { json: "operation", tag: 2, type: T.string, omitempty: true },
      { json: "apiVersion", tag: 3, type: T.string, omitempty: true },
      { json: "time", tag: 4, type: T.time, pointer: true, omitempty: true },
      { json: "fieldsType", tag: 6, type: T.string, omitempty: true },
      { json: "fieldsV1", tag: 7, type: T.fieldsV1, pointer: true, omitempty: true },
      { json: "subresource", tag: 8, type: T.string, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    fields: [
      { json: "name", tag: 1, type: T.string, omitempty: true },
      { json: "generateName", tag: 2, type: T.string, omitempty: true },
      { json: "namespace", tag: 3, type: T.string, omitempty: true },
      { json: "selfLink", tag: 4, type: T.string, omitempty: true },
      { json: "uid", tag: 5, type: T.string, omitempty: true },
      { json: "resourceVersion", tag: 6, type: T.string, omitempty: true },
      { json: "generation", tag: 7, type: T.int64, omitempty: true },
      { json: "creationTimestamp", tag: 8, type: T.time, omitempty: true },
      { json: "deletionTimestamp", tag: 9, type: T.time, pointer: true, omitempty: true },
      { json: "deletionGracePeriodSeconds", tag: 10, type: T.int64, pointer: true, omitempty: true },
      { json: "labels", tag: 11, type: map(T.string), omitempty: true },
      { json: "annotations", tag: 12, type: map(T.string), omitempty: true },
      {
        json: "ownerReferences",
        tag: 13,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference")),
        omitempty: true,
        listType: "map",
        listMapKeys: ["uid"],
        patchStrategy: "merge",
        patchMergeKey: "uid",
      },
      {
        json: "finalizers",
        tag: 14,
        type: list(T.string),
        omitempty: true,
        listType: "set",
        patchStrategy: "merge",
      },
      {
        json: "managedFields",
        tag: 17,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
    structType: "atomic",
    fields: [
      { json: "apiVersion", tag: 5, type: T.string, required: true },
      { json: "kind", tag: 1, type: T.string, required: true },
      { json: "name", tag: 3, type: T.string, required: true },
      { json: "uid", tag: 4, type: T.string, required: true },
      { json: "controller", tag: 6, type: T.bool, pointer: true, omitempty: true },
      { json: "blockOwnerDeletion", tag: 7, type: T.bool, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      {
        json: "items",
        tag: 2,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadata")),
        required: true,
      },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
    fields: [
      { json: "uid", tag: 1, type: T.string, pointer: true, omitempty: true },
      { json: "resourceVersion", tag: 2, type: T.string, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "status", tag: 2, type: T.string, omitempty: true },
      { json: "message", tag: 3, type: T.string, omitempty: true },
      { json: "reason", tag: 4, type: T.string, omitempty: true },
      {
        json: "details",
        tag: 5,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails"),
        pointer: true,
        omitempty: true,
        listType: "atomic",
      },
      { json: "code", tag: 6, type: T.int32, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
    fields: [
      { json: "reason", tag: 1, type: T.string, omitempty: true },
      { json: "message", tag: 2, type: T.string, omitempty: true },
      { json: "field", tag: 3, type: T.string, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
    fields: [
      { json: "name", tag: 1, type: T.string, omitempty: true },
      { json: "group", tag: 2, type: T.string, omitempty: true },
      { json: "kind", tag: 3, type: T.string, omitempty: true },
      { json: "uid", tag: 6, type: T.string, omitempty: true },
      {
        json: "causes",
        tag: 4,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause")),
        omitempty: true,
        listType: "atomic",
      },
      { json: "retryAfterSeconds", tag: 5, type: T.int32, omitempty: true },
    ],
  },
  {
    name: "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
    fields: [
      { json: "type", tag: 1, type: T.string, required: true },
      { json: "object", tag: 2, type: T.rawExtension, required: true },
    ],
  },
];
