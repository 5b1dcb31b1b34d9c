/** @module */
import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GORX_SUPERSEDE_METADATA, GORX_WORKER_METADATA } from './gorx.constants.js';
import type { SupersedeOptions } from './supersede.decorator.js';
import type { BackgroundWorkerOptions } from './worker.options.js';

/** Reads `@BackgroundWorker` and `@Supersede` metadata from a method. Not exported from `gorx/nest`. */
@Injectable()
export class WorkerMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getWorkerOptions(method: unknown): BackgroundWorkerOptions | undefined {
    if (typeof method !== 'function') return undefined;
    return this.reflector.get<BackgroundWorkerOptions | undefined>(GORX_WORKER_METADATA, method);
  }

  getSupersedeOptions(method: unknown): SupersedeOptions | undefined {
    if (typeof method !== 'function') return undefined;
    return this.reflector.get<SupersedeOptions | undefined>(GORX_SUPERSEDE_METADATA, method);
  }
}
