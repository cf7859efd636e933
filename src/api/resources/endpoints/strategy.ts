/** Endpoints strategy as kube's ValidateEndpoints (pkg/apis/core/validation) and SetDefaults_Endpoints. */
import { isIP } from "node:net";
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import type { KubeObject } from "../../machinery/types.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidPortNum,
} from "../../machinery/validation/names.ts";
import { arr, isSet, obj, objects, setDefault, str } from "../pods/json.ts";
import type { Strategy } from "../types.ts";

const protocols = ["SCTP", "TCP", "UDP"];

/** kube's ValidateNonSpecialIP: endpoints may not point at unspecified, loopback or link-local IPs. */
export function nonSpecialIP(ip: string, p: FieldPath): FieldError[] {
  const family = isIP(ip);
  if (family === 0) return [fieldErrors.invalid(p, ip, "must be a valid IP address")];
  const errs: FieldError[] = [];
  const v4 = family === 4 ? ip.split(".").map(Number) : undefined;
  const v6 = ip.toLowerCase();
  if (v4 ? v4.every((x) => x === 0) : /^[0:]+$/.test(v6))
    errs.push(fieldErrors.invalid(p, ip, `may not be unspecified (${ip})`));
  if (v4 ? v4[0] === 127 : /^[0:]+:0*1$/.test(v6))
    errs.push(fieldErrors.invalid(p, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (v4 ? v4[0] === 169 && v4[1] === 254 : /^fe[89ab]/.test(v6))
    errs.push(fieldErrors.invalid(p, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : /^ff02:/.test(v6))
    errs.push(
      fieldErrors.invalid(p, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"),
    );
  return errs;
}

function validateAddress(raw: unknown, p: FieldPath): FieldError[] {
  const a = obj(raw);
  const ip = str(a.ip);
  const errs = isValidIP(ip).map((m) => fieldErrors.invalid(p.child("ip"), ip, m));
  const host = str(a.hostname);
  if (host !== "")
    for (const m of isDNS1123Label(host)) errs.push(fieldErrors.invalid(p.child("hostname"), host, m));
  if (isSet(a.nodeName))
    for (const m of isDNS1123Subdomain(str(a.nodeName)))
      errs.push(fieldErrors.invalid(p.child("nodeName"), a.nodeName, m));
  errs.push(...nonSpecialIP(ip, p.child("ip")));
  return errs;
}

function validatePort(raw: unknown, requireName: boolean, p: FieldPath): FieldError[] {
  const port = obj(raw);
  const errs: FieldError[] = [];
  const name = str(port.name);
  if (requireName && name === "") errs.push(fieldErrors.required(p.child("name")));
  else if (name !== "")
    for (const m of isDNS1123Label(name)) errs.push(fieldErrors.invalid(p.child("name"), name, m));
  const num = typeof port.port === "number" ? port.port : 0;
  for (const m of isValidPortNum(num)) errs.push(fieldErrors.invalid(p.child("port"), num, m));
  const proto = str(port.protocol);
  if (proto === "") errs.push(fieldErrors.required(p.child("protocol")));
  else if (!protocols.includes(proto))
    errs.push(fieldErrors.notSupported(p.child("protocol"), proto, protocols));
  if (isSet(port.appProtocol))
    for (const m of isQualifiedName(str(port.appProtocol)))
      errs.push(fieldErrors.invalid(p.child("appProtocol"), port.appProtocol, m));
  return errs;
}

function validate(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(o.subsets).forEach((raw, i) => {
    const ss = obj(raw);
    const ip = FieldPath.root("subsets").index(i);
    if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0)
      errs.push(fieldErrors.required(ip, "must specify `addresses` or `notReadyAddresses`"));
    arr(ss.addresses).forEach((a, j) => {
      errs.push(...validateAddress(a, ip.child("addresses").index(j)));
    });
    arr(ss.notReadyAddresses).forEach((a, j) => {
      errs.push(...validateAddress(a, ip.child("notReadyAddresses").index(j)));
    });
    const ports = arr(ss.ports);
    ports.forEach((p, j) => {
      errs.push(...validatePort(p, ports.length > 1, ip.child("ports").index(j)));
    });
  });
  return errs;
}

export const strategy: Strategy = {
  // SetDefaults_Endpoints: ports default to TCP.
  defaults(o) {
    for (const ss of objects(o.subsets)) for (const p of objects(ss.ports)) setDefault(p, "protocol", "TCP");
  },
  validate,
};
