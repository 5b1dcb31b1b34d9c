/** @module */
import { Inject } from '@nestjs/common';

/**
 * The injection token of the channel named `name` (declared with `GorxModule.forFeature`).
 *
 * @example
 * ```ts
 * import { getChannelToken } from 'gorx/nest';
 *
 * console.log(getChannelToken('jobs')); // 'gorx:channel:jobs'
 * ```
 */
export function getChannelToken(name: string): string {
  return `gorx:channel:${name}`;
}

/**
 * Injects the channel named `name`, declared with `GorxModule.forFeature({ channels })`, so a
 * controller and a background worker share it through dependency injection.
 *
 * @example
 * ```ts
 * import { Controller, Post, ServiceUnavailableException, HttpCode } from '@nestjs/common';
 * import type { Chan } from 'gorx';
 * import { InjectChannel } from 'gorx/nest';
 *
 * @Controller('jobs')
 * class JobsController {
 *   constructor(@InjectChannel('jobs') private readonly jobs: Chan<string>) {}
 *
 *   @Post()
 *   @HttpCode(202)
 *   enqueue(): { queued: number } {
 *     // Backpressure: a full buffer is an answer, not a wait.
 *     if (!this.jobs.trySend('job')) throw new ServiceUnavailableException('queue full');
 *     return { queued: this.jobs.length };
 *   }
 * }
 * ```
 */
export function InjectChannel(name: string): PropertyDecorator & ParameterDecorator {
  return Inject(getChannelToken(name));
}
