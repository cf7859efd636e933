/**
 * Pod spec defaults as kube's SetDefaults_* in pkg/apis/core/v1/defaults.go (and the generated
 * defaulters that walk into containers, probes and volumes).
 */
import { ensureObj, isSet, type Obj, obj, objects, setDefault, str } from "./json.ts";

/** kube's image tag rule: `:latest` or no tag (and no digest) pulls Always. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  const noDigest = image.split("@")[0];
  const hasDigest = image.includes("@");
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.indexOf(":", lastSlash + 1);
  const tag = colon >= 0 ? noDigest.slice(colon + 1) : hasDigest ? "" : "latest";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultHTTPGet(h: unknown): void {
  if (!isSet(h) || typeof h !== "object") return;
  const o = obj(h);
  setDefault(o, "path", "/");
  setDefault(o, "scheme", "HTTP");
}

function defaultHandler(h: unknown): void {
  if (!isSet(h)) return;
  const o = obj(h);
  defaultHTTPGet(o.httpGet);
  const g = o.grpc;
  if (isSet(g) && obj(g).service === undefined) obj(g).service = "";
}

function defaultProbe(p: unknown): void {
  if (!isSet(p)) return;
  const o = obj(p);
  setDefault(o, "timeoutSeconds", 1);
  setDefault(o, "periodSeconds", 10);
  setDefault(o, "successThreshold", 1);
  setDefault(o, "failureThreshold", 3);
  defaultHandler(o);
}

function defaultFieldRef(r: unknown): void {
  if (isSet(r)) setDefault(obj(r), "apiVersion", "v1");
}

function defaultContainer(c: Obj): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === "")
    c.imagePullPolicy = defaultPullPolicy(str(c.image));
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  for (const p of objects(c.ports)) setDefault(p, "protocol", "TCP");
  for (const e of objects(c.env)) if (isSet(e.valueFrom)) defaultFieldRef(obj(e.valueFrom).fieldRef);
  // Go serialises the non-pointer ResourceRequirements struct as {} when empty.
  ensureObj(c, "resources");
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isSet(c.lifecycle)) {
    defaultHandler(obj(c.lifecycle).postStart);
    defaultHandler(obj(c.lifecycle).preStop);
  }
}

const modeDefaulted = ["secret", "configMap", "downwardAPI", "projected"];

function defaultVolume(v: Obj): void {
  // SetDefaults_Volume: a volume with no source is an emptyDir.
  if (Object.keys(v).every((k) => k === "name" || !isSet(v[k]))) v.emptyDir = {};
  for (const k of modeDefaulted) if (isSet(v[k])) setDefault(obj(v[k]), "defaultMode", 420);
  if (isSet(v.hostPath) && obj(v.hostPath).type === undefined) obj(v.hostPath).type = "";
  if (isSet(v.iscsi)) setDefault(obj(v.iscsi), "iscsiInterface", "default");
  if (isSet(v.downwardAPI)) for (const i of objects(obj(v.downwardAPI).items)) defaultFieldRef(i.fieldRef);
  if (isSet(v.projected))
    for (const s of objects(obj(v.projected).sources)) {
      if (isSet(s.downwardAPI))
        for (const i of objects(obj(s.downwardAPI).items)) defaultFieldRef(i.fieldRef);
      if (isSet(s.serviceAccountToken)) setDefault(obj(s.serviceAccountToken), "expirationSeconds", 3600);
    }
}

/** SetDefaults_PodSpec plus the nested defaulters (used by Pods and pod templates). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "restartPolicy", "Always");
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null)
    spec.terminationGracePeriodSeconds = 30;
  setDefault(spec, "schedulerName", "default-scheduler");
  for (const c of [
    ...objects(spec.initContainers),
    ...objects(spec.containers),
    ...objects(spec.ephemeralContainers),
  ])
    defaultContainer(c);
  for (const v of objects(spec.volumes)) defaultVolume(v);
}

/** Defaults for a PodTemplateSpec (RC/RS/Deployment): the spec's, nothing at pod level. */
export function defaultPodTemplateSpec(t: Obj): void {
  defaultPodSpec(ensureObj(t, "spec"));
}

function hostNetworkPorts(containers: unknown): void {
  for (const c of objects(containers))
    for (const p of objects(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort ?? 0;
}

/** SetDefaults_Pod: what only a Pod (not a template) gets, then the spec defaults. */
export function defaultPod(pod: Obj): void {
  const spec = ensureObj(pod, "spec");
  // Requests default to limits, per resource, on Pods only.
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const res = obj(c.resources);
    if (!isSet(res.limits)) continue;
    const requests = ensureObj(ensureObj(c, "resources"), "requests");
    for (const [k, v] of Object.entries(obj(res.limits))) if (requests[k] === undefined) requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null)
    spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    hostNetworkPorts(spec.containers);
    hostNetworkPorts(spec.initContainers);
  }
  defaultPodSpec(spec);
}
