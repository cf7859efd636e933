/**
 * What kube-apiserver and kube-controller-manager do around object lifetimes that the API needs
 * from the start: the system namespaces, NamespaceLifecycle admission, namespace termination
 * (contents removed, then the namespace), and garbage collection of dependents by
 * ownerReferences (background, foreground, orphan).
 */
import { errors, type GroupResource, StatusError } from "../machinery/errors.ts";
import type { KubeObject, OwnerReference } from "../machinery/types.ts";
import type { ResourceDef } from "../resources/types.ts";
import type { Store, Watcher } from "../storage/types.ts";
import type { ResourceRegistry } from "./registry.ts";

export const systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
const undeletable = new Set(["default", "kube-system", "kube-public"]);

/** A small serial work queue: keys collapse while queued; failures retry with backoff. */
class SerialQueue {
  private readonly queued = new Map<string, () => Promise<boolean>>();
  private running = false;
  private stopped = false;
  private readonly retries = new Map<string, number>();
  private timers = new Set<NodeJS.Timeout>();

  add(key: string, work: () => Promise<boolean>): void {
    if (this.stopped) return;
    this.queued.set(key, work);
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped && this.queued.size > 0) {
        const [key, work] = this.queued.entries().next().value as [string, () => Promise<boolean>];
        this.queued.delete(key);
        let done = false;
        try {
          done = await work();
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404))
            console.error(`lifecycle: ${key}: ${e instanceof Error ? e.message : e}`);
        }
        if (done) this.retries.delete(key);
        else this.retryLater(key, work);
      }
    } finally {
      this.running = false;
    }
  }

  private retryLater(key: string, work: () => Promise<boolean>): void {
    const n = (this.retries.get(key) ?? 0) + 1;
    this.retries.set(key, n);
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        this.add(key, work);
      },
      Math.min(50 * 2 ** n, 5_000),
    );
    t.unref();
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queued.clear();
  }
}

export class Lifecycle {
  private readonly queue = new SerialQueue();
  /** Every namespace and whether it is terminating, kept current by the watch on the store. */
  private readonly namespaceState = new Map<string, "Active" | "Terminating">();
  private watcher?: Watcher;

  constructor(
    private readonly store: Store,
    private readonly registries: () => ResourceRegistry[],
    private readonly namespaces: () => ResourceRegistry,
  ) {}

  /** Create the system namespaces and resume any pending terminations and finalizations. */
  async start(): Promise<void> {
    const nsReg = this.namespaces();
    for (const name of systemNamespaces) {
      try {
        await nsReg.create("", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
      }
    }
    const from = this.store.currentRevision();
    for (const n of (await nsReg.list("", {})).items) this.trackNamespace(n, false);
    this.watcher = this.store.watch("/", {
      afterRevision: from,
      onEvent: (ev) => {
        const reg = this.registryForKey(ev.current.key);
        if (!reg) return;
        const obj = reg.present(ev.current);
        if (reg === nsReg) this.trackNamespace(obj, ev.type === "DELETED");
        if (ev.type === "DELETED") this.onGone(reg, obj);
        else if (obj.metadata.deletionTimestamp) this.onDeleting(reg, obj);
      },
    });
    // Objects already marked for deletion when the server stopped.
    for (const reg of this.registries()) {
      const list = await reg.list("", {});
      for (const o of list.items) if (o.metadata.deletionTimestamp) this.onDeleting(reg, o);
    }
  }

  private trackNamespace(ns: KubeObject, gone: boolean): void {
    const name = ns.metadata.name ?? "";
    if (gone) this.namespaceState.delete(name);
    else {
      const terminating =
        !!ns.metadata.deletionTimestamp ||
        (ns.status as { phase?: string } | undefined)?.phase === "Terminating";
      this.namespaceState.set(name, terminating ? "Terminating" : "Active");
    }
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
  }

  private registryForKey(key: string): ResourceRegistry | undefined {
    const seg = key.split("/")[1];
    return this.registries().find((r) => r.prefix("").split("/")[1] === seg);
  }

  /** NamespaceLifecycle admission for creates. */
  async checkNamespaceWritable(ns: string, gr: GroupResource, name: string): Promise<void> {
    // Served from the namespace cache the lifecycle watch keeps (no store read per create).
    let state = this.namespaceState.get(ns);
    if (state === undefined) {
      // Not seen by the watch yet (or absent): ask the store once.
      const obj = await this.namespaces()
        .get("", ns)
        .catch(() => undefined);
      if (!obj) throw errors.notFound({ group: "", resource: "namespaces" }, ns);
      this.trackNamespace(obj, false);
      state = this.namespaceState.get(ns);
    }
    if (state === "Terminating") {
      const e = errors.forbidden(
        gr,
        name,
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
      // Controllers recognise this case by its cause, as with kube's NamespaceLifecycle admission.
      if (e.details)
        e.details.causes = [
          {
            reason: "NamespaceTerminating",
            message: `namespace ${ns} is being terminated`,
            field: "metadata.namespace",
          },
        ];
      throw e;
    }
  }

  admitDelete(def: ResourceDef, _ns: string, name: string): void {
    if (def.group === "" && def.plural === "namespaces" && undeletable.has(name))
      throw errors.forbidden(
        { group: "", resource: "namespaces" },
        name,
        "this namespace may not be deleted",
      );
  }

  private onDeleting(reg: ResourceRegistry, obj: KubeObject): void {
    const m = obj.metadata;
    const key = `${reg.prefix("")}${m.namespace ?? ""}/${m.name}`;
    if (reg.def.group === "" && reg.def.plural === "namespaces") {
      this.queue.add(`ns:${m.name}`, () => this.finalizeNamespace(m.name!));
      return;
    }
    const f = m.finalizers ?? [];
    if (f.includes("orphan")) this.queue.add(`orphan:${key}`, () => this.orphan(reg, obj));
    else if (f.includes("foregroundDeletion")) this.queue.add(`fg:${key}`, () => this.foreground(reg, obj));
  }

  private onGone(reg: ResourceRegistry, obj: KubeObject): void {
    const m = obj.metadata;
    if (!m.uid) return;
    this.queue.add(`bg:${m.uid}`, () => this.deleteDependents(obj, false));
    // An owner in foreground deletion waits for this dependent: look at it again.
    for (const ref of m.ownerReferences ?? []) {
      const ownerReg = this.registries().find(
        (r) => r.def.kind === ref.kind && r.apiVersion === ref.apiVersion,
      );
      if (!ownerReg) continue;
      const ns = ownerReg.def.namespaced ? (m.namespace ?? "") : "";
      void ownerReg
        .get(ns, ref.name)
        .then((owner) => {
          if (owner.metadata.uid === ref.uid && owner.metadata.deletionTimestamp)
            this.onDeleting(ownerReg, owner);
        })
        .catch(() => undefined);
    }
    void reg;
  }

  /** Objects that name uid among their owners, in the owner's namespace (or anywhere for cluster-scoped owners). */
  private async dependents(
    owner: KubeObject,
  ): Promise<Array<{ reg: ResourceRegistry; obj: KubeObject; ref: OwnerReference }>> {
    const uid = owner.metadata.uid;
    const ns = owner.metadata.namespace ?? "";
    const out: Array<{ reg: ResourceRegistry; obj: KubeObject; ref: OwnerReference }> = [];
    for (const reg of this.registries()) {
      if (ns && !reg.def.namespaced) continue;
      const list = await reg.list(reg.def.namespaced ? ns : "", {});
      for (const o of list.items) {
        const ref = (o.metadata.ownerReferences ?? []).find((r) => r.uid === uid);
        if (ref) out.push({ reg, obj: o, ref });
      }
    }
    return out;
  }

  private async dropOwnerRef(reg: ResourceRegistry, obj: KubeObject, uid: string): Promise<void> {
    await reg.guaranteedUpdate(obj.metadata.namespace ?? "", obj.metadata.name!, (cur) => {
      const refs = cur.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) return undefined;
      const next = structuredClone(cur);
      next.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      return next;
    });
  }

  /** Background deletion (or foreground, when `foreground`): remove dependents whose only live owner is gone. */
  private async deleteDependents(owner: KubeObject, foreground: boolean): Promise<boolean> {
    for (const { reg, obj, ref } of await this.dependents(owner)) {
      const ns = obj.metadata.namespace ?? "";
      try {
        if ((obj.metadata.ownerReferences ?? []).length > 1) {
          await this.dropOwnerRef(reg, obj, ref.uid);
        } else if (!obj.metadata.deletionTimestamp) {
          await reg.delete(ns, obj.metadata.name!, {
            propagationPolicy: foreground ? "Foreground" : "Background",
          });
        }
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    return true;
  }

  private async removeFinalizer(reg: ResourceRegistry, obj: KubeObject, finalizer: string): Promise<void> {
    await reg.guaranteedUpdate(obj.metadata.namespace ?? "", obj.metadata.name!, (cur) => {
      if (cur.metadata.uid !== obj.metadata.uid || !(cur.metadata.finalizers ?? []).includes(finalizer))
        return undefined;
      const next = structuredClone(cur);
      next.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
      return next;
    });
  }

  private async orphan(reg: ResourceRegistry, owner: KubeObject): Promise<boolean> {
    for (const { reg: r, obj } of await this.dependents(owner))
      await this.dropOwnerRef(r, obj, owner.metadata.uid!);
    await this.removeFinalizer(reg, owner, "orphan");
    return true;
  }

  private async foreground(reg: ResourceRegistry, owner: KubeObject): Promise<boolean> {
    await this.deleteDependents(owner, true);
    const blocking = (await this.dependents(owner)).filter((d) => d.ref.blockOwnerDeletion === true);
    if (blocking.length > 0) return true; // looked at again when a dependent goes (onGone)
    await this.removeFinalizer(reg, owner, "foregroundDeletion");
    return true;
  }

  /** The namespace controller: delete everything in the namespace, then let the namespace go. */
  private async finalizeNamespace(name: string): Promise<boolean> {
    const nsReg = this.namespaces();
    const ns = await nsReg.get("", name);
    if (!ns.metadata.deletionTimestamp) return true;
    let left = 0;
    for (const reg of this.registries()) {
      if (!reg.def.namespaced) continue;
      const list = await reg.list(name, {});
      for (const o of list.items) {
        left++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          await reg.delete(name, o.metadata.name!, { propagationPolicy: "Background" });
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
    }
    if (left > 0) {
      const remaining = await this.countIn(name);
      if (remaining > 0) return false; // retried with backoff until the contents are gone
    }
    await nsReg.guaranteedUpdate("", name, (cur) => {
      const fin = (cur.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      if (!fin.includes("kubernetes")) return undefined;
      const next = structuredClone(cur);
      next.spec = { ...(next.spec ?? {}), finalizers: fin.filter((f) => f !== "kubernetes") };
      return next;
    });
    return true;
  }

  private async countIn(ns: string): Promise<number> {
    let n = 0;
    for (const reg of this.registries()) if (reg.def.namespaced) n += (await reg.list(ns, {})).items.length;
    return n;
  }
}
