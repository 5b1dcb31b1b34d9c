// A pipeline: stages connected by channels, each stage a goroutine (fan-out in the middle).
// Port of goless's examples/pipeline.py (https://github.com/rgalanakis/goless), which hashes the
// files of the current directory. Here the "directory" is a fixed in-memory map so the output is
// stable, three hashers share the work, and the collector returns the results sorted by name.
import { createHash } from 'node:crypto';
import { chan, go, WaitGroup, type RecvChan, type SendChan } from 'gorx';

const directory: Record<string, string> = {
  'README.md': '# gorx\n',
  'package.json': '{ "name": "gorx" }\n',
  'src/chan.ts': 'export function chan() {}\n',
  'src/select.ts': 'export function select() {}\n',
  'src/go.ts': 'export function go() {}\n',
};

type Hashed = readonly [file: string, md5: string];

async function scanner(files: SendChan<string>): Promise<void> {
  for (const name of Object.keys(directory)) await files.send(name);
  files.close();
}

async function hasher(files: RecvChan<string>, hashes: SendChan<Hashed>): Promise<void> {
  for await (const f of files) {
    await hashes.send([f, createHash('md5').update(directory[f]!).digest('hex')]);
  }
}

async function collector(hashes: RecvChan<Hashed>, results: SendChan<Hashed>): Promise<void> {
  const all: Hashed[] = [];
  for await (const h of hashes) all.push(h);
  all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const h of all) await results.send(h);
  results.close();
}

const files = chan<string>();
const hashes = chan<Hashed>();
const results = chan<Hashed>();

go(() => scanner(files));
// Several hashers send on one channel: it must be closed once, after the last of them is done
// (a hasher closing it itself, as goless's single hasher does, would close it under the others).
const hashers = new WaitGroup();
for (let i = 0; i < 3; i++) {
  hashers.add(1);
  go(async () => {
    try {
      await hasher(files, hashes);
    } finally {
      hashers.done();
    }
  });
}
go(async () => {
  await hashers.wait();
  hashes.close();
});
go(() => collector(hashes, results));

for await (const [filename, md5hash] of results) {
  console.log(`${filename}: ${md5hash}`);
}
