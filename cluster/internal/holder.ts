/** Holder ids: which process and which acquisition in it holds a lease (opaque to the store). */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const processId = `${hostname().slice(0, 64)}/${process.pid}/${randomBytes(4).toString('hex')}`;
let seq = 0;

/** A fresh id per acquisition, so two leases of one process never mistake each other. */
export function newHolderId(): string {
  return `${processId}#${++seq}`;
}
