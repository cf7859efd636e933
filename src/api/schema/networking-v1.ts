// Types of io.k8s.api.networking.v1 reachable from the served kinds (Kubernetes v1.33 API):
// field numbers, json names and list/patch markers as the published API defines them.
import { list, msg, T, type TypeDef } from "./types.ts";

export const networkingV1Types: TypeDef[] = [
  {
    name: "io.k8s.api.networking.v1.HTTPIngressPath",
    fields: [
      { json: "path", tag: 1, type: T.string, omitempty: true },
      { json: "pathType", tag: 3, type: T.string, pointer: true, required: true },
      { json: "backend", tag: 2, type: msg("io.k8s.api.networking.v1.IngressBackend"), required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.HTTPIngressRuleValue",
    fields: [
      {
        json: "paths",
        tag: 1,
        type: list(msg("io.k8s.api.networking.v1.HTTPIngressPath")),
        required: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IPAddress",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.networking.v1.IPAddressSpec"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IPAddressList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.networking.v1.IPAddress")), required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IPAddressSpec",
    fields: [
      {
        json: "parentRef",
        tag: 1,
        type: msg("io.k8s.api.networking.v1.ParentReference"),
        pointer: true,
        omitempty: true,
        required: true,
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.Ingress",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.networking.v1.IngressSpec"), omitempty: true },
      { json: "status", tag: 3, type: msg("io.k8s.api.networking.v1.IngressStatus"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressBackend",
    fields: [
      {
        json: "service",
        tag: 4,
        type: msg("io.k8s.api.networking.v1.IngressServiceBackend"),
        pointer: true,
        omitempty: true,
      },
      {
        json: "resource",
        tag: 3,
        type: msg("io.k8s.api.core.v1.TypedLocalObjectReference"),
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressClass",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.networking.v1.IngressClassSpec"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressClassList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.networking.v1.IngressClass")), required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressClassParametersReference",
    fields: [
      { json: "apiGroup", tag: 1, type: T.string, pointer: true, omitempty: true },
      { json: "kind", tag: 2, type: T.string, required: true },
      { json: "name", tag: 3, type: T.string, required: true },
      { json: "scope", tag: 4, type: T.string, pointer: true },
      { json: "namespace", tag: 5, type: T.string, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressClassSpec",
    fields: [
      { json: "controller", tag: 1, type: T.string, omitempty: true },
      {
        json: "parameters",
        tag: 2,
        type: msg("io.k8s.api.networking.v1.IngressClassParametersReference"),
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.networking.v1.Ingress")), required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressLoadBalancerIngress",
    fields: [
      { json: "ip", tag: 1, type: T.string, omitempty: true },
      { json: "hostname", tag: 2, type: T.string, omitempty: true },
      {
        json: "ports",
        tag: 4,
        type: list(msg("io.k8s.api.networking.v1.IngressPortStatus")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressLoadBalancerStatus",
    fields: [
      {
        json: "ingress",
        tag: 1,
        type: list(msg("io.k8s.api.networking.v1.IngressLoadBalancerIngress")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressPortStatus",
    fields: [
      { json: "port", tag: 1, type: T.int32, required: true },
      { json: "protocol", tag: 2, type: T.string, required: true },
      { json: "error", tag: 3, type: T.string, pointer: true, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressRule",
    fields: [
      { json: "host", tag: 1, type: T.string, omitempty: true },
      { json: "", tag: 2, type: msg("io.k8s.api.networking.v1.IngressRuleValue"), inline: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressRuleValue",
    fields: [
      {
        json: "http",
        tag: 1,
        type: msg("io.k8s.api.networking.v1.HTTPIngressRuleValue"),
        pointer: true,
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressServiceBackend",
    fields: [
      { json: "name", tag: 1, type: T.string, required: true },
      { json: "port", tag: 2, type: msg("io.k8s.api.networking.v1.ServiceBackendPort"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressSpec",
    fields: [
      { json: "ingressClassName", tag: 4, type: T.string, pointer: true, omitempty: true },
      {
        json: "defaultBackend",
        tag: 1,
        type: msg("io.k8s.api.networking.v1.IngressBackend"),
        pointer: true,
        omitempty: true,
      },
      {
        json: "tls",
        tag: 2,
        type: list(msg("io.k8s.api.networking.v1.IngressTLS")),
        omitempty: true,
        listType: "atomic",
      },
      {
        json: "rules",
        tag: 3,
        type: list(msg("io.k8s.api.networking.v1.IngressRule")),
        omitempty: true,
        listType: "atomic",
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressStatus",
    fields: [
      {
        json: "loadBalancer",
        tag: 1,
        type: msg("io.k8s.api.networking.v1.IngressLoadBalancerStatus"),
        omitempty: true,
      },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.IngressTLS",
    fields: [
      { json: "hosts", tag: 1, type: list(T.string), omitempty: true, listType: "atomic" },
      { json: "secretName", tag: 2, type: T.string, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.ParentReference",
    fields: [
      { json: "group", tag: 1, type: T.string, omitempty: true },
      { json: "resource", tag: 2, type: T.string, omitempty: true, required: true },
      { json: "namespace", tag: 3, type: T.string, omitempty: true },
      { json: "name", tag: 4, type: T.string, omitempty: true, required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.ServiceBackendPort",
    structType: "atomic",
    fields: [
      { json: "name", tag: 1, type: T.string, omitempty: true },
      { json: "number", tag: 2, type: T.int32, omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.ServiceCIDR",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
        omitempty: true,
      },
      { json: "spec", tag: 2, type: msg("io.k8s.api.networking.v1.ServiceCIDRSpec"), omitempty: true },
      { json: "status", tag: 3, type: msg("io.k8s.api.networking.v1.ServiceCIDRStatus"), omitempty: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.ServiceCIDRList",
    fields: [
      { json: "apiVersion", tag: 0, type: T.string, omitempty: true },
      { json: "kind", tag: 0, type: T.string, omitempty: true },
      {
        json: "metadata",
        tag: 1,
        type: msg("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
        omitempty: true,
      },
      { json: "items", tag: 2, type: list(msg("io.k8s.api.networking.v1.ServiceCIDR")), required: true },
    ],
  },
  {
    name: "io.k8s.api.networking.v1.ServiceCIDRSpec",
    fields: [{ json: "cidrs", tag: 1, type: list(T.string), omitempty: true, listType: "atomic" }],
  },
  {
    name: "io.k8s.api.networking.v1.ServiceCIDRStatus",
    fields: [
      {
        json: "conditions",
        tag: 1,
        type: list(msg("io.k8s.apimachinery.pkg.apis.meta.v1.Condition")),
        omitempty: true,
        listType: "map",
        listMapKeys: ["type"],
        patchStrategy: "merge",
        patchMergeKey: "type",
      },
    ],
  },
];
