/**
 * The apiserver's TLS material: a long-lived self-signed CA and a serving certificate it signs,
 * kept in the data dir (ca.crt, ca.key, apiserver.crt, apiserver.key) so kubeconfigs stay valid
 * across restarts. The serving certificate is reissued (by the same CA) when it lacks a requested
 * name or address, was not issued by the CA on disk, or is close to expiry.
 */
import "reflect-metadata";
// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import "reflect-metadata";
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { writeFileAtomic } from "./kubeconfig.ts";

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

export interface ServingCerts {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

export interface ServingCertOptions {
  hosts: string[];
  ips: string[];
}

const DAY = 24 * 60 * 60 * 1000;
const CA_VALIDITY = 10 * 365 * DAY;
const SERVING_VALIDITY = 365 * DAY;
/** Reissue the serving certificate when less than this is left. */
const RENEW_BEFORE = 30 * DAY;
/** Backdate notBefore so clients with a slightly slow clock accept a fresh certificate. */
const BACKDATE = 60 * 60 * 1000;

const keyAlg: webcrypto.EcKeyGenParams & webcrypto.EcKeyImportParams = { name: "ECDSA", namedCurve: "P-256" };
const signingAlgorithm: webcrypto.EcdsaParams = { name: "ECDSA", hash: "SHA-256" };

/** The names every kube-apiserver serving certificate carries (the in-cluster Service names). */
export const defaultHosts = [
  "localhost",
  "kubernetes",
  "kubernetes.default",
  "kubernetes.default.svc",
  "kubernetes.default.svc.cluster.local",
];
export const defaultIPs = ["127.0.0.1", "::1"];

export const certFiles = {
  caCert: "ca.crt",
  caKey: "ca.key",
  cert: "apiserver.crt",
  key: "apiserver.key",
} as const;

/**
 * Load or create the CA and serving certificate in `dir`. Hosts and IPs are added to the defaults;
 * an entry that is an IP address in `hosts` counts as an IP.
 */
export async function ensureServingCerts(dir: string, opts: ServingCertOptions): Promise<ServingCerts> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { hosts, ips } = wantedNames(opts);
  const ca = await loadOrCreateCA(dir);
  const existing = await loadServing(dir);
  if (existing && servingIsUsable(existing, ca.cert, hosts, ips)) {
    return { caCertPem: ca.certPem, certPem: existing.certPem, keyPem: existing.keyPem };
  }
  const issued = await issueServing(ca, hosts, ips);
  // Key first: a crash between the writes leaves a cert that does not match and gets reissued.
  await writeFileAtomic(join(dir, certFiles.key), issued.keyPem, 0o600);
  await writeFileAtomic(join(dir, certFiles.cert), issued.certPem, 0o644);
  return { caCertPem: ca.certPem, certPem: issued.certPem, keyPem: issued.keyPem };
}

function wantedNames(opts: ServingCertOptions): { hosts: string[]; ips: string[] } {
  const hosts = new Set<string>();
  const ips = new Set<string>();
  for (const h of [...defaultHosts, ...opts.hosts]) {
    if (h === "") continue;
    if (isIP(h)) ips.add(h);
    else hosts.add(h.toLowerCase());
  }
  for (const ip of [...defaultIPs, ...opts.ips]) {
    if (!isIP(ip)) throw new Error(`invalid IP address for the serving certificate: ${JSON.stringify(ip)}`);
    ips.add(ip);
  }
  return { hosts: [...hosts], ips: [...ips] };
}

interface CA {
  cert: X509Certificate;
  certPem: string;
  key: CryptoKey;
  x509: x509.X509Certificate;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

async function loadOrCreateCA(dir: string): Promise<CA> {
  const certPem = await readIfExists(join(dir, certFiles.caCert));
  const keyPem = await readIfExists(join(dir, certFiles.caKey));
  if (certPem !== undefined && keyPem !== undefined) {
    // A CA that exists is never replaced silently: kubeconfigs and clients trust it.
    const cert = new X509Certificate(certPem);
    if (!keyMatchesCert(keyPem, cert))
      throw new Error(`${join(dir, certFiles.caKey)} does not match ${join(dir, certFiles.caCert)}`);
    const key = await importKey(keyPem);
    return { cert, certPem, key, x509: new x509.X509Certificate(certPem) };
  }
  if (certPem !== undefined || keyPem !== undefined) {
    const missing = certPem === undefined ? certFiles.caCert : certFiles.caKey;
    throw new Error(
      `${join(dir, missing)} is missing; restore it or remove both CA files to create a new CA`,
    );
  }
  const keys = (await webcrypto.subtle.generateKey(keyAlg, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: "CN=skiff-ca",
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(now + CA_VALIDITY),
    signingAlgorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const newKeyPem = await exportKey(keys.privateKey);
  const newCertPem = caCert.toString("pem");
  await writeFileAtomic(join(dir, certFiles.caKey), newKeyPem, 0o600);
  await writeFileAtomic(join(dir, certFiles.caCert), newCertPem, 0o644);
  return { cert: new X509Certificate(newCertPem), certPem: newCertPem, key: keys.privateKey, x509: caCert };
}

interface Serving {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
}

async function loadServing(dir: string): Promise<Serving | undefined> {
  const certPem = await readIfExists(join(dir, certFiles.cert));
  const keyPem = await readIfExists(join(dir, certFiles.key));
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    return { cert: new X509Certificate(certPem), certPem, keyPem };
  } catch {
    return undefined; // unreadable: reissue
  }
}

function keyMatchesCert(keyPem: string, cert: X509Certificate): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: "spki", format: "der" });
    const fromCert = cert.publicKey.export({ type: "spki", format: "der" });
    return fromKey.equals(fromCert);
  } catch {
    return false;
  }
}

function servingIsUsable(s: Serving, ca: X509Certificate, hosts: string[], ips: string[]): boolean {
  if (!s.cert.checkIssued(ca) || !s.cert.verify(ca.publicKey)) return false;
  if (!keyMatchesCert(s.keyPem, s.cert)) return false;
  if (new Date(s.cert.validTo).getTime() - Date.now() < RENEW_BEFORE) return false;
  const dnsNames = new Set(sanDNSNames(s.cert));
  if (!hosts.every((h) => dnsNames.has(h))) return false;
  return ips.every((ip) => s.cert.checkIP(ip) !== undefined);
}

// The DNS entries of the subjectAltName extension, lowercased.
function sanDNSNames(cert: X509Certificate): string[] {
  const parsed = new x509.X509Certificate(cert.raw);
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return [];
  return san.names.items.filter((n) => n.type === "dns").map((n) => n.value.toLowerCase());
}

async function issueServing(
  ca: CA,
  hosts: string[],
  ips: string[],
): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(keyAlg, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const notAfter = Math.min(now + SERVING_VALIDITY, new Date(ca.cert.validTo).getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: "CN=kube-apiserver",
    issuer: ca.x509.subject,
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(notAfter),
    signingAlgorithm,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hosts.map((value) => ({ type: "dns" as const, value })),
        ...ips.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.x509.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKey(keys.privateKey) };
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = createPrivateKey(pem).export({ type: "pkcs8", format: "der" });
  return webcrypto.subtle.importKey("pkcs8", der, keyAlg, false, ["sign"]) as Promise<CryptoKey>;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

// 16 random bytes, top bit clear so the DER integer stays positive.
function serialNumber(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  b[0] |= 0x01;
  return Buffer.from(b).toString("hex");
}
