// Types of io.k8s.api.autoscaling.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { msg, T, type TypeDef } from "./types.ts";

export const autoscalingV1Types: TypeDef[] = [
  {
    name: "io.k8s.api.autoscaling.v1.Scale",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.autoscaling.v1.ScaleSpec"), omitempty: true },
      { json: "status", tag: 3, type: msg("io.k8s.api.autoscaling.v1.ScaleStatus"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.autoscaling.v1.ScaleSpec",
    fields: [{ json: "replicas", tag: 1, type: T.int32, omitempty: true }],
  },
  {
    name: "io.k8s.api.autoscaling.v1.ScaleStatus",
    fields: [
      { json: "replicas", tag: 1, type: T.int32, required: true },
      { json: "selector", tag: 2, type: T.string, omitempty: true },
    ],
  },
];
