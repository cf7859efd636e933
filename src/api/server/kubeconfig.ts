/**
 * The admin kubeconfig the apiserver writes for kubectl and for the other components, and the
 * admin bearer token it accepts. Both hold credentials: mode 0600, written atomically so a reader
 * never sees half a file.
 */
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { stringify } from "yaml";

/**
 * Write `data` to `path` via a temporary file in the same directory, fsync, then rename. The
 * temporary file is created with `mode`, so the content is never readable more widely.
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // the umask may have narrowed or the file system widened the mode
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

export interface AdminKubeconfigOptions {
  /** https://host:port (or http://… for plain HTTP). */
  server: string;
  caCertPem: string;
  token: string;
  clusterName?: string;
  contextName?: string;
}

/** The kubeconfig document (clientcmd v1) for `opts`: one cluster, one user, one context. */
export function adminKubeconfig(opts: AdminKubeconfigOptions): Record<string, unknown> {
  const cluster = opts.clusterName ?? "skiff";
  const context = opts.contextName ?? cluster;
  const user = `${cluster}-admin`;
  const clusterEntry: Record<string, string> = { server: opts.server };
  if (opts.caCertPem)
    clusterEntry["certificate-authority-data"] = Buffer.from(opts.caCertPem).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: cluster, cluster: clusterEntry }],
    users: [{ name: user, user: { token: opts.token } }],
    contexts: [{ name: context, context: { cluster, user } }],
    "current-context": context,
  };
}

/** Write the admin kubeconfig to `path` (mode 0600, atomically). */
export async function writeAdminKubeconfig(path: string, opts: AdminKubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, stringify(adminKubeconfig(opts)), 0o600);
}

export const adminTokenFile = "admin.token";
// A bearer token is one run of visible characters; whatever the file holds otherwise is replaced.
const tokenRe = /^[\x21-\x7e]+$/;

/**
 * The admin bearer token kept in `dir/admin.token` (mode 0600): read when present, created
 * otherwise, so kubeconfigs written earlier keep working after a restart. Creation is exclusive
 * (hard link of a complete temporary file), so two processes starting together agree on one token.
 */
export async function ensureAdminToken(dir: string): Promise<string> {
  const path = join(dir, adminTokenFile);
  const existing = await readToken(path);
  if (existing !== undefined) {
    await chmod(path, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString("base64url");
  const tmp = join(dir, `.${adminTokenFile}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFileAtomic(tmp, `${token}\n`, 0o600);
  try {
    await link(tmp, path);
    return token;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const other = await readToken(path);
    if (other !== undefined) return other;
    await rename(tmp, path); // the file there is empty or garbage: replace it
    return token;
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

async function readToken(path: string): Promise<string | undefined> {
  try {
    const t = (await readFile(path, "utf8")).trim();
    return tokenRe.test(t) ? t : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
