/**
 * EndpointSlice validation as kube-apiserver does it (pkg/apis/discovery/validation/validation.go).
 * Metadata is validated by the server.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { isObject, type JsonObject, type KubeObject } from "../../machinery/types.ts";
import { validateImmutable, validateLabels } from "../../machinery/validation/meta.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "../../machinery/validation/names.ts";
import { isValidIPv4, isValidIPv6, nonSpecialIPErrors } from "../../machinery/validation/net.ts";

export const addressTypes = ["FQDN", "IPv4", "IPv6"];
const protocols = ["SCTP", "TCP", "UDP"];
const maxTopologyLabels = 16;
const maxAddresses = 100;
const maxPorts = 20000;
const maxEndpoints = 1000;
const maxZoneHints = 8;

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objOf = (v: unknown): JsonObject => (isObject(v) ? v : {});
const set = (o: JsonObject, k: string) => o[k] !== undefined && o[k] !== null;

/** apimachinery's IsFullyQualifiedDomainName. */
export function fqdnErrors(name: string, p: FieldPath): FieldError[] {
  if (name === "") return [fieldErrors.required(p)];
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  const sub = isDNS1123Subdomain(n);
  if (sub.length > 0) return [fieldErrors.invalid(p, n, sub.join(","))];
  const labels = n.split(".");
  if (labels.length < 2)
    return [fieldErrors.invalid(p, n, "should be a domain with at least two segments separated by dots")];
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length > 0) return [fieldErrors.invalid(p, l, e.join(","))];
  }
  return [];
}

function validateAddress(addr: string, type: string, p: FieldPath): FieldError[] {
  // Unknown types fall through unvalidated, as in kube.
  const ipErrs = (fam: string[]) =>
    [...fam, ...nonSpecialIPErrors(addr)].map((m) => fieldErrors.invalid(p, addr, m));
  if (type === "IPv4") return ipErrs(isValidIPv4(addr));
  if (type === "IPv6") return ipErrs(isValidIPv6(addr));
  if (type === "FQDN") return fqdnErrors(addr, p);
  return [];
}

function validateEndpoint(ep: JsonObject, type: string, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const addrPath = p.child("addresses");
  const addrs = list(ep.addresses).map(str);
  if (addrs.length === 0) errs.push(fieldErrors.required(addrPath, "must contain at least 1 address"));
  else if (addrs.length > maxAddresses) errs.push(fieldErrors.tooMany(addrPath, addrs.length, maxAddresses));
  addrs.forEach((a, i) => {
    errs.push(...validateAddress(a, type, addrPath.index(i)));
  });
  if (set(ep, "nodeName")) {
    const nn = str(ep.nodeName);
    for (const m of isDNS1123Subdomain(nn)) errs.push(fieldErrors.invalid(p.child("nodeName"), nn, m));
  }
  const topoPath = p.child("deprecatedTopology");
  const topo = objOf(ep.deprecatedTopology);
  if (Object.keys(topo).length > maxTopologyLabels)
    errs.push(fieldErrors.tooMany(topoPath, Object.keys(topo).length, maxTopologyLabels));
  errs.push(...validateLabels(topo, topoPath));
  if (set(ep, "hostname")) {
    const h = str(ep.hostname);
    for (const m of isDNS1123Label(h)) errs.push(fieldErrors.invalid(p.child("hostname"), h, m));
  }
  if (set(ep, "hints")) {
    const zonesPath = p.child("hints", "forZones");
    const zones = list(objOf(ep.hints).forZones).map(objOf);
    if (zones.length > maxZoneHints) errs.push(fieldErrors.tooMany(zonesPath, zones.length, maxZoneHints));
    else {
      const seen = new Set<string>();
      zones.forEach((z, i) => {
        const zp = zonesPath.index(i).child("name");
        const name = str(z.name);
        if (seen.has(name)) errs.push(fieldErrors.duplicate(zp, name));
        else seen.add(name);
        for (const m of isValidLabelValue(name)) errs.push(fieldErrors.invalid(zp, name, m));
      });
    }
  }
  return errs;
}

function validatePorts(ports: JsonObject[], p: FieldPath): FieldError[] {
  if (ports.length > maxPorts) return [fieldErrors.tooMany(p, ports.length, maxPorts)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const ip = p.index(i);
    const name = str(port.name);
    if (name !== "")
      for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(ip.child("name"), name, m));
    if (names.has(name)) errs.push(fieldErrors.duplicate(ip.child("name"), name));
    else names.add(name);
    if (!set(port, "protocol")) errs.push(fieldErrors.required(ip.child("protocol")));
    else if (!protocols.includes(str(port.protocol)))
      errs.push(fieldErrors.notSupported(ip.child("protocol"), port.protocol, protocols));
    if (set(port, "appProtocol")) {
      const ap = str(port.appProtocol);
      for (const m of isQualifiedName(ap)) errs.push(fieldErrors.invalid(ip.child("appProtocol"), ap, m));
    }
  });
  return errs;
}

/** kube's ValidateEndpointSlice, minus ObjectMeta. */
export function validateEndpointSlice(eps: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(eps.addressType);
  const typePath = FieldPath.root("addressType");
  if (type === "") errs.push(fieldErrors.required(typePath));
  else if (!addressTypes.includes(type)) errs.push(fieldErrors.notSupported(typePath, type, addressTypes));
  const epPath = FieldPath.root("endpoints");
  const endpoints = list(eps.endpoints).map(objOf);
  if (endpoints.length > maxEndpoints) errs.push(fieldErrors.tooMany(epPath, endpoints.length, maxEndpoints));
  else
    endpoints.forEach((ep, i) => {
      errs.push(...validateEndpoint(ep, type, epPath.index(i)));
    });
  errs.push(...validatePorts(list(eps.ports).map(objOf), FieldPath.root("ports")));
  return errs;
}

/** The update-only part of ValidateEndpointSliceUpdate: addressType is immutable. */
export function validateEndpointSliceUpdate(eps: KubeObject, old: KubeObject): FieldError[] {
  return validateImmutable(str(eps.addressType), str(old.addressType), "addressType");
}
