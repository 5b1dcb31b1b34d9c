/**
 * gorx/cluster: leases with fencing, singleton goroutines and cluster-wide kill-on-supersede,
 * coordinated through PostgreSQL.
 * @module
 */
export { postgresStore, type PostgresStoreOptions } from './postgres-store.js';
export {
  type AcquireResult,
  type LeaseInfo,
  type LeaseScope,
  type LeaseStore,
  type RenewResult,
  type StoreHealth,
} from './lease-store.js';
export { acquireLease, type Lease, type LeaseOptions } from './acquire-lease.js';
export { singleton } from './singleton.js';
export {
  supersedeAcrossCluster,
  type SupersedeAcrossClusterOptions,
} from './supersede-across-cluster.js';
export { type ClusterContext, type ClusterGoFunction } from './cluster-context.js';
export { ClusterError, LeaseLostError, type ClusterErrorCode } from './errors.js';
