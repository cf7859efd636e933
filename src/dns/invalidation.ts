/**
 * Negative-answer invalidation between plugins of one server block: a data source (kubernetes)
 * announces names that have just become answerable, and a cache drops its NXDOMAIN/NODATA
 * entries for them, so a cached denial never outlives the object that makes the name exist.
 * SetupContext has no slot for it, so the bus lives here, one per (instance, server block).
 */
import type { SetupContext } from "./plugin.ts";

export interface InvalidationBus {
  /** Listen for names (lowercase, fully qualified) that became positive; returns unsubscribe. */
  onPositive(listener: (names: string[]) => void): () => void;
  /** Tell every listener that these names may now have answers. */
  announcePositive(names: string[]): void;
}

class Bus implements InvalidationBus {
  private readonly listeners = new Set<(names: string[]) => void>();

  onPositive(listener: (names: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  announcePositive(names: string[]): void {
    if (names.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(names);
      } catch {
        // A listener failing must not stop the others nor the announcer.
      }
    }
  }
}

const buses = new WeakMap<object, Map<number, Bus>>();

/** The bus of the server block being set up (shared by every plugin of that block). */
export function invalidationBus(ctx: Pick<SetupContext, "instance" | "serverBlockIndex">): InvalidationBus {
  let perBlock = buses.get(ctx.instance);
  if (!perBlock) {
    perBlock = new Map();
    buses.set(ctx.instance, perBlock);
  }
  let bus = perBlock.get(ctx.serverBlockIndex);
  if (!bus) {
    bus = new Bus();
    perBlock.set(ctx.serverBlockIndex, bus);
  }
  return bus;
}
