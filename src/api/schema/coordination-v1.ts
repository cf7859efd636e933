// Types of io.k8s.api.coordination.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { list, msg, T, type TypeDef } from "./types.ts";

export const coordinationV1Types: TypeDef[] = [
  {
    name: "io.k8s.api.coordination.v1.Lease",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.coordination.v1.LeaseSpec"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.coordination.v1.LeaseList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.coordination.v1.Lease")), required: true },
    ],
  },
  {
    name: "io.k8s.api.coordination.v1.LeaseSpec",
    fields: [
      { json: "holderIdentity", tag: 1, type: T.string, pointer: true, omitempty: true },
      { json: "leaseDurationSeconds", tag: 2, type: T.int32, pointer: true, omitempty: true },
      { json: "acquireTime", tag: 3, type: T.microTime, pointer: true, omitempty: true },
      { json: "renewTime", tag: 4, type: T.microTime, pointer: true, omitempty: true },
      { json: "leaseTransitions", tag: 5, type: T.int32, pointer: true, omitempty: true },
      { json: "strategy", tag: 6, type: T.string, pointer: true, omitempty: true },
      { json: "preferredHolder", tag: 7, type: T.string, pointer: true, omitempty: true },
    ],
  },
];
