// The connected Qovery organizations, read once per window and shared by
// Settings, the dashboard and the token page (as the catalogue is), and
// updated in place when the user connects or disconnects one.
import { qoveryConnect, qoveryConnections, qoveryDisconnect } from '../api';
import type { QoveryConnection } from '../bindings/QoveryConnection';

let current = $state.raw<QoveryConnection[] | null>(null);
let loading: Promise<QoveryConnection[]> | null = null;

/** The connections, fetched once and shared by every screen. */
export function loadConnections(): Promise<QoveryConnection[]> {
  if (current) return Promise.resolve(current);
  loading ??= qoveryConnections().then(
    (list) => {
      current = list;
      return list;
    },
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The connections as last read (reactive), or null before the first read. */
export function connections(): QoveryConnection[] | null {
  return current;
}

/** Sets the connections directly (component tests). */
export function useConnections(list: QoveryConnection[] | null): void {
  current = list;
  loading = null;
}

/** Connects an organization and adds it to the shared list. */
export async function connect(
  orgId: string,
  apiToken: string,
  apiUrl: string | null,
): Promise<QoveryConnection> {
  const connection = await qoveryConnect(orgId, apiToken, apiUrl);
  current = [...(current ?? []).filter((c) => c.org_id !== connection.org_id), connection];
  return connection;
}

/** Disconnects an organization and drops it from the shared list. */
export async function disconnect(orgId: string): Promise<QoveryConnection> {
  const connection = await qoveryDisconnect(orgId);
  current = (current ?? []).filter((c) => c.org_id !== orgId);
  return connection;
}
