// Part of `scripts/check-nest11.sh`: CommonJS code that loads gorx/nest with `import()`, the way
// that works without require(esm) (Node < 20.19, or `--no-experimental-require-module`).
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file on purpose */
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

async function main() {
  const { GorxModule, WorkerRegistry } = await import('gorx/nest');
  const { sleep } = await import('gorx');
  class AppModule {}
  Module({
    imports: [GorxModule.forRootAsync({ useFactory: async () => ({ shutdownGraceMs: 1_000 }) })],
  })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  const registry = app.get(WorkerRegistry);
  let cleanedUp = false;
  registry.spawn('spawned', async (ctx) => {
    try {
      for (;;) {
        ctx.heartbeat();
        await sleep(10, { signal: ctx.signal });
      }
    } finally {
      cleanedUp = true;
    }
  });
  await sleep(50);
  const state = registry.get('spawned').state;
  await app.close();
  if (state !== 'running' || !cleanedUp || registry.get('spawned').state !== 'stopped') {
    throw new Error(`FAILED: import() from CommonJS: state ${state}, cleanedUp ${cleanedUp}`);
  }
  console.log('ok - CommonJS import() of gorx/nest: spawned worker ran and was stopped by close()');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
