/** Image references and the texts kubelet writes about them. */
import { createHash } from "node:crypto";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * The fully qualified reference containerd reports in containerStatuses[].image, as
 * distribution/reference's ParseNormalizedNamed + TagNameOnly: `nginx` →
 * `docker.io/library/nginx:latest`.
 */
export function normalizeImage(image: string): string {
  let rest = image;
  let digest = "";
  const at = rest.indexOf("@");
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at)];
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  const hasDomain = first !== "" && (first.includes(".") || first.includes(":") || first === "localhost");
  let name = hasDomain ? rest : `docker.io/${rest}`;
  if (!hasDomain && slash < 0) name = `docker.io/library/${rest}`;
  const lastPart = name.slice(name.lastIndexOf("/") + 1);
  if (!lastPart.includes(":") && digest === "") name += ":latest";
  return name + digest;
}

/** The repository part of a normalized reference (no tag, no digest). */
function repository(normalized: string): string {
  const noDigest = normalized.split("@")[0];
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** containerStatuses[].imageID: `repo@sha256:…` (simulated images hash their reference). */
export function imageID(image: string): string {
  const n = normalizeImage(image);
  const at = n.indexOf("@");
  if (at >= 0) return n;
  return `${repository(n)}@sha256:${sha256(n)}`;
}

/** A stable container ID for a pod's container: `<runtime>://<64 hex>`. */
export function containerID(runtime: string, podUID: string, container: string): string {
  return `${runtime}://${sha256(`${podUID}/${container}`)}`;
}

/** Go's time.Duration.String() for a whole number of milliseconds (kubelet truncates to ms). */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.trunc(ms));
  if (total === 0) return "0s";
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const rem = total % 60_000;
  const secs = Math.floor(rem / 1000);
  const frac = String(rem % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  const s = `${secs}${frac ? `.${frac}` : ""}s`;
  if (h > 0) return `${h}h${m}m${s}`;
  if (m > 0) return `${m}m${s}`;
  return s;
}

/** kubelet's image manager messages (pkg/kubelet/images/image_manager.go, 1.33). */
export const imageMessages = {
  pulling: (image: string) => `Pulling image "${image}"`,
  pulled: (image: string, pullMs: number, totalMs: number, size: number) =>
    `Successfully pulled image "${image}" in ${goDuration(pullMs)} (${goDuration(totalMs)} including waiting). Image size: ${size} bytes.`,
  present: (image: string) => `Container image "${image}" already present on machine`,
};
