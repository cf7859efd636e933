/**
 * Pod spec validation as kube's pkg/apis/core/validation (ValidatePodSpec and friends), as deep
 * as the common fields: containers, ports, env, mounts, probes, resources, volumes, DNS,
 * tolerations. Shared by Pods and the pod templates of RC, ReplicaSet and Deployment.
 */
import { type FieldError, FieldPath, fieldErrors } from "../../machinery/field-errors.ts";
import { validateAnnotations, validateLabels } from "../../machinery/validation/meta.ts";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from "../../machinery/validation/names.ts";
import { arr, isSet, type Obj, obj, str } from "./json.ts";
import { parseQuantity, quantityRegexText } from "./quantity.ts";

const nonNegative = "must be greater than or equal to 0";
const int = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

function dnsLabel(v: string, p: FieldPath): FieldError[] {
  return isDNS1123Label(v).map((m) => fieldErrors.invalid(p, v, m));
}

function nonNegativeField(v: unknown, p: FieldPath): FieldError[] {
  const n = int(v);
  return n !== undefined && n < 0 ? [fieldErrors.invalid(p, n, nonNegative)] : [];
}

/** A port given as number or IANA name (validatePortNumOrName). */
function portNumOrName(v: unknown, p: FieldPath): FieldError[] {
  if (typeof v === "number") return isValidPortNum(v).map((m) => fieldErrors.invalid(p, v, m));
  if (typeof v === "string" && v !== "") {
    if (/^\d+$/.test(v)) return isValidPortNum(Number(v)).map((m) => fieldErrors.invalid(p, Number(v), m));
    return isValidPortName(v).map((m) => fieldErrors.invalid(p, v, m));
  }
  return [fieldErrors.required(p)];
}

const handlerKinds = ["exec", "httpGet", "tcpSocket", "grpc"];

function validateHandler(h: Obj, p: FieldPath, kinds = handlerKinds): FieldError[] {
  const errs: FieldError[] = [];
  const set = kinds.filter((k) => isSet(h[k]));
  if (set.length === 0) return [fieldErrors.required(p, "must specify a handler type")];
  for (const k of set.slice(1))
    errs.push(fieldErrors.forbidden(p.child(k), "may not specify more than 1 handler type"));
  const k = set[0];
  const v = obj(h[k]);
  if (k === "exec" && arr(v.command).length === 0)
    errs.push(fieldErrors.required(p.child("exec", "command")));
  if (k === "httpGet") {
    if (str(v.path) === "") errs.push(fieldErrors.required(p.child("httpGet", "path")));
    errs.push(...portNumOrName(v.port, p.child("httpGet", "port")));
    if (!["HTTP", "HTTPS"].includes(str(v.scheme)))
      errs.push(fieldErrors.notSupported(p.child("httpGet", "scheme"), v.scheme ?? "", ["HTTP", "HTTPS"]));
  }
  if (k === "tcpSocket") errs.push(...portNumOrName(v.port, p.child("tcpSocket", "port")));
  if (k === "grpc") {
    const port = int(v.port) ?? 0;
    errs.push(...isValidPortNum(port).map((m) => fieldErrors.invalid(p.child("grpc", "port"), port, m)));
  }
  return errs;
}

function validateProbe(
  probe: unknown,
  p: FieldPath,
  kind: "liveness" | "readiness" | "startup",
): FieldError[] {
  if (!isSet(probe)) return [];
  const pr = obj(probe);
  const errs = validateHandler(pr, p);
  for (const f of [
    "initialDelaySeconds",
    "timeoutSeconds",
    "periodSeconds",
    "successThreshold",
    "failureThreshold",
  ])
    errs.push(...nonNegativeField(pr[f], p.child(f)));
  const tgps = int(pr.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0)
    errs.push(fieldErrors.invalid(p.child("terminationGracePeriodSeconds"), tgps, "must be greater than 0"));
  // Liveness and startup probes only make sense with one success (validateContainersOnlyForPod).
  if (kind !== "readiness" && isSet(pr.successThreshold) && pr.successThreshold !== 1)
    errs.push(fieldErrors.invalid(p.child("successThreshold"), pr.successThreshold, "must be 1"));
  return errs;
}

const supportedProtocols = ["SCTP", "TCP", "UDP"];

function validateContainerPorts(ports: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((raw, i) => {
    const port = obj(raw);
    const ip = p.index(i);
    const name = str(port.name);
    if (name !== "") {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(fieldErrors.invalid(ip.child("name"), name, m));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(ip.child("name"), name));
      else names.add(name);
    }
    const cp = int(port.containerPort) ?? 0;
    if (cp === 0) errs.push(fieldErrors.required(ip.child("containerPort")));
    else for (const m of isValidPortNum(cp)) errs.push(fieldErrors.invalid(ip.child("containerPort"), cp, m));
    const hp = int(port.hostPort) ?? 0;
    if (hp !== 0)
      for (const m of isValidPortNum(hp)) errs.push(fieldErrors.invalid(ip.child("hostPort"), hp, m));
    const proto = str(port.protocol);
    if (proto === "") errs.push(fieldErrors.required(ip.child("protocol")));
    else if (!supportedProtocols.includes(proto))
      errs.push(fieldErrors.notSupported(ip.child("protocol"), proto, supportedProtocols));
    if (isSet(port.hostIP))
      for (const m of isValidIP(str(port.hostIP)))
        errs.push(fieldErrors.invalid(ip.child("hostIP"), port.hostIP, m));
  });
  return errs;
}

// RelaxedEnvironmentVariableValidation (on by default since 1.32): printable ASCII but '='.
const envNameMsg =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

function validateEnv(env: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((raw, i) => {
    const e = obj(raw);
    const ip = p.index(i);
    const name = str(e.name);
    if (name === "") errs.push(fieldErrors.required(ip.child("name")));
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name))
      errs.push(fieldErrors.invalid(ip.child("name"), name, envNameMsg));
    if (!isSet(e.valueFrom)) return;
    const vf = obj(e.valueFrom);
    const vp = ip.child("valueFrom");
    const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter((k) =>
      isSet(vf[k]),
    );
    if (str(e.value) !== "" && sources.length > 0)
      errs.push(fieldErrors.invalid(vp, "", "may not be specified when `value` is not empty"));
    if (sources.length === 0)
      errs.push(
        fieldErrors.invalid(
          vp,
          "",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ),
      );
    else if (sources.length > 1)
      errs.push(fieldErrors.invalid(vp, "", "may not have more than one field specified at a time"));
    if (isSet(vf.fieldRef) && str(obj(vf.fieldRef).fieldPath) === "")
      errs.push(fieldErrors.required(vp.child("fieldRef", "fieldPath")));
    if (isSet(vf.resourceFieldRef) && str(obj(vf.resourceFieldRef).resource) === "")
      errs.push(fieldErrors.required(vp.child("resourceFieldRef", "resource")));
    for (const k of ["configMapKeyRef", "secretKeyRef"]) {
      if (!isSet(vf[k])) continue;
      const ref = obj(vf[k]);
      if (str(ref.key) === "") errs.push(fieldErrors.required(vp.child(k, "key")));
      if (str(ref.name) === "") errs.push(fieldErrors.required(vp.child(k, "name")));
    }
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((raw, i) => {
    const e = obj(raw);
    const ip = p.index(i);
    const sources = ["configMapRef", "secretRef"].filter((k) => isSet(e[k]));
    if (sources.length === 0)
      errs.push(fieldErrors.invalid(ip, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (sources.length > 1)
      errs.push(fieldErrors.invalid(ip, "", "may not have more than one field specified at a time"));
    for (const k of sources)
      if (str(obj(e[k]).name) === "") errs.push(fieldErrors.required(ip.child(k, "name")));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  arr(mounts).forEach((raw, i) => {
    const m = obj(raw);
    const ip = p.index(i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (name === "") errs.push(fieldErrors.required(ip.child("name")));
    if (!volumes.has(name)) errs.push(fieldErrors.notFound(ip.child("name"), name));
    if (mountPath === "") errs.push(fieldErrors.required(ip.child("mountPath")));
    if (paths.has(mountPath))
      errs.push(fieldErrors.invalid(ip.child("mountPath"), mountPath, "must be unique"));
    paths.add(mountPath);
    const sub = str(m.subPath);
    if (sub.startsWith("/"))
      errs.push(fieldErrors.invalid(ip.child("subPath"), sub, "must be a relative path"));
    else if (sub.split("/").includes(".."))
      errs.push(fieldErrors.invalid(ip.child("subPath"), sub, "must not contain '..'"));
  });
  return errs;
}

const standardContainerResources = new Set(["cpu", "memory", "ephemeral-storage"]);
const isNative = (name: string) => !name.includes("/") || name.includes("kubernetes.io/");
const isHugePages = (name: string) => name.startsWith("hugepages-");
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function validateResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErrors.invalid(p, name, m));
  if (!name.includes("/")) {
    if (!standardContainerResources.has(name) && !isHugePages(name))
      errs.push(fieldErrors.invalid(p, name, "must be a standard resource for containers"));
  } else if (!isNative(name) && name.startsWith("requests.")) {
    errs.push(fieldErrors.invalid(p, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** kube's ValidateResourceRequirements for containers. */
export function validateResources(res: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const r = obj(res);
  const limits = obj(r.limits);
  const requests = obj(r.requests);
  const check = (name: string, q: unknown, fp: FieldPath): number | undefined => {
    errs.push(...validateResourceName(name, fp));
    const v = parseQuantity(q);
    if (v === undefined) {
      errs.push(
        fieldErrors.invalid(
          fp,
          q ?? null,
          `quantities must match the regular expression '${quantityRegexText}'`,
        ),
      );
      return undefined;
    }
    if (v < 0) errs.push(fieldErrors.invalid(fp, String(q), nonNegative));
    else if (!isNative(name) && !Number.isInteger(v))
      errs.push(fieldErrors.invalid(fp, String(q), "must be an integer"));
    return v;
  };
  for (const [name, q] of Object.entries(limits)) check(name, q, p.child("limits").key(name));
  for (const [name, q] of Object.entries(requests)) {
    const v = check(name, q, p.child("requests").key(name));
    if (v === undefined) continue;
    if (name in limits) {
      const lim = parseQuantity(limits[name]);
      if (lim === undefined) continue;
      if (v !== lim && !overcommitAllowed(name))
        errs.push(
          fieldErrors.invalid(
            p.child("requests"),
            String(q),
            `must be equal to ${name} limit of ${limits[name]}`,
          ),
        );
      else if (v > lim)
        errs.push(
          fieldErrors.invalid(
            p.child("requests"),
            String(q),
            `must be less than or equal to ${name} limit of ${limits[name]}`,
          ),
        );
    } else if (!overcommitAllowed(name)) {
      errs.push(
        fieldErrors.required(p.child("limits"), "Limit must be set for non overcommitable resources"),
      );
    }
  }
  return errs;
}

const pullPolicies = ["Always", "IfNotPresent", "Never"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];

function validateContainer(
  c: Obj,
  p: FieldPath,
  names: Set<string>,
  volumes: Set<string>,
  kind: "container" | "init" | "ephemeral",
): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (name === "") errs.push(fieldErrors.required(p.child("name")));
  else errs.push(...dnsLabel(name, p.child("name")));
  if (name !== "" && names.has(name)) errs.push(fieldErrors.duplicate(p.child("name"), name));
  names.add(name);
  const image = str(c.image);
  if (image === "") errs.push(fieldErrors.required(p.child("image")));
  else if (image !== image.trim())
    errs.push(fieldErrors.invalid(p.child("image"), image, "must not have leading or trailing whitespace"));
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === "")
    errs.push(fieldErrors.required(p.child("imagePullPolicy")));
  else if (!pullPolicies.includes(str(c.imagePullPolicy)))
    errs.push(fieldErrors.notSupported(p.child("imagePullPolicy"), c.imagePullPolicy, pullPolicies));
  const tmp = str(c.terminationMessagePolicy);
  if (tmp === "") errs.push(fieldErrors.required(p.child("terminationMessagePolicy")));
  else if (!terminationMessagePolicies.includes(tmp))
    errs.push(fieldErrors.notSupported(p.child("terminationMessagePolicy"), tmp, terminationMessagePolicies));
  if (kind === "ephemeral") {
    for (const f of ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"])
      if (isSet(c[f]) && !(Array.isArray(c[f]) && c[f].length === 0))
        errs.push(fieldErrors.forbidden(p.child(f), "cannot be set for an Ephemeral Container"));
  }
  errs.push(...validateContainerPorts(c.ports, p.child("ports")));
  errs.push(...validateEnv(c.env, p.child("env")));
  errs.push(...validateEnvFrom(c.envFrom, p.child("envFrom")));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, p.child("volumeMounts")));
  errs.push(...validateResources(c.resources, p.child("resources")));
  const sidecar = kind === "init" && c.restartPolicy === "Always";
  if (kind === "init" && isSet(c.restartPolicy) && c.restartPolicy !== "Always")
    errs.push(fieldErrors.notSupported(p.child("restartPolicy"), c.restartPolicy, ["Always"]));
  if (kind === "container" || sidecar) {
    errs.push(...validateProbe(c.livenessProbe, p.child("livenessProbe"), "liveness"));
    errs.push(...validateProbe(c.readinessProbe, p.child("readinessProbe"), "readiness"));
    errs.push(...validateProbe(c.startupProbe, p.child("startupProbe"), "startup"));
  } else if (kind === "init") {
    for (const f of ["livenessProbe", "readinessProbe", "startupProbe", "lifecycle"])
      if (isSet(c[f]))
        errs.push(
          fieldErrors.forbidden(
            p.child(f),
            "may not be set for init containers without restartPolicy=Always",
          ),
        );
  }
  if (isSet(c.lifecycle) && kind !== "ephemeral") {
    const lc = obj(c.lifecycle);
    const lk = ["exec", "httpGet", "tcpSocket", "sleep"];
    for (const h of ["postStart", "preStop"])
      if (isSet(lc[h]) && (kind === "container" || sidecar))
        errs.push(...validateHandler(obj(lc[h]), p.child("lifecycle", h), lk));
  }
  return errs;
}

const volumeSources = [
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
  "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
  "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
  "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
]; // biome-ignore format: one list

function validateVolumeSource(v: Obj, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const set = volumeSources.filter((k) => isSet(v[k]));
  if (set.length === 0) return [fieldErrors.required(p, "must specify a volume type")];
  for (const k of set.slice(1))
    errs.push(fieldErrors.forbidden(p.child(k), "may not specify more than 1 volume type"));
  const k = set[0];
  const s = obj(v[k]);
  const mode = (m: unknown, mp: FieldPath) => {
    const n = int(m);
    if (n !== undefined && (n < 0 || n > 0o777))
      errs.push(fieldErrors.invalid(mp, n, "must be a number between 0 and 0777 (octal), both inclusive"));
  };
  if (k === "hostPath" && str(s.path) === "") errs.push(fieldErrors.required(p.child("hostPath", "path")));
  if (k === "secret") mode(s.defaultMode, p.child("secret", "defaultMode"));
  if (k === "configMap") {
    if (str(s.name) === "") errs.push(fieldErrors.required(p.child("configMap", "name")));
    mode(s.defaultMode, p.child("configMap", "defaultMode"));
  }
  if (k === "persistentVolumeClaim" && str(s.claimName) === "")
    errs.push(fieldErrors.required(p.child("persistentVolumeClaim", "claimName")));
  if (k === "nfs") {
    if (str(s.server) === "") errs.push(fieldErrors.required(p.child("nfs", "server")));
    if (str(s.path) === "") errs.push(fieldErrors.required(p.child("nfs", "path")));
  }
  if (k === "emptyDir" && isSet(s.medium) && !["", "Memory", "HugePages"].includes(str(s.medium)))
    errs.push(fieldErrors.notSupported(p.child("emptyDir", "medium"), s.medium, ["", "Memory", "HugePages"]));
  for (const it of ["secret", "configMap"].includes(k) ? arr(s.items) : [])
    if (str(obj(it).key) === "") errs.push(fieldErrors.required(p.child(k, "items", "key")));
  return errs;
}

function validateVolumes(volumes: unknown, p: FieldPath): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((raw, i) => {
    const v = obj(raw);
    const ip = p.index(i);
    const name = str(v.name);
    errs.push(...validateVolumeSource(v, ip));
    if (name === "") errs.push(fieldErrors.required(ip.child("name")));
    else errs.push(...dnsLabel(name, ip.child("name")));
    if (names.has(name)) errs.push(fieldErrors.duplicate(ip.child("name"), name));
    else names.add(name);
  });
  return { errs, names };
}

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

function validateDNS(spec: Obj, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = str(spec.dnsPolicy);
  if (policy === "") errs.push(fieldErrors.required(p.child("dnsPolicy")));
  else if (!dnsPolicies.includes(policy))
    errs.push(fieldErrors.notSupported(p.child("dnsPolicy"), policy, dnsPolicies));
  const cp = p.child("dnsConfig");
  if (policy === "None" && !isSet(spec.dnsConfig))
    errs.push(fieldErrors.required(cp, "must provide `dnsConfig` when `dnsPolicy` is None"));
  if (!isSet(spec.dnsConfig)) return errs;
  const cfg = obj(spec.dnsConfig);
  const ns = arr(cfg.nameservers).map(str);
  if (policy === "None" && ns.length === 0)
    errs.push(
      fieldErrors.required(
        cp.child("nameservers"),
        "must provide at least one DNS nameserver when `dnsPolicy` is None",
      ),
    );
  if (ns.length > 3)
    errs.push(fieldErrors.invalid(cp.child("nameservers"), ns, "must not have more than 3 nameservers"));
  ns.forEach((n, i) => {
    for (const m of isValidIP(n)) errs.push(fieldErrors.invalid(cp.child("nameservers").index(i), n, m));
  });
  const searches = arr(cfg.searches).map(str);
  if (searches.length > 32)
    errs.push(fieldErrors.invalid(cp.child("searches"), searches, "must not have more than 32 search paths"));
  if (searches.join(" ").length > 2048)
    errs.push(
      fieldErrors.invalid(
        cp.child("searches"),
        searches,
        "must not have more than 2048 characters (including spaces) in the search list",
      ),
    );
  searches.forEach((s, i) => {
    if (s === ".") return;
    const d = s.endsWith(".") ? s.slice(0, -1) : s;
    for (const m of isDNS1123Subdomain(d))
      errs.push(fieldErrors.invalid(cp.child("searches").index(i), s, m));
  });
  arr(cfg.options).forEach((o, i) => {
    if (str(obj(o).name) === "")
      errs.push(fieldErrors.required(cp.child("options").index(i), "Option.Name must not be empty"));
  });
  return errs;
}

function validateTolerations(tols: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  arr(tols).forEach((raw, i) => {
    const t = obj(raw);
    const ip = p.index(i);
    const key = str(t.key);
    const op = str(t.operator);
    if (key !== "")
      for (const m of isQualifiedName(key)) errs.push(fieldErrors.invalid(ip.child("key"), key, m));
    if (key === "" && op !== "Exists")
      errs.push(
        fieldErrors.invalid(
          ip.child("operator"),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (isSet(t.tolerationSeconds) && t.effect !== "NoExecute")
      errs.push(
        fieldErrors.invalid(
          ip.child("effect"),
          t.effect ?? "",
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    if (op === "" || op === "Equal") {
      for (const m of isValidLabelValue(str(t.value)))
        errs.push(fieldErrors.invalid(ip.child("operator"), t.value, m));
    } else if (op === "Exists") {
      if (str(t.value) !== "")
        errs.push(
          fieldErrors.invalid(ip.child("operator"), t, "value must be empty when `operator` is 'Exists'"),
        );
    } else errs.push(fieldErrors.notSupported(ip.child("operator"), op, ["Equal", "Exists"]));
    if (str(t.effect) !== "" && !taintEffects.includes(str(t.effect)))
      errs.push(fieldErrors.notSupported(ip.child("effect"), t.effect, taintEffects));
  });
  return errs;
}

/** kube's ValidatePodSpec over a JSON pod spec at path (usually `spec`). */
export function validatePodSpec(specRaw: unknown, path: FieldPath): FieldError[] {
  const spec = obj(specRaw);
  const { errs, names: volumes } = validateVolumes(spec.volumes, path.child("volumes"));
  const names = new Set<string>();
  const containers = arr(spec.containers);
  if (containers.length === 0) errs.push(fieldErrors.required(path.child("containers")));
  const initNames = new Set<string>();
  arr(spec.initContainers).forEach((c, i) => {
    errs.push(
      ...validateContainer(obj(c), path.child("initContainers").index(i), initNames, volumes, "init"),
    );
  });
  // Regular containers may not reuse an init container's name (validateContainers gets both).
  for (const n of initNames) names.add(n);
  containers.forEach((c, i) => {
    errs.push(...validateContainer(obj(c), path.child("containers").index(i), names, volumes, "container"));
  });
  arr(spec.ephemeralContainers).forEach((c, i) => {
    errs.push(
      ...validateContainer(obj(c), path.child("ephemeralContainers").index(i), names, volumes, "ephemeral"),
    );
  });
  const rp = str(spec.restartPolicy);
  if (rp === "") errs.push(fieldErrors.required(path.child("restartPolicy")));
  else if (!restartPolicies.includes(rp))
    errs.push(fieldErrors.notSupported(path.child("restartPolicy"), rp, restartPolicies));
  errs.push(...validateDNS(spec, path));
  errs.push(...validateLabels(spec.nodeSelector, path.child("nodeSelector")));
  for (const f of ["serviceAccountName", "nodeName"]) {
    const v = str(spec[f]);
    if (v !== "") for (const m of isDNS1123Subdomain(v)) errs.push(fieldErrors.invalid(path.child(f), v, m));
  }
  for (const f of ["hostname", "subdomain"]) {
    const v = str(spec[f]);
    if (v !== "") errs.push(...dnsLabel(v, path.child(f)));
  }
  const ads = int(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > 2147483647))
    errs.push(
      fieldErrors.invalid(
        path.child("activeDeadlineSeconds"),
        ads,
        "must be between 1 and 2147483647, inclusive",
      ),
    );
  if (spec.hostNetwork === true)
    containers.forEach((c, i) => {
      arr(obj(c).ports).forEach((raw, j) => {
        const port = obj(raw);
        if (isSet(port.hostPort) && port.hostPort !== 0 && port.hostPort !== port.containerPort)
          errs.push(
            fieldErrors.invalid(
              path.child("containers").index(i).child("ports").index(j).child("containerPort"),
              port.containerPort,
              "must match `hostPort` when `hostNetwork` is true",
            ),
          );
      });
    });
  errs.push(...validateTolerations(spec.tolerations, path.child("tolerations")));
  errs.push(
    ...nonNegativeField(spec.terminationGracePeriodSeconds, path.child("terminationGracePeriodSeconds")),
  );
  return errs;
}

/** kube's ValidatePodTemplateSpec: labels at `<path>.labels` (kube's path, without `metadata`). */
export function validatePodTemplateSpec(t: unknown, path: FieldPath): FieldError[] {
  const tmpl = obj(t);
  const meta = obj(tmpl.metadata);
  const errs = [
    ...validateLabels(meta.labels, path.child("labels")),
    ...validateAnnotations(meta.annotations, path.child("annotations")),
    ...validatePodSpec(tmpl.spec, path.child("spec")),
  ];
  if (arr(obj(tmpl.spec).ephemeralContainers).length > 0)
    errs.push(
      fieldErrors.forbidden(
        path.child("spec", "ephemeralContainers"),
        "ephemeral containers not allowed in pod template",
      ),
    );
  return errs;
}

/** The root path helper for callers. */
export const specPath = FieldPath.root("spec");
