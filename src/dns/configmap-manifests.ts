/**
 * kubeadm's CoreDNS add-on as `skiff up` installs it in kube-system: the `coredns` ConfigMap with
 * kubeadm's default Corefile and the `coredns` Deployment whose pods back the `kube-dns` Service
 * (cmd/kubeadm/app/phases/addons/dns/manifests.go, Kubernetes 1.33). Created only when absent, so
 * a user's edits survive restarts.
 */
import type { KubeObject } from "../api/machinery/types.ts";
import { isAlreadyExists, type RestClient } from "../client/index.ts";

export const COREDNS_NAMESPACE = "kube-system";
export const COREDNS_NAME = "coredns";
/** kubeadm 1.33's CoreDNS image (constants.CoreDNSVersion). */
export const COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.12.0";
/** kubeadm's replica count for a new cluster (dns.go coreDNSReplicas). */
export const COREDNS_REPLICAS = 2;

/**
 * kubeadm's Corefile for a cluster domain, as its template renders it: since 1.32 the cache skips
 * the cluster domain's answers (kubernetes/kubernetes#128359), indentation as kubeadm writes it.
 */
export function kubeadmCorefile(domain: string): string {
  return `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${domain} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success ${domain}
       disable denial ${domain}
    }
    loop
    reload
    loadbalance
}
`;
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export function corednsConfigMap(domain: string): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: COREDNS_NAME, namespace: COREDNS_NAMESPACE },
    data: { Corefile: kubeadmCorefile(domain) },
  };
}

const labels = { "k8s-app": "kube-dns" };

/** kubeadm's Deployment; the simulated node runs its pods, which the kube-dns Service selects. */
export function corednsDeployment(): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: COREDNS_NAME, namespace: COREDNS_NAMESPACE, labels },
    spec: {
      replicas: COREDNS_REPLICAS,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "coredns",
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: {
                      matchExpressions: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }],
                    },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
          ],
          nodeSelector: { "kubernetes.io/os": "linux" },
          containers: [
            {
              name: "coredns",
              image: COREDNS_IMAGE,
              imagePullPolicy: "IfNotPresent",
              resources: { limits: { memory: "170Mi" }, requests: { cpu: "100m", memory: "70Mi" } },
              args: ["-conf", "/etc/coredns/Corefile"],
              volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              ports: [
                { containerPort: 53, name: "dns", protocol: "UDP" },
                { containerPort: 53, name: "dns-tcp", protocol: "TCP" },
                { containerPort: 9153, name: "metrics", protocol: "TCP" },
                { containerPort: 8080, name: "liveness-probe", protocol: "TCP" },
                { containerPort: 8181, name: "readiness-probe", protocol: "TCP" },
              ],
              livenessProbe: {
                httpGet: { path: "/health", port: "liveness-probe", scheme: "HTTP" },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: "/ready", port: "readiness-probe", scheme: "HTTP" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                readOnlyRootFilesystem: true,
              },
            },
          ],
          dnsPolicy: "Default",
          volumes: [
            {
              name: "config-volume",
              configMap: { name: COREDNS_NAME, items: [{ key: "Corefile", path: "Corefile" }] },
            },
          ],
        },
      },
    },
  };
}

const configmaps = { group: "", version: "v1", plural: "configmaps", namespaced: true };
const deployments = { group: "apps", version: "v1", plural: "deployments", namespaced: true };

/** Create the ConfigMap and the Deployment unless they exist (a user's edits are kept). */
export async function ensureCoreDNS(client: RestClient, domain: string): Promise<void> {
  const create = async (desc: typeof configmaps, obj: KubeObject) => {
    try {
      await client.resource(desc).namespace(COREDNS_NAMESPACE).create(obj);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  };
  await create(configmaps, corednsConfigMap(domain));
  await create(deployments, corednsDeployment());
}
