/** Upstream selection policies (plugin/forward/policy.go): the order in which to try them. */

export interface Policy {
  readonly name: string;
  list<T>(items: readonly T[]): T[];
}

/** A random permutation (two upstreams: swapped half the time). */
export const random: Policy = {
  name: "random",
  list(items) {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
};

/** Each query starts one further along; the rest keep their order around it. */
export function roundRobin(): Policy {
  let robin = 0;
  return {
    name: "round_robin",
    list(items) {
      robin = (robin + 1) >>> 0;
      const i = robin % items.length;
      return [items[i], ...items.slice(0, i), ...items.slice(i + 1)];
    },
  };
}

export const sequential: Policy = { name: "sequential", list: (items) => [...items] };
