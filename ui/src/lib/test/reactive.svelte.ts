// Deep reactive state for component tests, as a parent's `$state` would
// pass it to a component's bindable prop.
export function reactive<T extends object>(value: T): T {
  const state = $state(value);
  return state;
}
