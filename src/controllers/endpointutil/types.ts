/** The parts of core/v1 and discovery/v1 objects the endpoint controllers read and write. */
import type { KubeObject } from "../../api/machinery/types.ts";

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  apiVersion?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers?: Array<{ name: string; ports?: ContainerPort[] }>;
    initContainers?: Array<{ name: string; ports?: ContainerPort[]; restartPolicy?: string }>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
  };
}

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string> | null;
    clusterIP?: string;
    ipFamilies?: string[];
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

export interface Node extends KubeObject {}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

export type AddressType = "IPv4" | "IPv6" | "FQDN";

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: ObjectReference;
  hints?: unknown;
  deprecatedTopology?: Record<string, string>;
}

export interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType: AddressType;
  endpoints: SliceEndpoint[];
  ports?: SlicePort[] | null;
}

/** Well-known label and annotation keys (k8s.io/api/core/v1 and discovery/v1). */
export const labelServiceName = "kubernetes.io/service-name";
export const labelManagedBy = "endpointslice.kubernetes.io/managed-by";
export const labelSkipMirror = "endpointslice.kubernetes.io/skip-mirror";
export const labelHeadless = "service.kubernetes.io/headless";
export const annotationTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";
export const annotationOverCapacity = "endpoints.kubernetes.io/over-capacity";
export const annotationLeader = "control-plane.alpha.kubernetes.io/leader";
export const annotationLastApplied = "kubectl.kubernetes.io/last-applied-configuration";
export const labelZone = "topology.kubernetes.io/zone";
