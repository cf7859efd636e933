import type { Docs } from "./index.ts";

const C = "io.k8s.api.core.v1";

const conditionsOf = (what: string) => `The latest observations of the ${what}'s state.`;

export const coreDocs: Docs = {
  [`${C}.Service`]: {
    "": "A Service gives a set of Pods (picked by a label selector) one stable virtual IP and DNS name, and spreads connections over them. It can also publish them on node ports or an external load balancer, or just be a DNS alias.",
    spec: "What the Service should be: its ports, the Pods it selects, its type and how traffic is routed.",
    status:
      "What the cluster has done for the Service, such as the load balancer it was given. Written by controllers.",
  },
  [`${C}.ServiceSpec`]: {
    "": "The desired behaviour of a Service.",
    ports:
      "The ports the Service listens on and where each one forwards to. Each entry is identified by port and protocol; with more than one entry every port needs a name.",
    selector:
      "Labels that pick the Pods traffic goes to; the endpoints controller keeps EndpointSlices for the matching ready Pods. Without a selector the endpoints are managed by someone else. Ignored for ExternalName Services.",
    clusterIP:
      "The Service's virtual IP inside the cluster, usually allocated from the service CIDR. Leave empty to get one, set an address from the range to ask for it, or set None for a headless Service (DNS returns the Pod addresses instead). Cannot be changed, except when switching to or from ExternalName.",
    clusterIPs:
      "All the virtual IPs of the Service, one per IP family; the first equals clusterIP. Dual-stack Services have two. Same rules as clusterIP.",
    type: "How the Service is exposed. ClusterIP (the default): a virtual IP reachable inside the cluster. NodePort: also a port on every node. LoadBalancer: also an external load balancer, when the cluster has a provider. ExternalName: no proxying, only a DNS CNAME to externalName.",
    externalIPs:
      "Extra addresses, not managed by the cluster, on which nodes accept traffic for this Service's ports.",
    sessionAffinity:
      "Whether connections from the same client keep going to the same backend. None (the default) spreads every connection; ClientIP pins a client's address to one backend for a while (see sessionAffinityConfig).",
    loadBalancerIP: "Deprecated: the address to ask the load balancer provider for; providers may ignore it.",
    loadBalancerSourceRanges:
      "Client CIDRs allowed through the load balancer, when the provider supports it. Empty means any.",
    externalName:
      "The DNS name an ExternalName Service points at (returned as a CNAME). Must be a lowercase DNS name.",
    externalTrafficPolicy:
      "How traffic arriving from outside (node ports, load balancer) is routed. Cluster (the default) sends it to any ready endpoint and hides the client's address; Local only uses endpoints on the receiving node and keeps the client address.",
    healthCheckNodePort:
      "For LoadBalancer Services with externalTrafficPolicy Local: the node port that answers health checks, so the load balancer only uses nodes with local endpoints. Allocated when not given.",
    publishNotReadyAddresses:
      "When true, DNS and endpoints include Pods that are not ready yet. Useful for peers that must find each other before they serve.",
    sessionAffinityConfig: "Settings for session affinity.",
    ipFamilies:
      "The IP families (IPv4, IPv6) the Service gets addresses from, in order. Filled in from ipFamilyPolicy and the cluster's configuration when not given.",
    ipFamilyPolicy:
      "SingleStack (one family, the default), PreferDualStack (two when the cluster can) or RequireDualStack (two, or fail).",
    allocateLoadBalancerNodePorts:
      "For LoadBalancer Services: whether node ports are allocated too. True by default; false suits load balancers that reach Pods directly.",
    loadBalancerClass:
      "Names the load balancer implementation that should serve this Service; unset means the default one. Cannot be changed once set.",
    internalTrafficPolicy:
      "How traffic from inside the cluster to the cluster IP is routed. Cluster (the default) uses every ready endpoint; Local only uses endpoints on the client's node, and drops the traffic if there are none.",
    trafficDistribution:
      "A hint about preferring nearby endpoints, for example PreferClose for endpoints in the same zone.",
  },
  [`${C}.ServicePort`]: {
    "": "One port of a Service and where its traffic goes.",
    name: "The port's name, a DNS label. Required when the Service has more than one port; EndpointSlice ports and DNS SRV records use it.",
    protocol: "TCP (the default), UDP or SCTP.",
    appProtocol:
      "The application protocol spoken on this port, such as http or kubernetes.io/h2c; a hint for proxies and ingress controllers.",
    port: "The port number the Service listens on at its cluster IP.",
    targetPort:
      "Where traffic goes on the selected Pods: a number, or the name of a container port. Defaults to port. Ignored without a selector (the endpoints then carry the port).",
    nodePort:
      "For NodePort and LoadBalancer Services: the port opened on every node, allocated from the node port range when not given.",
  },
  [`${C}.ServiceStatus`]: {
    "": "The observed state of a Service.",
    loadBalancer: "The external load balancer's addresses, when the Service has one.",
    conditions: conditionsOf("Service"),
  },
  [`${C}.SessionAffinityConfig`]: {
    "": "Session affinity settings.",
    clientIP: "Settings for ClientIP affinity.",
  },
  [`${C}.ClientIPConfig`]: {
    "": "ClientIP affinity settings.",
    timeoutSeconds:
      "How long a client stays pinned to its backend after its last connection, in seconds (1 to 86400; 10800, three hours, by default).",
  },
  [`${C}.LoadBalancerStatus`]: {
    "": "The state of a load balancer.",
    ingress: "The addresses traffic for the load balancer arrives at.",
  },
  [`${C}.LoadBalancerIngress`]: {
    "": "One load balancer address.",
    ip: "An IP address of the load balancer.",
    hostname: "A DNS name of the load balancer.",
    ipMode:
      "VIP: traffic arrives with the load balancer's address as destination; Proxy: the load balancer rewrites it.",
    ports: "The state of each Service port on this address.",
  },
  [`${C}.PortStatus`]: {
    "": "The state of one port.",
    port: "The port number.",
    protocol: "TCP, UDP or SCTP.",
    error: "Why the port could not be set up, as a CamelCase reason; empty when it works.",
  },
  [`${C}.Endpoints`]: {
    "": "The addresses and ports behind a Service, grouped into subsets. Superseded by EndpointSlice but still maintained for Services with a selector.",
    subsets: "Groups of addresses that share the same ports.",
  },
  [`${C}.EndpointSubset`]: {
    "": "Addresses that all serve the same ports.",
    addresses: "Addresses that are ready to serve.",
    notReadyAddresses: "Addresses that exist but are not ready (or not ready yet).",
    ports: "The ports every address in this subset serves.",
  },
  [`${C}.EndpointAddress`]: {
    "": "One endpoint address.",
    ip: "The IP address.",
    hostname: "The endpoint's hostname, used for per-Pod DNS records of headless Services.",
    nodeName: "The node the endpoint runs on.",
    targetRef: "The object (usually a Pod) that owns this address.",
  },
  [`${C}.EndpointPort`]: {
    "": "One endpoint port.",
    name: "The name of the Service port this corresponds to.",
    port: "The port number.",
    protocol: "TCP (the default), UDP or SCTP.",
    appProtocol: "The application protocol on this port.",
  },
  [`${C}.ConfigMap`]: {
    "": "Non-secret configuration as key/value pairs, for Pods to read as environment variables, command arguments or files in a volume.",
    immutable:
      "When true, data and binaryData can no longer change (only the object's metadata can); delete and re-create instead.",
    data: "UTF-8 text values by key. Keys are letters, digits, '-', '_' and '.'; a key may not be in both data and binaryData.",
    binaryData: "Binary values by key, base64-encoded in JSON.",
  },
  [`${C}.Secret`]: {
    "": "Sensitive data such as passwords, tokens and keys, kept apart from Pod definitions and readable by Pods as environment variables or files.",
    immutable: "When true, the data can no longer change; delete and re-create instead.",
    data: "Values by key, base64-encoded in JSON.",
    stringData:
      "Write-only convenience: plain-text values that are merged into data (overriding it) when stored. Never returned on read.",
    type: "What the Secret holds, which decides the keys it must have: Opaque (anything, the default), kubernetes.io/tls, kubernetes.io/dockerconfigjson, kubernetes.io/service-account-token and others.",
  },
  [`${C}.Namespace`]: {
    "": "A scope for names: objects of a namespaced kind must have unique names within their namespace. Deleting a namespace deletes everything in it.",
    spec: "What the namespace should be.",
    status: "The state of the namespace.",
  },
  [`${C}.NamespaceSpec`]: {
    "": "The desired state of a namespace.",
    finalizers:
      "Cleanups that must finish before the namespace is removed; the server's own finalizer empties the namespace.",
  },
  [`${C}.NamespaceStatus`]: {
    "": "The observed state of a namespace.",
    phase: "Active, or Terminating once deletion has started (no new objects may be created then).",
    conditions: conditionsOf("namespace"),
  },
  [`${C}.Pod`]: {
    "": "The smallest thing the cluster runs: one or more containers sharing a network identity (one IP, one hostname) and volumes, scheduled together onto a node.",
    spec: "What the Pod should run and how.",
    status:
      "What is happening to the Pod: its phase, IP and the state of its containers. Written by the node.",
  },
  [`${C}.PodTemplateSpec`]: {
    "": "The blueprint controllers stamp new Pods from.",
    metadata:
      "Labels and annotations every created Pod gets; the labels must match the controller's selector.",
    spec: "The spec every created Pod gets.",
  },
  [`${C}.PodSpec`]: {
    "": "The desired state of a Pod.",
    volumes: "Volumes the containers can mount, by name.",
    initContainers: "Containers run one after another to completion before the main containers start.",
    containers: "The containers of the Pod; at least one. Cannot be added or removed after creation.",
    ephemeralContainers: "Debugging containers added to a running Pod.",
    restartPolicy: "When containers are restarted after they exit: Always (the default), OnFailure or Never.",
    terminationGracePeriodSeconds:
      "Seconds a container gets to exit after the stop signal before it is killed (30 by default).",
    activeDeadlineSeconds: "How long the Pod may run before the node stops it.",
    dnsPolicy:
      "How the Pod's resolv.conf is set up: ClusterFirst (cluster DNS, the default), ClusterFirstWithHostNet, Default (the node's settings) or None (only dnsConfig).",
    nodeSelector: "Labels a node must have for the Pod to be scheduled there.",
    serviceAccountName: "The ServiceAccount the Pod runs as.",
    serviceAccount: "Deprecated alias of serviceAccountName.",
    automountServiceAccountToken: "Whether the ServiceAccount's API token is mounted into the containers.",
    nodeName: "The node the Pod is bound to; set by the scheduler, or by hand to skip scheduling.",
    hostNetwork: "Run in the node's network namespace, using the node's IP and ports.",
    hostPID: "Share the node's process namespace.",
    hostIPC: "Share the node's IPC namespace.",
    shareProcessNamespace: "Let the Pod's containers see each other's processes.",
    securityContext: "Security settings for every container of the Pod.",
    imagePullSecrets: "Secrets with registry credentials for pulling the images.",
    hostname: "The Pod's hostname; the Pod's name by default.",
    subdomain:
      "With a headless Service of this name in the namespace, the Pod gets the DNS name <hostname>.<subdomain>.<namespace>.svc.<cluster domain>.",
    affinity: "Rules that attract the Pod to, or keep it away from, nodes and other Pods.",
    schedulerName: "The scheduler that places the Pod.",
    tolerations: "Taints of nodes the Pod accepts.",
    hostAliases: "Extra lines for the Pod's /etc/hosts.",
    priorityClassName: "The priority class of the Pod.",
    priority: "The priority value, resolved from priorityClassName by the server.",
    dnsConfig: "DNS settings merged into (or, with dnsPolicy None, making up) the Pod's resolv.conf.",
    readinessGates: "Extra conditions that must be true for the Pod to count as ready.",
    runtimeClassName: "The RuntimeClass to run the Pod with.",
    enableServiceLinks:
      "Whether the Docker-link style environment variables of Services are injected (true by default).",
    preemptionPolicy:
      "Whether this Pod may evict lower-priority Pods: PreemptLowerPriority (the default) or Never.",
    overhead: "Resources the runtime uses for the Pod itself, on top of the containers'.",
    topologySpreadConstraints: "How matching Pods should spread over zones, nodes or other domains.",
    setHostnameAsFQDN: "Set the hostname to the fully qualified name instead of the short one.",
    os: "The operating system the Pod needs.",
    hostUsers: "Whether the Pod uses the node's user namespace (true) or one of its own.",
    schedulingGates: "While any gate is listed the Pod is not scheduled.",
    resourceClaims: "Dynamic resources the Pod claims.",
    resources: "Resource requests and limits for the whole Pod.",
  },
  [`${C}.PodStatus`]: {
    "": "The observed state of a Pod.",
    phase: "Where the Pod is in its life: Pending, Running, Succeeded, Failed or Unknown.",
    conditions: "PodScheduled, Initialized, ContainersReady, Ready and other observations.",
    message: "Why the Pod is in its current state, for people.",
    reason: "A CamelCase word for why the Pod is in its current state.",
    hostIP: "The primary IP of the node the Pod runs on.",
    hostIPs: "The IPs of the node, one per family.",
    podIP: "The Pod's primary IP address.",
    podIPs: "The Pod's addresses, one per IP family; the first equals podIP.",
    startTime: "When the node accepted the Pod.",
    containerStatuses: "The state of each container.",
    initContainerStatuses: "The state of each init container.",
    qosClass: "Guaranteed, Burstable or BestEffort, from the containers' requests and limits.",
  },
  [`${C}.Container`]: {
    "": "A process (from an image) run inside a Pod.",
    name: "The container's name, a DNS label unique in the Pod.",
    image: "The image to run.",
    command:
      "The executable and its arguments, replacing the image's entrypoint. $(VAR) refers to an environment variable.",
    args: "Arguments to the command, replacing the image's default arguments.",
    workingDir: "The working directory; the image's by default.",
    ports:
      "Ports the container listens on. Informational (any listening port is reachable), but a named port can be a Service's targetPort.",
    envFrom: "Sources (ConfigMaps, Secrets) whose keys all become environment variables.",
    env: "Environment variables to set.",
    resources: "Compute resources the container requests and its limits.",
    restartPolicy: "For init containers only: Always makes it a sidecar that keeps running.",
    volumeMounts: "Volumes of the Pod to mount into the container's filesystem.",
    livenessProbe: "A check that restarts the container when it fails.",
    readinessProbe: "A check that takes the Pod out of Service endpoints while it fails.",
    startupProbe: "A check that must pass before the other probes begin.",
    lifecycle: "Actions to run right after the container starts and before it stops.",
    imagePullPolicy:
      "Always, IfNotPresent or Never. Always when the tag is latest or missing, IfNotPresent otherwise.",
    securityContext: "Security settings for this container.",
    stdin: "Keep a stdin open for the container.",
    tty: "Give the container a terminal.",
  },
  [`${C}.ContainerPort`]: {
    "": "One port a container listens on.",
    name: "A name for the port (an IANA service name), usable as a Service's targetPort.",
    hostPort: "Also expose the port on the node at this number.",
    containerPort: "The port number in the Pod's network namespace.",
    protocol: "TCP (the default), UDP or SCTP.",
    hostIP: "The node address to bind hostPort to.",
  },
  [`${C}.EnvVar`]: {
    "": "One environment variable.",
    name: "The variable's name.",
    value: "The value; $(VAR) refers to variables defined earlier.",
    valueFrom: "Take the value from a ConfigMap, Secret, a field of the Pod or a resource amount.",
  },
  [`${C}.ReplicationController`]: {
    "": "The original replica controller: keeps a number of Pods matching a plain label selector running. Deployments and ReplicaSets replace it.",
    spec: "The desired number of Pods and how to make them.",
    status: "How many Pods exist and are ready. Written by the controller.",
  },
  [`${C}.ReplicationControllerSpec`]: {
    "": "The desired state of a ReplicationController.",
    replicas: "How many Pods to keep running (1 by default).",
    minReadySeconds: "How long a new Pod must be ready before it counts as available.",
    selector: "Labels the managed Pods have; defaults to the template's labels.",
    template: "The Pod blueprint for new replicas.",
  },
  [`${C}.ReplicationControllerStatus`]: {
    "": "The observed state of a ReplicationController.",
    replicas: "How many Pods exist.",
    fullyLabeledReplicas: "How many Pods carry all the template's labels.",
    readyReplicas: "How many Pods are ready.",
    availableReplicas: "How many Pods have been ready for minReadySeconds.",
    observedGeneration: "The generation this status describes.",
    conditions: conditionsOf("controller"),
  },
  [`${C}.ObjectReference`]: {
    "": "A reference to another object.",
    kind: "The referenced object's kind.",
    namespace: "Its namespace.",
    name: "Its name.",
    uid: "Its uid.",
    apiVersion: "Its API version.",
    resourceVersion: "The version of it this reference was made from.",
    fieldPath: "A part of the object, such as one container.",
  },
  [`${C}.TypedLocalObjectReference`]: {
    "": "A reference to an object of any kind in the same namespace.",
    apiGroup: "The API group of the object; empty for the core group.",
    kind: "The object's kind.",
    name: "The object's name.",
  },
};
