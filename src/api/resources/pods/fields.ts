import type { FieldGetters } from "../types.ts";
import { arr, obj, str } from "./json.ts";

/** kube's pod ToSelectableFields (pkg/registry/core/pod/strategy.go). */
export const fields: FieldGetters = {
  "spec.nodeName": (o) => str(obj(o.spec).nodeName),
  "spec.restartPolicy": (o) => str(obj(o.spec).restartPolicy),
  "spec.schedulerName": (o) => str(obj(o.spec).schedulerName),
  "spec.serviceAccountName": (o) => str(obj(o.spec).serviceAccountName),
  "spec.hostNetwork": (o) => String(obj(o.spec).hostNetwork === true),
  "status.phase": (o) => str(obj(o.status).phase),
  // status.podIP is read from podIPs[0], as kube does; podIPs is accepted but never set (always "").
  "status.podIP": (o) => str(obj(arr(obj(o.status).podIPs)[0]).ip) || str(obj(o.status).podIP),
  "status.podIPs": () => "",
  "status.nominatedNodeName": (o) => str(obj(o.status).nominatedNodeName),
};
