/**
 * Kubeconfig loading, following client-go's clientcmd: an explicit path, else $KUBECONFIG (a
 * list of files merged so the first file to set a value wins), else ~/.kube/config. Relative
 * file paths inside a kubeconfig are relative to that file's directory.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { isObject, type JsonObject } from "../api/machinery/types.ts";

/** Everything the REST client needs to reach and authenticate to an apiserver. */
export interface RestConfig {
  /** `https://host:port`, `http://…`, or `unix:/path/to/socket` (plain HTTP over a Unix socket). */
  server: string;
  /** PEM bundle that verifies the server's certificate (absent: the system's roots). */
  ca?: string;
  insecureSkipTLSVerify?: boolean;
  /** Name to verify the server certificate against, when it differs from the URL host. */
  tlsServerName?: string;
  token?: string;
  /** Re-read periodically, like client-go does for rotated service account tokens. */
  tokenFile?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  username?: string;
  password?: string;
  /** The context's namespace, "default" when unset. */
  namespace: string;
  /** The context these settings came from, if any. */
  context?: string;
}

export class KubeconfigError extends Error {}

interface Named {
  name: string;
  value: JsonObject;
  dir: string;
}

interface Merged {
  currentContext?: string;
  clusters: Map<string, Named>;
  users: Map<string, Named>;
  contexts: Map<string, Named>;
}

/** The files that make up the kubeconfig, in precedence order. */
export function kubeconfigPaths(path?: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (path) return [path];
  const list = (env.KUBECONFIG ?? "").split(delimiter).filter((p) => p !== "");
  if (list.length > 0) return list;
  return [join(env.HOME || homedir(), ".kube", "config")];
}

/**
 * Load the kubeconfig and resolve one context (the named one, else current-context) into a
 * RestConfig. Throws KubeconfigError saying what is missing.
 */
export function loadKubeconfig(path?: string, context?: string): RestConfig {
  const paths = kubeconfigPaths(path);
  const docs: Array<{ text: string; dir: string }> = [];
  for (const p of paths) {
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch (err) {
      // $KUBECONFIG may name files that do not exist; an explicit path must exist.
      if (path || paths.length === 1) {
        throw new KubeconfigError(`cannot read kubeconfig ${p}: ${(err as Error).message}`);
      }
      continue;
    }
    docs.push({ text, dir: dirname(resolve(p)) });
  }
  return resolveKubeconfig(docs, context);
}

/** Parse kubeconfig texts (precedence order; dir = where relative paths start) and pick a context. */
export function resolveKubeconfig(docs: Array<{ text: string; dir: string }>, context?: string): RestConfig {
  const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const d of docs) mergeDoc(merged, d.text, d.dir);
  const ctxName = context || merged.currentContext;
  if (!ctxName) {
    throw new KubeconfigError(
      "invalid configuration: no configuration has been provided (no current-context)",
    );
  }
  const ctx = merged.contexts.get(ctxName);
  if (!ctx) throw new KubeconfigError(`context was not found for specified context: ${ctxName}`);
  const clusterName = str(ctx.value, "cluster");
  const cluster = clusterName ? merged.clusters.get(clusterName) : undefined;
  if (!cluster) throw new KubeconfigError(`cluster "${clusterName ?? ""}" of context "${ctxName}" not found`);
  const userName = str(ctx.value, "user");
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) throw new KubeconfigError(`user "${userName}" of context "${ctxName}" not found`);

  const server = str(cluster.value, "server");
  if (!server) throw new KubeconfigError(`no server found for cluster "${cluster.name}"`);
  const cfg: RestConfig = { server, namespace: str(ctx.value, "namespace") || "default", context: ctxName };
  const insecure = cluster.value["insecure-skip-tls-verify"] === true;
  if (insecure) cfg.insecureSkipTLSVerify = true;
  const tlsName = str(cluster.value, "tls-server-name");
  if (tlsName) cfg.tlsServerName = tlsName;
  const ca = dataOrFile(cluster, "certificate-authority");
  if (ca !== undefined) {
    // clientcmd's validation refuses this combination.
    if (insecure) {
      throw new KubeconfigError(
        `cluster "${cluster.name}": specifying a root certificates file with the insecure flag is not allowed`,
      );
    }
    cfg.ca = ca;
  }
  if (user) applyUser(cfg, user);
  return cfg;
}

function applyUser(cfg: RestConfig, user: Named): void {
  const u = user.value;
  for (const unsupported of ["exec", "auth-provider"]) {
    if (u[unsupported] !== undefined) {
      throw new KubeconfigError(`user "${user.name}": ${unsupported} credentials are not supported`);
    }
  }
  const token = str(u, "token");
  const tokenFile = str(u, "tokenFile");
  const username = str(u, "username");
  const password = str(u, "password");
  // clientcmd's validation: token and basic auth together are ambiguous.
  if ((token || tokenFile) && (username || password)) {
    throw new KubeconfigError(
      `more than one authentication method found for ${user.name}; found [token basicAuth], only one is allowed`,
    );
  }
  // A literal token wins over tokenFile (client-go reads the file only when token is empty).
  if (token) cfg.token = token;
  else if (tokenFile) cfg.tokenFile = abs(user.dir, tokenFile);
  if (username) cfg.username = username;
  if (password) cfg.password = password;
  const cert = dataOrFile(user, "client-certificate");
  const key = dataOrFile(user, "client-key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new KubeconfigError(
      `user "${user.name}": client-certificate and client-key must be given together`,
    );
  }
  if (cert !== undefined && key !== undefined) {
    cfg.cert = cert;
    cfg.key = key;
  }
}

function mergeDoc(m: Merged, text: string, dir: string): void {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(`kubeconfig is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return; // an empty file is an empty config
  if (!isObject(doc)) throw new KubeconfigError("kubeconfig must be a YAML mapping");
  const cur = str(doc, "current-context");
  if (!m.currentContext && cur) m.currentContext = cur;
  mergeList(m.clusters, doc.clusters, "cluster", dir);
  mergeList(m.users, doc.users, "user", dir);
  mergeList(m.contexts, doc.contexts, "context", dir);
}

function mergeList(into: Map<string, Named>, list: unknown, field: string, dir: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new KubeconfigError(`kubeconfig: ${field}s must be a list`);
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string") {
      throw new KubeconfigError(`kubeconfig: every entry of ${field}s needs a name`);
    }
    const value = item[field];
    if (into.has(item.name)) continue; // the first file to define a name wins
    into.set(item.name, { name: item.name, value: isObject(value) ? value : {}, dir });
  }
}

/** `<field>-data` (base64, wins) or `<field>` (a file path). */
function dataOrFile(n: Named, field: string): string | undefined {
  const data = str(n.value, `${field}-data`);
  if (data) return Buffer.from(data, "base64").toString("utf8");
  const file = str(n.value, field);
  if (!file) return undefined;
  const p = abs(n.dir, file);
  try {
    return readFileSync(p, "utf8");
  } catch (err) {
    throw new KubeconfigError(`unable to read ${field} ${p} for ${n.name}: ${(err as Error).message}`);
  }
}

function abs(dir: string, p: string): string {
  return isAbsolute(p) ? p : join(dir, p);
}

function str(o: JsonObject, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" && v !== "" ? v : undefined;
}
