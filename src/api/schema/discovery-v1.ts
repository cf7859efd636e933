// Types of io.k8s.api.discovery.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { list, map, msg, T, type TypeDef } from "./types.ts";

export const discoveryV1Types: TypeDef[] = [
  {
    name: "io.k8s.api.discovery.v1.Endpoint",
    fields: [
      { json: "addresses", tag: 1, type: list(T.string), required: true, listType: "set" },
      {
        json: "conditions",
        tag: 2,
        type: msg("io.k8s.api.discovery.v1.EndpointConditions"),
        omitempty: true,
      },
      { json: "hostname", tag: 3, type: T.string, pointer: true, omitempty: true },
      {
        json: "targetRef",
        tag: 4,
        type: msg("io.k8s.api.core.v1.ObjectReference"),
        pointer: true,
        omitempty: true,
      },
      { json: "deprecatedTopology", tag: 5, type: map(T.string), omitempty: true },
      { json: "nodeName", tag: 6, type: T.string, pointer: true, omitempty: true },
      { json: "zone", tag: 7, type: T.string, pointer: true, omitempty: true },
      {
        json: "hints",
        tag: 8,
        type: msg("io.k8s.api.discovery.v1.EndpointHints"),
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.EndpointConditions",
    fields: [
      { json: "ready", tag: 1, type: T.bool, pointer: true, omitempty: true },
      { json: "serving", tag: 2, type: T.bool, pointer: true, omitempty: true },
      { json: "terminating", tag: 3, type: T.bool, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.EndpointHints",
    fields: [
      {
        json: "forZones",
        tag: 1,
        type: list(msg("io.k8s.api.discovery.v1.ForZone")),
        omitempty: true,
        listType: "atomic",
      },
      {
        json: "forNodes",
        tag: 2,
        type: list(msg("io.k8s.api.discovery.v1.ForNode")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.EndpointPort",
    structType: "atomic",
    fields: [
      { json: "name", tag: 1, type: T.string, pointer: true, omitempty: true },
      { json: "protocol", tag: 2, type: T.string, pointer: true, omitempty: true },
      { json: "port", tag: 3, type: T.int32, pointer: true, omitempty: true },
      { json: "appProtocol", tag: 4, type: T.string, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.EndpointSlice",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "addressType", tag: 4, type: T.string, required: true },
      {
        json: "endpoints",
        tag: 2,
        type: list(msg("io.k8s.api.discovery.v1.Endpoint")),
        required: true,
        listType: "atomic",
      },
      { json: "ports", tag: 3, type: list(msg("io.k8s.api.discovery.v1.EndpointPort")), listType: "atomic" },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.EndpointSliceList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.discovery.v1.EndpointSlice")), required: true },
    ],
  },
  {
    name: "io.k8s.api.discovery.v1.ForNode",
    fields: [{ json: "name", tag: 1, type: T.string, required: true }],
  },
  {
    name: "io.k8s.api.discovery.v1.ForZone",
    fields: [{ json: "name", tag: 1, type: T.string, required: true }],
  },
];
