// Parts of the UI that no first screen shows (a token's page, the settings,
// the wizard's steps after the first) are loaded apart from the first
// screen's script: the start-up parses and styles only what it paints
// (BENCHMARKS.md, "Start-up"). Each is fetched once, on first use or when
// the first screen is painted, whichever comes first.

/** A module loaded on demand; `current` is null until it has arrived. */
export interface Lazy<T> {
  readonly current: T | null;
  /** Why it could not be loaded, until a later `load` succeeds. */
  readonly error: string | null;
  /** The module, fetched once (again only after a failure). */
  load(): Promise<T>;
}

export function lazy<T>(importer: () => Promise<T>): Lazy<T> {
  let current = $state.raw<T | null>(null);
  let error = $state<string | null>(null);
  let loading: Promise<T> | null = null;
  return {
    get current() {
      return current;
    },
    get error() {
      return error;
    },
    load() {
      if (current !== null) return Promise.resolve(current);
      loading ??= importer().then(
        (module) => {
          current = module;
          error = null;
          return module;
        },
        (failure: unknown) => {
          loading = null;
          error = failure instanceof Error ? failure.message : String(failure);
          throw failure;
        },
      );
      return loading;
    },
  };
}
