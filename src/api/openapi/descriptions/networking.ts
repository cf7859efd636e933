import type { Docs } from "./index.ts";

const N = "io.k8s.api.networking.v1";
const D = "io.k8s.api.discovery.v1";

export const networkingDocs: Docs = {
  [`${N}.Ingress`]: {
    "": "HTTP(S) routing from outside the cluster to Services, by host name and URL path, served by an ingress controller. Can also terminate TLS.",
    spec: "The routing rules, TLS settings and the controller class.",
    status: "Where the ingress is reachable. Written by the ingress controller.",
  },
  [`${N}.IngressSpec`]: {
    "": "The desired routing of an Ingress.",
    ingressClassName: "The IngressClass whose controller serves this Ingress; empty means the default class.",
    defaultBackend:
      "Where requests go that match no rule. Without it the controller decides (usually a 404).",
    tls: "TLS settings: which hosts are served over HTTPS and with which certificate.",
    rules:
      "Host and path rules. Requests are matched on host first, then on path; the most specific path wins.",
  },
  [`${N}.IngressRule`]: {
    "": "The paths of one host (or of every host, when host is empty).",
    host: "The host name this rule is for: a fully qualified DNS name, or a wildcard like *.example.com that matches exactly one leading label. Empty matches every host. Compared to the HTTP Host header (or :authority).",
    http: "The HTTP paths of this host.",
  },
  [`${N}.HTTPIngressRuleValue`]: {
    "": "A list of paths and their backends.",
    paths: "The paths of the host, each sending requests to a backend.",
  },
  [`${N}.HTTPIngressPath`]: {
    "": "A URL path and the backend its requests go to.",
    path: "The path to match, starting with '/'. How it is compared depends on pathType.",
    pathType:
      "How path is matched. Exact: the whole path, case-sensitive. Prefix: element-wise on '/'-separated segments, so /foo matches /foo and /foo/bar but not /foobar. ImplementationSpecific: up to the controller.",
    backend: "Where matching requests go.",
  },
  [`${N}.IngressBackend`]: {
    "": "A destination for requests: a Service port or another resource (only one of the two).",
    service: "The Service and port to send requests to.",
    resource:
      "A non-Service object to send requests to, such as a storage bucket, if the controller supports it.",
  },
  [`${N}.IngressServiceBackend`]: {
    "": "A Service port as a backend.",
    name: "The Service's name, in the Ingress's namespace.",
    port: "The Service port, by number or name.",
  },
  [`${N}.ServiceBackendPort`]: {
    "": "A Service port by name or number (only one of the two).",
    name: "The name of the Service port.",
    number: "The number of the Service port.",
  },
  [`${N}.IngressTLS`]: {
    "": "TLS for some hosts.",
    hosts:
      "The hosts the certificate is for; they should match the rules' hosts. Empty means the controller's default.",
    secretName:
      "The kubernetes.io/tls Secret with the certificate and key. Optional when TLS is only for SNI routing.",
  },
  [`${N}.IngressStatus`]: {
    "": "The observed state of an Ingress.",
    loadBalancer: "The addresses the ingress is served at.",
  },
  [`${N}.IngressLoadBalancerStatus`]: {
    "": "The addresses of an ingress.",
    ingress: "The addresses, one entry each.",
  },
  [`${N}.IngressLoadBalancerIngress`]: {
    "": "One address of an ingress.",
    ip: "An IP address.",
    hostname: "A DNS name.",
    ports: "The state of each port at this address.",
  },
  [`${N}.IngressPortStatus`]: {
    "": "The state of one port.",
    port: "The port number.",
    protocol: "TCP, UDP or SCTP.",
    error: "Why the port could not be set up; empty when it works.",
  },
  [`${N}.IngressClass`]: {
    "": "A kind of ingress, served by one controller. Ingresses name it in ingressClassName; the class annotated ingressclass.kubernetes.io/is-default-class=true is used when they name none.",
    spec: "The controller and its parameters.",
  },
  [`${N}.IngressClassSpec`]: {
    "": "The desired state of an IngressClass.",
    controller:
      "The name of the controller that serves this class, such as example.com/ingress-controller. Cannot be changed.",
    parameters: "A reference to an object with controller-specific settings.",
  },
  [`${N}.IngressClassParametersReference`]: {
    "": "Points at the settings object of an IngressClass.",
    apiGroup: "The API group of the object.",
    kind: "The object's kind.",
    name: "The object's name.",
    scope: "Cluster (the default) or Namespace.",
    namespace: "The object's namespace, when scope is Namespace.",
  },
  [`${D}.EndpointSlice`]: {
    "": "A piece of the endpoints of a Service: up to 100 endpoints of one address type with the same ports. The service's slices carry the label kubernetes.io/service-name.",
    addressType: "IPv4, IPv6 or FQDN: the kind of address every endpoint here has. Cannot be changed.",
    endpoints: "The endpoints in this slice.",
    ports:
      "The ports every endpoint in this slice serves. Empty means no ports are defined; a port with no name and number means all ports.",
  },
  [`${D}.Endpoint`]: {
    "": "One backend of a Service.",
    addresses: "The endpoint's addresses, of the slice's addressType. Consumers use the first one.",
    conditions: "Whether the endpoint is ready, serving and terminating.",
    hostname: "The endpoint's hostname, used for DNS records of headless Services.",
    targetRef: "The object (usually a Pod) behind this endpoint.",
    deprecatedTopology: "Deprecated topology labels; use nodeName and zone.",
    nodeName: "The node the endpoint runs on.",
    zone: "The zone the endpoint is in.",
    hints: "Where this endpoint should preferably be used, for topology-aware routing.",
  },
  [`${D}.EndpointConditions`]: {
    "": "The state of an endpoint.",
    ready:
      "Whether the endpoint should get new traffic. Unset means ready; false while terminating, whatever serving says.",
    serving: "Whether the endpoint passes its readiness checks, also while terminating.",
    terminating: "Whether the endpoint is shutting down.",
  },
  [`${D}.EndpointPort`]: {
    "": "A port of the endpoints in a slice.",
    name: "The name of the matching Service port.",
    protocol: "TCP (the default), UDP or SCTP.",
    port: "The port number; unset means every port.",
    appProtocol: "The application protocol on this port.",
  },
  [`${D}.EndpointHints`]: {
    "": "Topology hints for an endpoint.",
    forZones: "The zones that should use this endpoint.",
    forNodes: "The nodes that should use this endpoint.",
  },
};
