/** Every resource the apiserver serves, in discovery order. */
import { configmap } from "./configmaps/index.ts";
import { deployment } from "./deployments/index.ts";
import { endpoints } from "./endpoints/index.ts";
import { endpointslice } from "./endpointslices/index.ts";
import { event } from "./events/index.ts";
import { ingressclass } from "./ingressclasses/index.ts";
import { ingress } from "./ingresses/index.ts";
import { ipaddress } from "./ipaddresses/index.ts";
import { lease } from "./leases/index.ts";
import { namespace } from "./namespaces/index.ts";
import { node } from "./nodes/index.ts";
import { pod } from "./pods/index.ts";
import { replicaset } from "./replicasets/index.ts";
import { replicationcontroller } from "./replicationcontrollers/index.ts";
import { secret } from "./secrets/index.ts";
import { servicecidr } from "./servicecidrs/index.ts";
import { service } from "./services/index.ts";
import type { ResourceDef } from "./types.ts";

export const resources: ResourceDef[] = [
  namespace,
  pod,
  service,
  endpoints,
  configmap,
  secret,
  event,
  node,
  replicationcontroller,
  deployment,
  replicaset,
  endpointslice,
  ingress,
  ingressclass,
  servicecidr,
  ipaddress,
  lease,
];
